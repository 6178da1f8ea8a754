import factory

from contacts.models import (
    Contact,
    ContactActivity,
    ContactEvent,
    CustomerRequest,
    Letter,
    Phone,
    Return,
    ReturnItem,
)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class PhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phone

    contact = factory.SubFactory(ContactFactory)
    number = factory.Sequence(lambda n: f"+38050{n:07d}")


class ContactEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactEvent

    contact = factory.SubFactory(ContactFactory)
    type = "call"


class ContactActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactActivity

    contact = factory.SubFactory(ContactFactory)
    name = "Called back"
    type = "call"


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    contact = factory.SubFactory(ContactFactory)
    subject = "Your order"
    direction = "outgoing"


class ReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Return

    contact = factory.SubFactory(ContactFactory)
    order_reference = factory.Sequence(lambda n: f"A-{n}")
    reason = "Wrong size"


class ReturnItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReturnItem

    return_request = factory.SubFactory(ReturnFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = "Shoes"
    quantity = 1


class CustomerRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerRequest

    contact = factory.SubFactory(ContactFactory)
    reason = "Late delivery"
    channel = "call"
