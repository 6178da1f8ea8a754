import django_filters
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework
from rest_framework import serializers

from crm.periods import PERIOD_CHOICES, day_bounds, period_bounds
from crm.targets import parse_target


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true`/`false` (or 1/0); anything else is a 400, not silently ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", _("Yes")), ("false", _("No")), ("1", _("Yes")), ("0", _("No"))])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1", True))
        super().__init__(*args, **kwargs)


class FilterSet(rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **rest_framework.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
    }


class FilterBackend(rest_framework.DjangoFilterBackend):
    """django-filter's backend, with the project's FilterSet for `filterset_fields`."""

    filterset_base = FilterSet


class PeriodFilterSet(FilterSet):
    """Adds `period`, `date_after` and `date_before` over the field named by `date_field`.

    Days are whole days of the project's time zone; `date_before` includes its day.
    """

    date_field = "created_at"

    period = django_filters.ChoiceFilter(choices=PERIOD_CHOICES, method="filter_period", label=_("Period"))
    date_after = django_filters.DateFilter(method="filter_date_after", label=_("From date"))
    date_before = django_filters.DateFilter(method="filter_date_before", label=_("To date (inclusive)"))

    def filter_period(self, queryset, name, value):
        start, end = period_bounds(value)
        return queryset.filter(**{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})

    def filter_date_after(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": day_bounds(value)[0]})

    def filter_date_before(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lt": day_bounds(value)[1]})


class TargetFilter(django_filters.CharFilter):
    """`?target=app_label.model:id` over a generic relation named by `type_field`/`id_field`."""

    def __init__(self, *args, type_field="target_type", id_field="target_id", **kwargs):
        self.type_field, self.id_field = type_field, id_field
        kwargs.setdefault("label", _("Target, as app_label.model:id"))
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        try:
            content_type, object_id = parse_target(value)
        except ValidationError as error:
            raise serializers.ValidationError({self.field_name: error.messages}) from None
        return queryset.filter(**{self.type_field: content_type, self.id_field: object_id})
