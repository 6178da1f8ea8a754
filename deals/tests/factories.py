import factory
from django.utils import timezone

from contacts.tests.factories import ContactFactory
from deals.models import Deal, Order, OrderItem, Pipeline, Product, Stage


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pipeline {n}")

    @factory.post_generation
    def stages(self, create, names, **kwargs):
        for position, name in enumerate(names or ("New", "In progress", "Done"), start=1):
            Stage.objects.create(pipeline=self, name=name, position=position)


class DealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deal

    title = factory.Sequence(lambda n: f"Deal {n}")
    contact = factory.SubFactory(ContactFactory)
    pipeline = factory.SubFactory(PipelineFactory)
    stage = factory.LazyAttribute(lambda deal: deal.pipeline.stages.order_by("position").first())
    amount = 100


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    contact = factory.SubFactory(ContactFactory)
    ordered_at = factory.LazyFunction(timezone.now)
    shop_order_id = factory.Sequence(lambda n: f"SHOP-{n}")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    name = "Shoes"
    quantity = 2
    price = "150.00"
