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
    rows = queryset.order_by("birth_date__month", "birth_date__day", "id").values_list(
        "id", "last_name", "first_name", "patronymic", "email", "birth_date"
    )
    template = _("Birthday: %(name)s (%(age)s)")
    for pk, last_name, first_name, patronymic, email, born in rows:
        # As Contact.__str__ names a contact.
        name = " ".join(part for part in (last_name, first_name, patronymic) if part) or email or f"#{pk}"
        for year in range(first.year, last.year + 1):
            day = _birthday_in(year, born)
            if first <= day <= last and day >= born:
                yield CalendarEvent(
                    kind="birthday",
                    title=template % {"name": name, "age": year - born.year},
                    start=day,
                    end=day + datetime.timedelta(days=1),
                    link=f"/api/contacts/{pk}/",
                    status="",
                    uid=f"birthday-{pk}-{year}",
                )
