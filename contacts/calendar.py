"""Contacts' birthdays in the calendar, on the same day every year (29 February on the 28th in other years)."""

import datetime

from django.utils.translation import gettext as _

from calendars.registry import CalendarEvent, day_span
from contacts.selectors import contacts_visible


def _birthday_in(year: int, born: datetime.date) -> datetime.date:
    try:
        return born.replace(year=year)
    except ValueError:
        return datetime.date(year, 2, 28)


def birthday_events(*, user, start, end, mine=False):
    first, last = day_span(start, end)
    months, day = set(), first
    while day <= last and len(months) < 12:
        months.add(day.month)
        day = (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    queryset = contacts_visible(user=user).filter(birth_date__isnull=False, birth_date__month__in=months)
    if mine:
        queryset = queryset.filter(responsible=user)
    contacts = queryset.order_by("birth_date__month", "birth_date__day", "id").only(
        "id", "first_name", "last_name", "patronymic", "email", "birth_date"
    )
    for contact in contacts:
        for year in range(first.year, last.year + 1):
            day = _birthday_in(year, contact.birth_date)
            if first <= day <= last and day >= contact.birth_date:
                yield CalendarEvent(
                    kind="birthday",
                    title=_("Birthday: %(name)s (%(age)s)") % {"name": contact, "age": year - contact.birth_date.year},
                    start=day,
                    end=day + datetime.timedelta(days=1),
                    link=f"/api/contacts/{contact.pk}/",
                    status="",
                    uid=f"birthday-{contact.pk}-{year}",
                )
