import datetime
from itertools import chain

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from calendars import registry
from calendars.registry import CalendarEvent
from crm.api.periods import day_bounds


def parse_sources(value: str | None) -> list[str]:
    """`tasks,deals` → ["tasks", "deals"]; empty → every source; a name with no dated source → 400."""
    names = [name.strip() for name in (value or "").split(",") if name.strip()]
    if not names:
        return registry.names()
    unknown = [name for name in names if registry.get(name) is None]
    if unknown:
        raise ValidationError(
            {
                "source": [
                    _("%(source)s: this data has no date. Dated sources: %(known)s.")
                    % {"source": name, "known": ", ".join(registry.names())}
                    for name in unknown
                ]
            }
        )
    return list(dict.fromkeys(names))


def feed_sources(stored: str) -> list[str]:
    """The sources a feed token names that still exist (an app may be gone since); all of them when none."""
    names = [name for name in stored.split(",") if registry.get(name) is not None]
    return names or registry.names()


def calendar_events(*, user, sources: list[str], start, end, mine: bool = False) -> list[CalendarEvent]:
    return list(
        chain.from_iterable(registry.get(name).events(user=user, start=start, end=end, mine=mine) for name in sources)
    )


def _local_days(event: CalendarEvent, zone) -> tuple[datetime.date, datetime.date]:
    """The first and last local day an event covers (its end is exclusive)."""
    if event.all_day:
        last = event.end - datetime.timedelta(days=1) if event.end and event.end > event.start else event.start
        return event.start, last
    first = event.start.astimezone(zone).date()
    if event.end is None or event.end <= event.start:
        return first, first
    return first, (event.end - datetime.timedelta(microseconds=1)).astimezone(zone).date()


def _sort_key(event: CalendarEvent):
    moment = event.start if not event.all_day else None
    return (not event.all_day, moment.timestamp() if moment else 0, event.kind, event.title)


def calendar_days(events: list[CalendarEvent], *, first: datetime.date, last: datetime.date) -> list[dict]:
    """Every local day from `first` to `last` with its bounds (23 or 25 hours on a DST change) and its events."""
    days = {}
    day = first
    while day <= last:
        start, end = day_bounds(day)
        days[day] = {"date": day, "start": start, "end": end, "events": []}
        day += datetime.timedelta(days=1)
    zone = timezone.get_current_timezone()
    for event in events:
        event_first, event_last = _local_days(event, zone)
        day = max(event_first, first)
        while day <= min(event_last, last):
            days[day]["events"].append(event)
            day += datetime.timedelta(days=1)
    for entry in days.values():
        entry["events"].sort(key=_sort_key)
    return list(days.values())


def _moment(value, zone) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(zone).isoformat()
    return value.isoformat()


def event_as_dict(event: CalendarEvent, zone) -> dict:
    """An event as the API shows it (the shape `calendars.serializers.EventSerializer` documents)."""
    return {
        "kind": event.kind,
        "title": event.title,
        "start": _moment(event.start, zone),
        "end": _moment(event.end, zone),
        "all_day": event.all_day,
        "link": event.link,
        "status": event.status,
    }
