from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from calendars.registry import CalendarEvent
from crm.tests.support.queries import assert_constant_queries
from deals.models import OrderCoupon
from deals.tests.factories import OrderFactory
from promotions import selectors
from promotions.tests.factories import DiscountFactory, PromoCodeFactory, PromotionFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "promotion": PromotionFactory,
    "promo-code": PromoCodeFactory,
    "discount": DiscountFactory,
}


def aware(*args):
    return timezone.make_aware(datetime(*args))


@pytest.mark.parametrize("name", LISTS)
def test_every_employee_reads_the_lists(api, employee, name):
    row = LISTS[name]()
    response = api.as_user(employee).get(reverse(f"promotions:{name}-list"))
    assert response.status_code == 200
    assert [item["id"] for item in response.data["results"]] == [row.pk]
    assert api.as_user(employee).get(reverse(f"promotions:{name}-detail", args=[row.pk])).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_lists_are_read_only_and_closed_to_anonymous(api, owner, name):
    row = LISTS[name]()
    assert api.get(reverse(f"promotions:{name}-list")).status_code == 401
    client = api.as_user(owner)
    assert client.post(reverse(f"promotions:{name}-list"), {}).status_code == 405
    assert client.delete(reverse(f"promotions:{name}-detail", args=[row.pk])).status_code == 405
    assert client.get(reverse(f"promotions:{name}-list") + "abc/").status_code == 404


@pytest.mark.parametrize("name", LISTS)
def test_lists_take_constant_queries(api, employee, name):
    def add_rows(count):
        LISTS[name].create_batch(count)

    assert assert_constant_queries(api.as_user(employee), reverse(f"promotions:{name}-list"), add_rows) <= 3


def test_period_filter_keeps_what_is_in_force_in_the_period(api, employee):
    march = PromotionFactory(starts_at=aware(2024, 3, 1), ends_at=aware(2024, 3, 31, 23, 59))
    PromotionFactory(starts_at=aware(2024, 5, 1), ends_at=aware(2024, 5, 31))
    endless = PromotionFactory(starts_at=aware(2023, 1, 1), ends_at=None)
    url = reverse("promotions:promotion-list")

    response = api.as_user(employee).get(url, {"date_after": "2024-03-15", "date_before": "2024-04-10"})

    assert {row["id"] for row in response.data["results"]} == {march.pk, endless.pk}
    response = api.as_user(employee).get(url, {"date_before": "2024-02-28"})
    assert {row["id"] for row in response.data["results"]} == {endless.pk}
    assert api.as_user(employee).get(url, {"period": "year"}).status_code == 200


@pytest.mark.parametrize("params", [{"period": "decade"}, {"date_after": "yesterday"}, {"product": "x"}])
def test_garbage_filters_are_400(api, employee, params):
    assert api.as_user(employee).get(reverse("promotions:discount-list"), params).status_code == 400


def _order_with(code, discount, when, amount="100.00"):
    order = OrderFactory(ordered_at=when, amount=Decimal(amount))
    OrderCoupon.objects.create(order=order, code=code, discount=Decimal(discount))
    return order


def test_promo_code_usage_over_a_period(api, employee):
    code = PromoCodeFactory(code="SPRING")
    _order_with("spring", "5.00", aware(2024, 3, 2))
    _order_with("SPRING", "7.50", aware(2024, 4, 2), amount="50.00")
    _order_with("SPRING", "1.00", aware(2023, 4, 2))
    _order_with("OTHER", "9.00", aware(2024, 3, 2))
    url = reverse("promotions:promo-code-usage", args=[code.pk])

    response = api.as_user(employee).get(url, {"date_after": "2024-01-01", "date_before": "2024-12-31"})

    assert response.status_code == 200
    assert response.data["orders"] == 2
    assert response.data["discount_total"] == "12.50"
    assert response.data["revenue"] == "150.00"
    assert [row["orders"] for row in response.data["by_month"]] == [1, 1]
    assert api.as_user(employee).get(url).data["orders"] == 3
    assert api.as_user(employee).get(url, {"date_after": "nope"}).status_code == 400
    assert api.as_user(employee).get(reverse("promotions:promo-code-usage", args=[999999])).status_code == 404


def test_report_counts_each_kind_and_the_codes_usage(api, employee):
    PromotionFactory(starts_at=aware(2024, 3, 1), ends_at=aware(2024, 3, 10))
    PromotionFactory(starts_at=aware(2022, 3, 1), ends_at=aware(2022, 3, 10))
    PromoCodeFactory(starts_at=aware(2024, 1, 1), ends_at=None)
    DiscountFactory(starts_at=aware(2024, 6, 1), ends_at=aware(2024, 6, 2))
    _order_with("SPRING", "5.00", aware(2024, 3, 2))
    _order_with("SPRING", "5.00", aware(2024, 3, 3))
    _order_with("SUMMER", "2.00", aware(2024, 7, 3))

    response = api.as_user(employee).get(
        reverse("promotions:promotion-report"), {"date_after": "2024-01-01", "date_before": "2024-12-31"}
    )

    assert response.status_code == 200
    data = response.data
    assert data["promotions"]["count"] == 1
    assert data["discounts"]["count"] == 1
    assert data["promo_codes"]["count"] == 1
    assert data["promo_codes"]["orders"] == 3
    assert data["promo_codes"]["discount_total"] == "12.00"
    assert data["promo_codes"]["top"][0] == {"code": "SPRING", "uses": 2, "discount_total": "10.00"}
    assert api.as_user(employee).get(reverse("promotions:promotion-report"), {"period": "x"}).status_code == 400
    api.credentials()
    assert api.get(reverse("promotions:promotion-report")).status_code == 401


def test_calendar_sources_give_events_of_each_kind_in_a_range(employee):
    start, end = aware(2024, 3, 1), aware(2024, 4, 1)
    promotion = PromotionFactory(starts_at=aware(2024, 2, 20), ends_at=aware(2024, 3, 5))
    PromotionFactory(starts_at=aware(2024, 4, 2), ends_at=aware(2024, 4, 5))
    code = PromoCodeFactory(starts_at=aware(2024, 3, 3), ends_at=None)
    discount = DiscountFactory(starts_at=aware(2024, 3, 30), ends_at=aware(2024, 4, 2))

    events = selectors.promotion_events(user=employee, start=start, end=end)
    assert [e.link for e in events] == [f"/api/promotions/promotions/{promotion.pk}/"]
    events = selectors.promo_code_events(user=employee, start=start, end=end)
    assert events == [
        CalendarEvent(
            kind="promo_code",
            title=code.code,
            start=code.starts_at,
            end=None,
            link=f"/api/promotions/promo-codes/{code.pk}/",
        )
    ]
    events = selectors.discount_events(user=employee, start=start, end=end)
    assert [e.link for e in events] == [f"/api/promotions/discounts/{discount.pk}/"]
    assert selectors.discount_events(user=employee, start=end + timedelta(days=5), end=end + timedelta(days=6)) == []
