"""The calendar as an iCalendar (RFC 5545) document, for Google Calendar, Outlook and other subscribers."""

import datetime

import icalendar
from django.conf import settings
from django.utils import timezone

from calendars.registry import CalendarEvent


def render_feed(events: list[CalendarEvent], *, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//CRM//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", f"{event.identifier}@{settings.SITE_URL.split('://')[-1]}")
        entry.add("dtstamp", stamp)
        entry.add("summary", event.title)
        entry.add("dtstart", event.start)
        if event.end is not None and event.end > event.start:
            entry.add("dtend", event.end)
        elif event.all_day:
            entry.add("dtend", event.start + datetime.timedelta(days=1))
        entry.add("categories", [event.kind])
        if event.status:
            entry.add("x-crm-status", event.status)
        entry.add("url", settings.SITE_URL + event.link)
        calendar.add_component(entry)
    return calendar.to_ical()
