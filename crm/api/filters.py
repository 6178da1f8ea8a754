"""The project's django-filter pieces: every number, id, date and boolean in a query string is read strictly.

A filter by the id of a related row (`?deal=7`) never looks the row up: an id the
caller may not see and an id that does not exist both give an empty page, so a
list cannot be used to probe which ids exist. A malformed id is a 400.
"""

from copy import deepcopy

import django_filters
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.related import ManyToManyRel, ManyToOneRel, OneToOneRel
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crm.api import parsing
from crm.api.periods import PERIOD_CHOICES, day_bounds, period_bounds
from crm.api.targets import parse_target


class NumberFilter(django_filters.NumberFilter):
    field_class = parsing.DecimalFormField


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    field_class = parsing.IntegerFormField


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(IntegerFilter):
    """The id of a related row; matches nothing (rather than a 400 or 404) when no visible row has it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class DateFilter(django_filters.DateFilter):
    field_class = parsing.DateFormField


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = parsing.DateTimeFormField


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A required choice of a row every caller sees (a pipeline for the kanban); an unknown id is a 400."""

    field_class = parsing.ModelChoiceFormField


class StrictBooleanFilter(django_filters.TypedChoiceFilter):
    """`true`/`false` (or 1/0); anything else is a 400, not silently ignored."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", _("Yes")), ("false", _("No")), ("1", _("Yes")), ("0", _("No"))])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1", True))
        super().__init__(*args, **kwargs)


def _id_filter(field):
    return {"distinct": isinstance(field, models.ManyToManyField | ManyToManyRel | ManyToOneRel)}


class FilterSet(rest_framework.FilterSet):
    FILTER_DEFAULTS = {
        **deepcopy(rest_framework.FilterSet.FILTER_DEFAULTS),
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.AutoField: {"filter_class": IntegerFilter},
        models.IntegerField: {"filter_class": IntegerFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.DecimalField: {"filter_class": NumberFilter},
        models.FloatField: {"filter_class": NumberFilter},
        models.DateField: {"filter_class": DateFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.ManyToManyField: {"filter_class": IdFilter, "extra": _id_filter},
        OneToOneRel: {"filter_class": IdFilter},
        ManyToOneRel: {"filter_class": IdFilter, "extra": _id_filter},
        ManyToManyRel: {"filter_class": IdFilter, "extra": _id_filter},
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
    date_after = DateFilter(method="filter_date_after", label=_("From date"))
    date_before = DateFilter(method="filter_date_before", label=_("To date (inclusive)"))

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
