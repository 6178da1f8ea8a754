"""Deals in the calendar: the moment a deal was opened and, once decided, the moment it was won or failed."""

from django.db.models import Q
from django.utils.translation import gettext as _

from calendars.registry import CalendarEvent
from deals.models import DealStatus
from deals.selectors import deals_visible


def deal_events(*, user, start, end, mine=False):
    queryset = deals_visible(user=user)
    if mine:
        queryset = queryset.filter(Q(responsible=user) | Q(created_by=user))
    opened = Q(created_at__gte=start, created_at__lt=end)
    closed = Q(closed_at__gte=start, closed_at__lt=end)
    rows = queryset.filter(opened | closed).order_by("created_at", "id")
    titles = {
        "opened": _("Deal opened: %(title)s"),
        DealStatus.WON: _("Deal won: %(title)s"),
        DealStatus.FAILED: _("Deal failed: %(title)s"),
    }
    for pk, title, status, created_at, closed_at in rows.values_list(
        "id", "title", "status", "created_at", "closed_at"
    ):
        link = f"/api/deals/{pk}/"
        if start <= created_at < end:
            yield CalendarEvent(
                kind="deal",
                title=titles["opened"] % {"title": title},
                start=created_at,
                end=None,
                link=link,
                status="opened",
                uid=f"deal-{pk}-opened",
            )
        if closed_at and start <= closed_at < end and status in titles:
            yield CalendarEvent(
                kind="deal",
                title=titles[status] % {"title": title},
                start=closed_at,
                end=None,
                link=link,
                status=status,
                uid=f"deal-{pk}-closed",
            )
