from datetime import datetime

from django.db.models import QuerySet

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


def caller_card(*, call: Call, open_deals: int = 5) -> dict:
    """Who is calling, for the live panel before anyone answers: the contact or lead, last order, open deals."""
    card = {"contact": call.contact, "lead": call.lead, "last_order": None, "open_deals": []}
    if call.contact_id:
        card["last_order"] = Order.objects.filter(contact_id=call.contact_id).order_by("-ordered_at", "-id").first()
        card["open_deals"] = list(
            Deal.objects.filter(contact_id=call.contact_id, status=DealStatus.OPEN)
            .select_related("stage")
            .order_by("-created_at", "-id")[:open_deals]
        )
    return card
