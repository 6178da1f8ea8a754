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
    for deal in rows.only("id", "title", "status", "created_at", "closed_at"):
        link = f"/api/deals/{deal.pk}/"
        if start <= deal.created_at < end:
            yield CalendarEvent(
                kind="deal",
                title=_("Deal opened: %(title)s") % {"title": deal.title},
                start=deal.created_at,
                end=None,
                link=link,
                status="opened",
                uid=f"deal-{deal.pk}-opened",
            )
        if deal.closed_at and start <= deal.closed_at < end and deal.status != DealStatus.OPEN:
            won = deal.status == DealStatus.WON
            title = _("Deal won: %(title)s") if won else _("Deal failed: %(title)s")
            yield CalendarEvent(
                kind="deal",
                title=title % {"title": deal.title},
                start=deal.closed_at,
                end=None,
                link=link,
                status=deal.status,
                uid=f"deal-{deal.pk}-closed",
            )
