from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from contacts.models import Contact, Phone
from contacts.tests.factories import ContactFactory
from crm.workers.bulk import bulk_copy, bulk_insert, bulk_upsert
from crm.workers.records import Unfit, fit, write_each
from deals.models import OrderItem
from deals.tests.factories import OrderFactory
from promotions.models import PromoCode, Promotion

pytestmark = pytest.mark.django_db


def test_fit_drops_nul_characters_everywhere():
    assert fit(Contact, {"first_name": "Ol\x00ena", "email": None}) == {"first_name": "Olena", "email": None}


@pytest.mark.parametrize(
    ("model", "values", "field"),
    [
        (Contact, {"first_name": "x" * 101}, "first_name"),
        (PromoCode, {"usage_count": 2**63}, "usage_count"),
        (PromoCode, {"usage_count": -1}, "usage_count"),
        (Promotion, {"discount_percent": Decimal("100000")}, "discount_percent"),
        (Promotion, {"discount_percent": "NaN"}, "discount_percent"),
        (OrderItem, {"price": Decimal("1e400")}, "price"),
    ],
)
def test_fit_refuses_what_the_column_cannot_hold_naming_the_field(model, values, field):
    limit = model._meta.get_field(field)
    if getattr(limit, "max_length", None) and limit.max_length > 100:
        values = {field: "x" * (limit.max_length + 1)}
    with pytest.raises(Unfit) as refused:
        fit(model, values)
    assert refused.value.field == field


def test_fit_keeps_what_fits_and_rounds_nothing_away():
    values = {"discount_percent": Decimal("999.994"), "name": "Spring"}
    assert fit(Promotion, values) == values


def _skipping():
    skipped = []
    return skipped, lambda item, reason: skipped.append((item, reason))


@pytest.mark.parametrize(
    "bad",
    [
        {"number": "+380500000001", "label": "x" * 500},  # longer than its column (PostgreSQL refuses)
        {"number": "+380500000001", "label": "a\x00b"},  # NUL: PostgreSQL refuses it in text
    ],
)
def test_write_each_skips_a_record_the_raw_cursor_refuses_and_writes_the_rest(bad):
    contact = ContactFactory()
    rows = [
        {"contact_id": contact.pk, "number": "+380500000000", "label": "ok"},
        {"contact_id": contact.pk, **bad},
        {"contact_id": contact.pk, "number": "+380500000002", "label": "ok"},
    ]
    skipped, skip = _skipping()

    write_each(rows, lambda batch: bulk_upsert(Phone, batch, unique=["number"], key="number"), skip=skip)

    written = set(Phone.objects.values_list("number", flat=True))
    assert {"+380500000000", "+380500000002"} <= written
    if "+380500000001" not in written:
        assert [item for item, _reason in skipped] == [rows[1]]
        assert skipped[0][1]


def test_write_each_skips_check_and_unique_refusals_of_copy_and_insert():
    order = OrderFactory()
    skipped, skip = _skipping()
    items = [
        {"order_id": order.pk, "name": "fine", "quantity": 1, "price": Decimal("1.00")},
        {"order_id": order.pk, "name": "none", "quantity": 0, "price": Decimal("1.00")},  # check constraint
    ]
    write_each(items, lambda batch: bulk_copy(OrderItem, batch), skip=skip)
    assert list(OrderItem.objects.filter(order=order).values_list("name", flat=True)) == ["fine"]
    assert [item["name"] for item, _reason in skipped] == ["none"]

    contact = ContactFactory()
    Phone.objects.create(contact=contact, number="+380500000009")
    skipped, skip = _skipping()
    rows = [
        {"contact_id": contact.pk, "number": "+380500000008"},
        {"contact_id": contact.pk, "number": "+380500000009"},  # a unique number already taken
    ]
    write_each(rows, lambda batch: bulk_insert(Phone, batch), skip=skip)
    assert Phone.objects.filter(number="+380500000008").exists()
    assert [item["number"] for item, _reason in skipped] == ["+380500000009"]


def test_the_raw_cursor_raises_djangos_errors():
    order = OrderFactory()
    with pytest.raises(IntegrityError):
        bulk_copy(OrderItem, [{"order_id": order.pk, "name": "none", "quantity": 0, "price": Decimal("1.00")}])


def test_fit_refuses_a_number_that_rounding_pushes_past_its_column():
    with pytest.raises(Unfit):
        fit(Promotion, {"discount_percent": Decimal("999.995")})


def test_fit_checks_a_generated_column_by_what_the_database_would_compute():
    with pytest.raises(Unfit) as refused:
        fit(OrderItem, {"total": 1000 * Decimal("9999999999.99")})
    assert refused.value.field == "total"
    assert fit(OrderItem, {"total": Decimal("12.50")}) == {"total": Decimal("12.50")}


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite cannot add a constraint inside the test's transaction"
)


@contextmanager
def database_refuses(model, constraint):
    """The database refuses what `constraint` forbids, for the test: a refusal no parser or `fit` foresees."""
    with connection.schema_editor() as editor:
        editor.add_constraint(model, constraint)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # PostgreSQL alters no table with checks pending
        with connection.schema_editor() as editor:
            editor.remove_constraint(model, constraint)
