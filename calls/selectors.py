from datetime import datetime

from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from calendars.registry import CalendarEvent
from calls.models import Call
from deals.models import Deal, DealStatus, Order
from users.selectors import scope_to_owners


def calls_visible(*, user) -> QuerySet[Call]:
    """Calls `user` or their subordinates took; the owner and admins see all (SPEC.md section 3)."""
    return scope_to_owners(Call.objects.all(), user=user, fields=("employee",))


def call_list(*, user) -> QuerySet[Call]:
    return calls_visible(user=user).select_related("employee", "contact", "lead")


def call_calendar_events(*, user, start: datetime, end: datetime) -> QuerySet[Call]:
    """Calls as calendar events: the ones `user` may see that started in [start, end)."""
    return call_list(user=user).filter(started_at__gte=start, started_at__lt=end)


def call_events(*, user, start: datetime, end: datetime, mine: bool = False) -> list[CalendarEvent]:
    """The calendar source: each call from its start to its end, titled by the other party's number."""
    calls = calls_visible(user=user).filter(started_at__gte=start, started_at__lt=end)
    if mine:
        calls = calls.filter(employee=user)
    rows = calls.order_by("started_at", "id").values_list("id", "type", "external_number", "started_at", "ended_at")
    return [
        CalendarEvent(
            kind="call",
            title=f"{kind} {number}".strip(),
            start=started_at,
            end=ended_at,
            link=f"/api/calls/{pk}/",
            status=kind,
        )
        for pk, kind, number, started_at, ended_at in rows
    ]


def call_figures(*, user_ids, start: datetime, end: datetime) -> dict[int, dict]:
    """Calls and talk time per employee over [start, end), for the dashboard, in one grouped query."""
    rows = (
        Call.objects.filter(employee_id__in=user_ids, started_at__gte=start, started_at__lt=end)
        .values("employee_id")
        .annotate(calls=Count("id"), talk_seconds=Coalesce(Sum("talk_seconds"), 0))
    )
    return {row["employee_id"]: {"calls": row["calls"], "talk_seconds": row["talk_seconds"]} for row in rows}


def center_recent_calls(*, user, limit: int) -> dict:
    """The communication centre's recent calls: the user's own, newest first."""
    from users.center import first_rows

    mine = calls_visible(user=user).filter(employee=user).order_by("-started_at", "-id")
    return first_rows(mine, "id", "type", "external_number", "started_at", "disposition", "contact_id", limit=limit)


def caller_card(*, call: Call, open_deals: int = 5, cards: dict | None = None) -> dict:
    """Who is calling, for the live panel before anyone answers: the contact or lead, last order, open deals.

    `cards`, from `caller_cards`, holds the last order and open deals of many contacts read at once.
    """
    card = {"contact": call.contact, "lead": call.lead, "last_order": None, "open_deals": []}
    if call.contact_id:
        if cards is None or call.contact_id not in cards:
            cards = caller_cards(contact_ids=[call.contact_id], open_deals=open_deals)
        card.update(cards[call.contact_id])
    return card


def caller_cards(*, contact_ids, open_deals: int = 5) -> dict[int, dict]:
    """The last order and the newest open deals of each contact: two queries for any number of contacts."""
    cards = {pk: {"last_order": None, "open_deals": []} for pk in contact_ids}
    if not cards:
        return cards
    orders = Order.objects.filter(contact_id__in=cards).order_by("contact_id", "-ordered_at", "-id")
    if connection.vendor == "postgresql":
        orders = orders.distinct("contact_id")  # one row a contact; elsewhere the first of each is kept below
    for order in orders:
        if cards[order.contact_id]["last_order"] is None:
            cards[order.contact_id]["last_order"] = order
    deals = (
        Deal.objects.filter(contact_id__in=cards, status=DealStatus.OPEN)
        .select_related("stage")
        .order_by("contact_id", "-created_at", "-id")
    )
    for deal in deals:  # open deals are few a contact: the newest few of each are kept
        if len(cards[deal.contact_id]["open_deals"]) < open_deals:
            cards[deal.contact_id]["open_deals"].append(deal)
    return cards
