from decimal import Decimal

import pytest

from contacts.models import Contact, Phone
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.workers.bulk import bulk_copy, bulk_insert, bulk_upsert
from deals.models import OrderCoupon
from deals.tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def test_bulk_insert_returns_pks_in_order_and_fills_defaults():
    pks = bulk_insert(Contact, [{"first_name": "A"}, {"first_name": "B", "email": "b@example.com"}])
    contacts = Contact.objects.in_bulk(pks)
    assert [contacts[pk].first_name for pk in pks] == ["A", "B"]
    assert contacts[pks[0]].loyalty_balance == 0 and contacts[pks[0]].created_at is not None


def test_bulk_upsert_updates_or_keeps_on_conflict():
    contact = ContactFactory()
    PhoneFactory(contact=contact, number="+380501111111", label="old")
    rows = [
        {"contact_id": contact.pk, "number": "+380501111111", "label": "new"},
        {"contact_id": contact.pk, "number": "+380502222222", "label": "second"},
    ]

    kept = bulk_upsert(Phone, rows, unique=["number"], key="number")
    assert Phone.objects.get(number="+380501111111").label == "old"
    assert set(kept) >= {"+380502222222"}

    updated = bulk_upsert(Phone, rows, unique=["number"], update=["label"], key="number")
    assert Phone.objects.get(number="+380501111111").label == "new"
    assert updated["+380501111111"] == Phone.objects.get(number="+380501111111").pk


def test_bulk_copy_keeps_awkward_text_and_nulls():
    order = OrderFactory()
    awkward = "tab\there\\back\nnew line\r"
    bulk_copy(OrderCoupon, [{"order_id": order.pk, "code": awkward, "discount": Decimal("1.50")}])
    coupon = OrderCoupon.objects.get()
    assert (coupon.code, coupon.discount) == (awkward, Decimal("1.50"))
