import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm.api.parsing import BooleanField, BoundedDateField
from crm.api.periods import PERIOD_CHOICES, period_bounds
from crm.api.serializers import date_range


class CalendarQuerySerializer(serializers.Serializer):
    """`?source=&period=&date=` or `?source=&date_after=&date_before=`; a week around today by default."""

    source = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Comma-separated sources; all of them when empty.")
    )
    period = serializers.ChoiceField(
        choices=PERIOD_CHOICES,
        required=False,
        help_text=_("The period around `date` whose entries are shown, by each entry's own day; a week by default."),
    )
    date = BoundedDateField(required=False, help_text=_("A day inside the period; today by default."))
    date_after = BoundedDateField(required=False, help_text=_("First day."))
    date_before = BoundedDateField(required=False, help_text=_("Last day (inclusive)."))
    mine = BooleanField(required=False, default=False, help_text=_("1: only what is mine, not my team's."))

    def validate(self, attrs):
        given = date_range(attrs)
        if given:
            first, last = given
        else:
            anchor = attrs.get("date") or timezone.localdate()
            noon = timezone.make_aware(datetime.datetime.combine(anchor, datetime.time(12)))
            start, end = period_bounds(attrs.get("period") or "week", now=noon)
            first, last = timezone.localdate(start), timezone.localdate(end) - datetime.timedelta(days=1)
        if (last - first).days + 1 > settings.CALENDAR_MAX_DAYS:
            raise serializers.ValidationError(
                {"date_before": [_("A calendar covers at most %(days)s days.") % {"days": settings.CALENDAR_MAX_DAYS}]}
            )
        attrs["first"], attrs["last"] = first, last
        return attrs


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    start = serializers.SerializerMethodField(help_text=_("A date for all-day events, else a date-time."))
    end = serializers.SerializerMethodField(help_text=_("Exclusive; null for a moment."))
    all_day = serializers.BooleanField()
    link = serializers.CharField(help_text=_("API path of the object."))
    status = serializers.CharField()

    @staticmethod
    def _moment(value) -> str | None:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).isoformat()
        return value.isoformat()

    def get_start(self, event) -> str:
        return self._moment(event.start)

    def get_end(self, event) -> str | None:
        return self._moment(event.end)


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    events = EventSerializer(many=True)


class CalendarSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    time_zone = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    days = DaySerializer(many=True)


class FeedTokenRequestSerializer(serializers.Serializer):
    source = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Comma-separated sources of the feed; all of them when empty.")
    )


class FeedTokenSerializer(serializers.Serializer):
    url = serializers.CharField(help_text=_("The feed address to subscribe to; shown only once."))
    sources = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()


class FeedQuerySerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
