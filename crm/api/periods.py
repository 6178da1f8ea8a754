"""Named periods ("today", "this week", ...) computed in the project's time zone."""

from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERIOD_CHOICES = [
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("week", _("This week")),
    ("month", _("This month")),
    ("year", _("This year")),
]


def _start_of_day(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def period_bounds(name: str, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Return [start, end) of the named period, as aware datetimes in the current time zone."""
    today = timezone.localdate(now or timezone.now())
    if name == "today":
        first, after = today, today + timedelta(days=1)
    elif name == "yesterday":
        first, after = today - timedelta(days=1), today
    elif name == "week":
        first = today - timedelta(days=today.weekday())
        after = first + timedelta(days=7)
    elif name == "month":
        first = today.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    elif name == "year":
        first, after = today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1)
    else:
        raise ValueError(f"unknown period {name!r}")
    return _start_of_day(first), _start_of_day(after)


def day_bounds(day) -> tuple[datetime, datetime]:
    return _start_of_day(day), _start_of_day(day + timedelta(days=1))
