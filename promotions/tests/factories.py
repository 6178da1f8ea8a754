from datetime import timedelta

import factory
from django.utils import timezone

from promotions.models import Discount, PromoCode, Promotion


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    source = "rest"
    external_id = factory.Sequence(str)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class PromoCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PromoCode

    source = "rest"
    external_id = factory.Sequence(str)
    code = factory.Sequence(lambda n: f"CODE{n}")
    amount = 10
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = None


class DiscountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discount

    source = "rest"
    external_id = factory.Sequence(str)
    name = factory.Sequence(lambda n: f"Product {n}")
    sale_price = 5
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
