"""Writes of the calls app: the one upsert every Binotel path goes through, linking, live pushes."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from calls.models import Call, CallType, ListenerState
from calls.serializers import CallerSerializer, CallSerializer
from contacts.models import ContactEvent, EventType, Phone
from crm.broadcast import broadcast_many, user_group
from leads.models import Lead, LeadSource
from users.models import User
from users.selectors import user_managers

logger = logging.getLogger(__name__)

STREAM = "calls"
# The owner and admins hear every call, so their sockets also join this group.
EVERYONE_GROUP = "calls.all"

# Fields a piece of a call may bring; empty values never erase what another piece brought.
MERGED_FIELDS = (
    "type",
    "internal_number",
    "external_number",
    "started_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "disposition",
    "recording_status",
)


@dataclass
class CallPiece:
    """What one event, webhook or REST record says about a call."""

    binotel_id: str
    fields: dict = field(default_factory=dict)
    employee_email: str = ""
    ringing_numbers: list[str] = field(default_factory=list)


def call_upsert(
    *, piece: CallPiece, push: bool = True, audiences: dict | None = None, pushes: list | None = None
) -> tuple[Call, bool]:
    """Merge `piece` into its call (created if new); return the call and whether anything changed.

    Any order and any repetition of pieces gives the same row: a field is set by
    the piece that knows it and never cleared by one that does not. `audiences` may
    carry who hears whose calls across the upserts of one batch; `pushes`, when given,
    collects the pushes for the caller to send together (`broadcast_many`) instead of
    sending them from here.
    """
    with transaction.atomic():
        locked = Call.objects.select_for_update(of=("self",)).select_related("employee", "contact", "lead")
        call = locked.filter(binotel_id=piece.binotel_id).first()
        created = call is None
        if created:
            call = Call(binotel_id=piece.binotel_id)
        was_finished, had_contact = call.is_finished, call.contact_id
        changed = _merge(call, piece.fields)
        changed |= _derive(call)
        if piece.employee_email or "internal_number" in changed:
            changed |= _match_employee(call, email=piece.employee_email)
        if call.contact_id is None and call.external_number:
            changed |= _match_contact(call)
        if call.contact_id is None and call.lead_id is None and call.external_number:
            changed |= _match_lead(call)
        if created:
            try:
                with transaction.atomic():
                    call.save(force_insert=True)
            except IntegrityError:  # another worker stored this call a moment ago: merge into theirs
                return call_upsert(piece=piece, push=push, audiences=audiences, pushes=pushes)
        elif changed:
            call.save(update_fields=[*sorted(changed), "updated_at"])
        if call.is_finished and call.contact_id and (not was_finished or call.contact_id != had_contact):
            _add_contact_event(call)
        if push and (created or changed or piece.ringing_numbers):
            made = _pushes(
                call, ringing_numbers=piece.ringing_numbers, audiences={} if audiences is None else audiences
            )
            if pushes is None:
                broadcast_many(made)
            else:
                pushes.extend(made)
    return call, bool(created or changed)


def _merge(call: Call, fields: dict) -> set[str]:
    changed = set()
    for name in MERGED_FIELDS:
        value = fields.get(name)
        if value in (None, "") or getattr(call, name) == value:
            continue
        setattr(call, name, value)
        changed.add(name)
    return changed


def _derive(call: Call) -> set[str]:
    """Fill what follows from what is known: REST gives start, wait and talk; the stream gives moments."""
    changed = set()
    if call.wait_seconds is None and call.started_at and call.answered_at:
        call.wait_seconds = max(0, int((call.answered_at - call.started_at).total_seconds()))
        changed.add("wait_seconds")
    if call.answered_at is None and call.started_at and call.wait_seconds is not None and call.talk_seconds:
        call.answered_at = call.started_at + timedelta(seconds=call.wait_seconds)
        changed.add("answered_at")
    if call.ended_at is None and call.started_at and call.wait_seconds is not None and call.talk_seconds is not None:
        call.ended_at = call.started_at + timedelta(seconds=call.wait_seconds + call.talk_seconds)
        changed.add("ended_at")
    return changed


def _match_employee(call: Call, *, email: str) -> set[str]:
    """By the email Binotel names (reliable) or else by the internal number (reassigned over time)."""
    if not email and not call.internal_number:
        return set()
    condition = Q()
    if email:
        condition |= Q(email__iexact=email)
    if call.internal_number:
        condition |= Q(internal_number=call.internal_number)
    candidates = list(User.objects.filter(condition, is_active=True).order_by("id")[:5])
    chosen = next((u for u in candidates if email and u.email.lower() == email.lower()), None)
    chosen = chosen or next(iter(candidates), None)
    if chosen is None or chosen.pk == call.employee_id:
        return set()
    call.employee = chosen
    return {"employee"}


def _match_contact(call: Call) -> set[str]:
    phone = Phone.objects.select_related("contact").filter(number=call.external_number).first()
    if phone is None:
        return set()
    call.contact = phone.contact
    return {"contact"}


def _match_lead(call: Call) -> set[str]:
    """A call from a number no contact has belongs to the lead with that number; incoming ones make one."""
    lead = Lead.objects.filter(phone=call.external_number).order_by("-created_at", "-id").first()
    if lead is None:
        if not (settings.BINOTEL_CREATE_LEADS and call.type == CallType.INCOMING):
            return set()
        # Made once someone answered (they become responsible) or nobody did; not while it rings.
        if call.employee_id is None and not call.is_finished:
            return set()
        from leads.services import lead_create  # leads.services imports contacts' services; keep the import late

        lead = lead_create(
            actor=None,
            data={
                "name": call.external_number,
                "phone": call.external_number,
                "source": LeadSource.PHONE,
                "responsible": call.employee,
            },
        )
    call.lead = lead
    return {"lead"}


def _add_contact_event(call: Call) -> None:
    if ContactEvent.objects.filter(contact_id=call.contact_id, call_id=call.binotel_id).exists():
        return
    ContactEvent.objects.create(
        contact_id=call.contact_id,
        type=EventType.CALL,
        occurred_at=call.started_at or call.ended_at,
        call_id=call.binotel_id,
    )


def calls_link_numbers(*, contact, numbers: Iterable[str]) -> int:
    """Link the calls from `numbers` that no contact had to `contact`, now that it has them."""
    numbers = list(numbers)
    if not numbers:
        return 0
    with transaction.atomic():
        calls = list(Call.objects.select_for_update().filter(external_number__in=numbers, contact__isnull=True))
        if not calls:
            return 0
        Call.objects.filter(pk__in=[c.pk for c in calls]).update(contact=contact)
        known = set(
            ContactEvent.objects.filter(contact=contact, call_id__in=[c.binotel_id for c in calls]).values_list(
                "call_id", flat=True
            )
        )
        ContactEvent.objects.bulk_create(
            ContactEvent(
                contact=contact,
                type=EventType.CALL,
                occurred_at=c.started_at or c.ended_at,
                call_id=c.binotel_id,
            )
            for c in calls
            if c.is_finished and c.binotel_id not in known
        )
    return len(calls)


def _audience(call: Call, ringing_numbers: list[str], audiences: dict) -> set[int]:
    """The call's employee, the extensions it rings, and the managers of each: user ids, memoised in `audiences`."""
    key = (call.employee_id, tuple(sorted(ringing_numbers)))
    if key not in audiences:
        employees = {call.employee} if call.employee_id else set()
        if ringing_numbers:
            employees |= set(User.objects.filter(internal_number__in=ringing_numbers, is_active=True))
        audience = {employee.pk for employee in employees}
        for employee in employees:
            audience |= set(user_managers(user=employee).values_list("pk", flat=True))
        audiences[key] = audience
    return audiences[key]


def _pushes(call: Call, *, ringing_numbers: list[str], audiences: dict) -> list[tuple[str, str, dict]]:
    payload = {"call": CallSerializer(call).data}
    if call.type == CallType.INCOMING and call.answered_at is None and not call.is_finished:
        from calls.selectors import caller_card

        payload["caller"] = CallerSerializer(caller_card(call=call)).data
    groups = {EVERYONE_GROUP} | {user_group(STREAM, user_id) for user_id in _audience(call, ringing_numbers, audiences)}
    return [(group, "call.updated", payload) for group in sorted(groups)]


def listener_state_set(*, name: str, **values) -> None:
    ListenerState.objects.update_or_create(name=name, defaults=values)


def checkpoint_get(*, name: str) -> datetime | None:
    return ListenerState.objects.filter(name=name).values_list("checkpoint", flat=True).first()
