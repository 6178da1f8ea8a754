import django_filters
from django.utils.translation import gettext_lazy as _

from crm.api.filters import DateFilter, FilterSet
from crm.api.periods import PERIOD_CHOICES, day_bounds, period_bounds
from promotions.models import Discount, PromoCode, Promotion
from promotions.selectors import overlapping


def bounds_from(data) -> tuple:
    """[start, end) of `period` or `date_after`/`date_before` (validated form data); None for an open side."""
    if data.get("period"):
        return period_bounds(data["period"])
    start = day_bounds(data["date_after"])[0] if data.get("date_after") else None
    end = day_bounds(data["date_before"])[1] if data.get("date_before") else None
    return start, end


class ActivePeriodFilterSet(FilterSet):
    """`period`, `date_after`, `date_before`: the rows in force at some moment of that period."""

    period = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES,
        method="filter_noop",
        label=_("Period"),
        help_text=_("By `starts_at` and `ends_at`: only rows in force at some moment of this period."),
    )
    date_after = DateFilter(
        method="filter_noop",
        label=_("From date"),
        help_text=_("By `ends_at`: only rows still in force on this day or later."),
    )
    date_before = DateFilter(
        method="filter_noop",
        label=_("To date (inclusive)"),
        help_text=_("By `starts_at`: only rows already in force on this day or earlier."),
    )

    def filter_noop(self, queryset, name, value):
        return queryset  # all three are applied together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = bounds_from(self.form.cleaned_data)
        return overlapping(queryset, start=start, end=end)


class PromotionFilter(ActivePeriodFilterSet):
    class Meta:
        model = Promotion
        fields = ["source"]


class PromoCodeFilter(ActivePeriodFilterSet):
    code = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = PromoCode
        fields = ["source", "code", "discount_type"]


class DiscountFilter(ActivePeriodFilterSet):
    class Meta:
        model = Discount
        fields = ["source", "sku", "product"]


class PeriodForm(ActivePeriodFilterSet):
    """The period of a usage figure or a report, validated like the lists' filters."""

    class Meta:
        model = PromoCode
        fields = []
