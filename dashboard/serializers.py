import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.api.parsing import BoundedDateField
from crm.api.periods import PERIOD_CHOICES, day_bounds, period_bounds
from crm.api.serializers import date_range
from dashboard.metrics import DERIVED_FIELDS, SUMMED_FIELDS
from dashboard.models import MonthlyAnalytics

MAX_RANGE_DAYS = 3660


class MetricsQuerySerializer(serializers.Serializer):
    start_date = BoundedDateField(help_text=_("First day; its whole month is counted."))
    end_date = BoundedDateField(help_text=_("Last day (inclusive)."))

    def validate(self, attrs):
        if attrs["start_date"] > attrs["end_date"]:
            raise serializers.ValidationError({"end_date": [_("The range ends before it starts.")]})
        if (attrs["end_date"] - attrs["start_date"]).days > MAX_RANGE_DAYS:
            raise serializers.ValidationError({"end_date": [_("A range covers at most ten years.")]})
        return attrs


class MonthSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text=_("YYYY-MM"))

    class Meta:
        model = MonthlyAnalytics
        fields = ["month", *SUMMED_FIELDS, *DERIVED_FIELDS, "currency"]

    def get_month(self, row) -> str:
        return f"{row.month:%Y-%m}"


def _totals_fields():
    fields = {"months": serializers.IntegerField()}
    for name in SUMMED_FIELDS:
        model_field = MonthlyAnalytics._meta.get_field(name)
        if hasattr(model_field, "decimal_places"):
            fields[name] = serializers.DecimalField(max_digits=20, decimal_places=2)
        else:
            fields[name] = serializers.IntegerField()
    for name in DERIVED_FIELDS:
        fields[name] = serializers.DecimalField(max_digits=20, decimal_places=6, allow_null=True)
    return fields


TotalsSerializer = type("TotalsSerializer", (serializers.Serializer,), _totals_fields())


class MetricsSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    months = MonthSerializer(many=True)
    totals = TotalsSerializer()


class PeriodQuerySerializer(serializers.Serializer):
    """`?period=` or `?date_after=&date_before=` (days of the project's time zone); this month by default."""

    period = serializers.ChoiceField(
        choices=PERIOD_CHOICES,
        required=False,
        help_text=_(
            "The period the figures cover, by each figure's own date (a deal's closing, a call's start, "
            "a task's planned day); this month by default."
        ),
    )
    date_after = BoundedDateField(required=False, help_text=_("First day."))
    date_before = BoundedDateField(required=False, help_text=_("Last day (inclusive)."))

    def validate(self, attrs):
        given = date_range(attrs)
        if given:
            after, before = given
            if (before - after).days > MAX_RANGE_DAYS:
                raise serializers.ValidationError({"date_before": [_("A range covers at most ten years.")]})
            attrs["start"], attrs["end"] = day_bounds(after)[0], day_bounds(before)[1]
        else:
            attrs["start"], attrs["end"] = period_bounds(attrs.get("period") or "month")
        attrs["first"] = timezone.localdate(attrs["start"])
        attrs["last"] = timezone.localdate(attrs["end"]) - datetime.timedelta(days=1)
        return attrs


class EmployeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(source="get_full_name")


class EmployeeFiguresSerializer(serializers.Serializer):
    user = EmployeeSerializer()
    first = serializers.DateField(help_text=_("First day of the period."))
    last = serializers.DateField(help_text=_("Last day of the period."))
    deals_won = serializers.IntegerField()
    deals_won_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    deals_failed = serializers.IntegerField()
    deals_failed_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    leads_converted = serializers.IntegerField()
    calls = serializers.IntegerField(help_text=_("Calls of the employee; zero while no telephony is connected."))
    talk_seconds = serializers.IntegerField()
    tasks_done = serializers.IntegerField()
    tasks_overdue = serializers.IntegerField(help_text=_("Planned in the period, past, and still open."))
    seconds_worked = serializers.IntegerField()
    hours_worked = serializers.FloatField()
