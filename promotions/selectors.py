from datetime import datetime

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from calendars.registry import CalendarEvent
from deals.models import OrderCoupon
from promotions.models import Discount, PromoCode, Promotion

ZERO = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))


def overlapping(queryset: QuerySet, *, start: datetime | None, end: datetime | None) -> QuerySet:
    """Rows whose period [starts_at, ends_at] meets [start, end); an open end runs on, an open start was always."""
    if end is not None:
        queryset = queryset.filter(Q(starts_at__lt=end) | Q(starts_at__isnull=True))
    if start is not None:
        queryset = queryset.filter(Q(ends_at__gte=start) | Q(ends_at__isnull=True))
    return queryset


def promotion_list() -> QuerySet[Promotion]:
    return Promotion.objects.all()


def promo_code_list() -> QuerySet[PromoCode]:
    return PromoCode.objects.all()


def discount_list() -> QuerySet[Discount]:
    return Discount.objects.select_related("product")


def promo_code_usage(*, promo_code: PromoCode, start: datetime | None, end: datetime | None) -> dict:
    """How often the code was used in orders placed in [start, end), in all and by month."""
    lines = OrderCoupon.objects.filter(code__iexact=promo_code.code)
    if start is not None:
        lines = lines.filter(order__ordered_at__gte=start)
    if end is not None:
        lines = lines.filter(order__ordered_at__lt=end)
    totals = lines.aggregate(
        orders=Count("order", distinct=True),
        discount_total=Coalesce(Sum("discount"), ZERO),
        revenue=Coalesce(Sum("order__amount"), ZERO),
    )
    months = (
        lines.annotate(month=TruncMonth("order__ordered_at"))
        .values("month")
        .annotate(orders=Count("order", distinct=True), discount_total=Coalesce(Sum("discount"), ZERO))
        .order_by("month")
    )
    return {"promo_code": promo_code, "start": start, "end": end, **totals, "by_month": list(months)}


def promotions_report(*, start: datetime | None, end: datetime | None) -> dict:
    """Counts of each kind active in [start, end), and the promo codes' usage by orders placed in it."""
    lines = OrderCoupon.objects.all()
    if start is not None:
        lines = lines.filter(order__ordered_at__gte=start)
    if end is not None:
        lines = lines.filter(order__ordered_at__lt=end)
    usage = lines.aggregate(
        orders=Count("order", distinct=True), uses=Count("pk"), discount_total=Coalesce(Sum("discount"), ZERO)
    )
    top = list(
        lines.values("code")
        .annotate(uses=Count("pk"), discount_total=Coalesce(Sum("discount"), ZERO))
        .order_by("-uses", "code")[:10]
    )
    return {
        "start": start,
        "end": end,
        "promotions": {"count": overlapping(Promotion.objects.all(), start=start, end=end).count()},
        "promo_codes": {
            "count": overlapping(PromoCode.objects.all(), start=start, end=end).count(),
            **usage,
            "top": top,
        },
        "discounts": {"count": overlapping(Discount.objects.all(), start=start, end=end).count()},
    }


# Calendar sources: events of each kind meeting [start, end). All staff see promotions, and they are
# nobody's own, so `mine` changes nothing.


def _events(queryset: QuerySet, kind: str, path: str, title_field: str, start, end) -> list[CalendarEvent]:
    return [
        CalendarEvent(kind=kind, title=title, start=starts_at, end=ends_at, link=f"/api/promotions/{path}/{pk}/")
        for pk, title, starts_at, ends_at in overlapping(queryset, start=start, end=end)
        .order_by("starts_at", "pk")
        .values_list("pk", title_field, "starts_at", "ends_at")
    ]


def promotion_events(*, user, start: datetime, end: datetime, mine: bool = False) -> list[CalendarEvent]:
    return _events(Promotion.objects.all(), "promotion", "promotions", "name", start, end)


def promo_code_events(*, user, start: datetime, end: datetime, mine: bool = False) -> list[CalendarEvent]:
    return _events(PromoCode.objects.all(), "promo_code", "promo-codes", "code", start, end)


def discount_events(*, user, start: datetime, end: datetime, mine: bool = False) -> list[CalendarEvent]:
    return _events(Discount.objects.all(), "discount", "discounts", "name", start, end)
