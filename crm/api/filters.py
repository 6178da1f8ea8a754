"""The project's django-filter pieces: every number, id, date and boolean in a query string is read strictly.

A filter by the id of a related row (`?deal=7`) never looks the row up: an id the
caller may not see and an id that does not exist both give an empty page, so a
list cannot be used to probe which ids exist. A malformed id is a 400.
"""

from copy import deepcopy

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields.related import ManyToManyRel, ManyToOneRel, OneToOneRel
from django.utils.functional import lazy
from django.utils.text import get_text_list
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import filters, serializers

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
    """django-filter's backend, with the project's FilterSet for `filterset_fields`.

    It also reads `?ordering=` strictly, for DRF's OrderingFilter that sorts the list after it:
    a field the list cannot be sorted by is a 400 naming the parameter, not silently ignored.
    """

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        if any(issubclass(backend, filters.OrderingFilter) for backend in getattr(view, "filter_backends", ())):
            check_ordering(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or passes_all(filterset_class, request.query_params):
            return queryset  # what the filter set would answer, without building its filters and form
        return super().filter_queryset(request, queryset, view)


# The FilterSet machinery that `passes_all` knows: a filter set that changes any of it is always run.
_FILTERSET_PARTS = ("__init__", "is_valid", "errors", "filter_queryset", "qs", "form", "get_form_class")


def passes_all(filterset_class, query_params) -> bool:
    """Whether `filterset_class` would hand back the queryset untouched for `query_params`: no parameter of its
    is given (nor one its name begins, as `date_after` begins `date`), none is required, each filter lets the
    queryset through when its parameter is absent, and its form and machinery are django-filter's own."""
    named = filterset_class.base_filters
    if any(key.startswith(name) for key in query_params for name in named):
        return False
    if filterset_class._meta.form is not forms.Form:
        return False
    if any(getattr(filterset_class, part) is not getattr(rest_framework.FilterSet, part) for part in _FILTERSET_PARTS):
        return False
    return all(_passes_when_absent(found) for found in named.values())


def _passes_when_absent(found: django_filters.Filter) -> bool:
    if found.extra.get("required"):
        return False
    if isinstance(found.filter, django_filters.filters.FilterMethod):  # `method=`: skips empty values itself
        return True
    return type(found).filter in _PASSING_FILTERS


def ordering_fields(queryset, view, request) -> list[str]:
    """The fields `?ordering=` sorts `view`'s list by, as DRF's OrderingFilter reads them."""
    return [name for name, _label in filters.OrderingFilter().get_valid_fields(queryset, view, {"request": request})]


def _ordering_help(fields: list[str]) -> str:
    if not fields:
        return _("This list keeps its own order and cannot be sorted.")
    return _(
        "Sort by %(fields)s; a leading “-” sorts descending (“-%(first)s”), commas join several (“%(example)s”)."
    ) % {
        "fields": get_text_list([f"`{field}`" for field in fields], _("or")),
        "first": fields[0],
        "example": ",".join([f"-{fields[0]}", *fields[1:2]]),
    }


ordering_help = lazy(_ordering_help, str)


def check_ordering(request, queryset, view) -> None:
    param = filters.OrderingFilter.ordering_param
    value = request.query_params.get(param)
    if not value:
        return
    fields = ordering_fields(queryset, view, request)
    if any(term.strip().removeprefix("-") not in fields for term in value.split(",")):
        raise serializers.ValidationError({param: [ordering_help(fields)]})


PERIOD_HELP = {
    "period": _("By `%(name)s` (%(field)s): only rows in this period, counted in the project's time zone."),
    "date_after": _("By `%(name)s` (%(field)s): only rows of this day or later."),
    "date_before": _("By `%(name)s` (%(field)s): only rows of this day or earlier."),
}


def _format(template, **values) -> str:
    return template % values


lazy_format = lazy(_format, str)


class PeriodFilterSet(FilterSet):
    """Adds `period`, `date_after` and `date_before` over the field named by `date_field`.

    Days are whole days of the project's time zone; `date_before` includes its day.
    """

    date_field = "created_at"

    period = django_filters.ChoiceFilter(choices=PERIOD_CHOICES, method="filter_period", label=_("Period"))
    date_after = DateFilter(method="filter_date_after", label=_("From date"))
    date_before = DateFilter(method="filter_date_before", label=_("To date (inclusive)"))

    @classmethod
    def get_filters(cls):
        """The period filters, each telling which date of the rows it reads."""
        found = super().get_filters()
        model = cls._meta.model
        field = model._meta.get_field(cls.date_field).verbose_name if model else cls.date_field.replace("_", " ")
        for name, text in PERIOD_HELP.items():
            found[name] = deepcopy(found[name])
            found[name].extra["help_text"] = lazy_format(text, name=cls.date_field, field=field)
        return found

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


# Filters whose `filter()` returns the queryset as it is for an absent parameter (its value empty).
_PASSING_FILTERS = {
    django_filters.Filter.filter,
    django_filters.ChoiceFilter.filter,
    django_filters.MultipleChoiceFilter.filter,
    TargetFilter.filter,
}
