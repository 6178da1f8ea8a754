"""The dated sources the calendar can show, and the event each of them yields.

An app registers its source in one line of its AppConfig.ready():

    calendars.registry.register("tasks", events=task_events)

`events` is called with keyword arguments and returns an iterable of `CalendarEvent`:

    def task_events(*, user, start, end, mine=False): ...

- `user`: the caller; yield only what they may see (SPEC.md section 3), through the app's selector.
- `start`, `end`: aware datetimes, the range [start, end) in the project's time zone.
  Yield every event that overlaps it (an event spanning several days shows on each of them).
- `mine`: true when the caller asked for their own items only (`?mine=1`): what they are
  responsible for, created or accepted, not their subordinates'.

The function must run a fixed number of queries whatever the number of events.
A name nobody registered is answered "this data has no date", so an undated
model (contacts, products) is refused by simply never being registered.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CalendarEvent:
    """One entry of a calendar.

    `start`/`end` are aware datetimes, or dates for all-day events (a task's day, a
    birthday); `end` is exclusive and may be None for a moment in time. `link` is the
    API path of the object, e.g. "/api/tasks/12/". `uid` tells apart events of one
    object (the occurrences of a repeated task); it defaults to kind + link + start.
    """

    kind: str
    title: str
    start: datetime.datetime | datetime.date
    end: datetime.datetime | datetime.date | None
    link: str
    status: str = ""
    uid: str = ""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime.datetime)

    @property
    def identifier(self) -> str:
        return self.uid or f"{self.kind}:{self.link}:{self.start.isoformat()}"


EventsFunction = Callable[..., Iterable[CalendarEvent]]


@dataclass(frozen=True)
class Source:
    name: str
    events: EventsFunction
    label: str


_sources: dict[str, Source] = {}


def register(name: str, *, events: EventsFunction, label=None) -> None:
    """Make `name` a calendar source (`?source=name`); registering a name twice replaces it."""
    _sources[name] = Source(name=name, events=events, label=label or name)


def get(name: str) -> Source | None:
    return _sources.get(name)


def names() -> list[str]:
    return sorted(_sources)


def day_span(start: datetime.datetime, end: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The first and last local days (both included) of the range [start, end), for sources dated by day."""
    from django.utils import timezone

    return timezone.localdate(start), timezone.localdate(end - datetime.timedelta(microseconds=1))
