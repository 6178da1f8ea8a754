import django_filters
from django.utils.translation import gettext_lazy as _

from crm.api.filters import DateFilter, FilterSet, IdFilter
from crm.api.periods import PERIOD_CHOICES, period_bounds
from timetracker.models import WorkPeriod


class WorkPeriodFilter(FilterSet):
    """Work periods by user and by day: `period` presets or `date_after`/`date_before` (both inclusive)."""

    user = IdFilter(field_name="user_id", label=_("User"))
    period = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES,
        method="filter_period",
        label=_("Period"),
        help_text=_("By `day` (the working day): only rows in this period, counted in the project's time zone."),
    )
    date_after = DateFilter(
        field_name="day", lookup_expr="gte", label=_("From date"), help_text=_("By `day`: this day or later.")
    )
    date_before = DateFilter(
        field_name="day",
        lookup_expr="lte",
        label=_("To date (inclusive)"),
        help_text=_("By `day`: this day or earlier."),
    )

    class Meta:
        model = WorkPeriod
        fields = ["finished"]

    def filter_period(self, queryset, name, value):
        start, end = period_bounds(value)
        return queryset.filter(day__gte=start.date(), day__lt=end.date())


class ReportFilter(WorkPeriodFilter):
    group_by = django_filters.ChoiceFilter(
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        method="filter_nothing",
        label=_("Group by"),
        empty_label=None,
    )

    def filter_nothing(self, queryset, name, value):
        return queryset
