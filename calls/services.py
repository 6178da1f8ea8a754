"""Writes of the calls app: the one upsert every Binotel path goes through, linking, live pushes."""

import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from calls.models import Call, CallType, ListenerState
from calls.serializers import CallerSerializer, CallSerializer
from contacts.models import ContactEvent, EventType, Phone
from crm.realtime.broadcast import broadcast_many, user_group
from crm.webhooks import outbox
from crm.workers.bulk import bulk_insert, bulk_upsert
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


class Batch:
    """What the upserts of one batch share, read once for all of its pieces.

    Their calls (locked), the active employees, contacts and leads their numbers and emails point
    at, the contact events the calls already have, who hears whose calls, one serializer, and the
    pushes and new contact events, written by `finish()` once the pieces are applied. Build it
    inside the transaction that applies the pieces.
    """

    def __init__(self, pieces: list[CallPiece], *, single: bool = False):
        # A batch of many pieces runs in its caller's transaction without savepoints: a clash with
        # another worker fails the whole batch, and the caller applies its pieces one by one.
        self.single = single
        self.ids = {piece.binotel_id for piece in pieces}
        self.calls = {call.binotel_id: call for call in _locked().filter(binotel_id__in=self.ids)}
        numbers = {piece.fields.get("external_number") for piece in pieces}
        numbers |= {call.external_number for call in self.calls.values()}
        self.numbers = numbers - {None, ""}
        self.contacts = {
            phone.number: phone.contact
            for phone in Phone.objects.select_related("contact").filter(number__in=self.numbers).order_by()
        }
        internal = {piece.fields.get("internal_number") for piece in pieces}
        internal |= {call.internal_number for call in self.calls.values()}
        self.internal_numbers = internal - {None, ""}
        self.emails = {piece.employee_email.lower() for piece in pieces if piece.employee_email}
        self.new_events: list[ContactEvent] = []
        self.new: dict[str, Call] = {}  # inserted at the end
        self.changed: dict[str, set[str]] = {}  # binotel id -> fields to write at the end
        self.pending: list[tuple[Call, Call, list[str]]] = []  # (the call as a piece left it, the call, ringing)
        self.ended: list[Call] = []  # the calls this batch brought to their end, for the `call.ended` webhook
        self.cards: dict | None = None
        self.audiences: dict = {}
        self.pushes: list[tuple[str, str, dict]] = []
        # Built once a batch: DRF builds a serializer's fields anew for every instance it is given.
        self.call_serializer, self.caller_serializer = CallSerializer(), CallerSerializer()

    # Read on first use only: a batch of calls that only start needs no contact events, say.

    @cached_property
    def leads(self) -> dict[str, Lead]:
        leads: dict[str, Lead] = {}
        for lead in Lead.objects.filter(phone__in=self.numbers - set(self.contacts)).order_by("-created_at", "-id"):
            leads.setdefault(lead.phone, lead)
        return leads

    @cached_property
    def employees(self) -> tuple[dict[str, User], dict[str, User]]:
        """Active users by internal number and by email (lower case), the first by id for each."""
        by_internal: dict[str, User] = {}
        by_email: dict[str, User] = {}
        users = User.objects.annotate(email_key=Lower("email")).filter(
            Q(internal_number__in=self.internal_numbers) | Q(email_key__in=self.emails), is_active=True
        )
        for user in users.order_by("id"):
            if user.internal_number:
                by_internal.setdefault(user.internal_number, user)
            by_email.setdefault(user.email_key, user)
        return by_internal, by_email

    @cached_property
    def events(self) -> set[tuple[int, str]]:
        return set(ContactEvent.objects.filter(call_id__in=self.ids).values_list("contact_id", "call_id"))

    def caller_card(self, call: Call) -> dict:
        from calls.selectors import caller_card, caller_cards  # the selectors import the calendars' registry

        if self.cards is None:
            contacts = {contact.pk for contact in self.contacts.values()}
            contacts |= {c.contact_id for c in self.calls.values() if c.contact_id}
            self.cards = caller_cards(contact_ids=contacts)
        return caller_card(call=call, cards=self.cards)

    def finish(self) -> None:
        """Write the new and changed calls, queue `call.ended` for the ones that ended, write the new contact
        events, and send the pushes (after the commit).

        Each piece's push shows its call as that piece left it; only the id comes from the insert.
        """
        if self.new:
            now = timezone.now()
            calls = list(self.new.values())
            for call in calls:
                call.created_at = call.updated_at = now
            pks = bulk_insert(Call, [{f.attname: getattr(call, f.attname) for f in _COLUMNS} for call in calls])
            for call, pk in zip(calls, pks, strict=True):
                call.pk = pk
                call._state.adding = False
            self.new = {}
        if self.changed:
            now, rows = timezone.now(), []
            for binotel_id in self.changed:
                call = self.calls[binotel_id]
                call.updated_at = now
                rows.append({f.attname: getattr(call, f.attname) for f in _COLUMNS})
            fields = sorted(set().union(*self.changed.values()) | {"updated_at"})
            # Every row exists (locked above): one statement sets the changed columns of all of them.
            bulk_upsert(Call, rows, unique=["binotel_id"], update=fields, key="binotel_id")
            self.changed = {}
        if self.ended:
            now = timezone.now()
            outbox.queue_records(
                "call.ended", model=Call, records=((call.pk, call.ended_at or now) for call in self.ended)
            )
            self.ended = []
        for snapshot, call, ringing_numbers in self.pending:
            snapshot.pk = call.pk
            self.pushes += _pushes(snapshot, ringing_numbers=ringing_numbers, batch=self)
        self.pending = []
        ContactEvent.objects.bulk_create(self.new_events)
        self.new_events = []
        broadcast_many(self.pushes)
        self.pushes = []


_COLUMNS = [f for f in Call._meta.concrete_fields if not f.primary_key]


def _locked():
    return Call.objects.select_for_update(of=("self",)).select_related("employee", "contact", "lead")


def call_upsert(*, piece: CallPiece, push: bool = True, batch: Batch | None = None) -> tuple[Call, bool]:
    """Merge `piece` into its call (created if new); return the call and whether anything changed.

    Any order and any repetition of pieces gives the same row: a field is set by
    the piece that knows it and never cleared by one that does not. Pieces of one
    batch share a `Batch`, and the caller ends it with `batch.finish()`; without
    one, the piece is a batch of its own.
    """
    if batch is None:
        with transaction.atomic():
            batch = Batch([piece], single=True)
            result = _upsert(piece, push=push, batch=batch)
            batch.finish()
        return result
    return _upsert(piece, push=push, batch=batch)


def _upsert(piece: CallPiece, *, push: bool, batch: Batch) -> tuple[Call, bool]:
    call = batch.calls.get(piece.binotel_id)
    created = call is None
    if created:
        call = Call(binotel_id=piece.binotel_id)
    was_finished, had_contact = call.is_finished, call.contact_id
    changed = _merge(call, piece.fields)
    changed |= _derive(call)
    if piece.employee_email or "internal_number" in changed:
        changed |= _match_employee(call, email=piece.employee_email, batch=batch)
    if call.contact_id is None and call.external_number:
        changed |= _match_contact(call, batch=batch)
    if call.contact_id is None and call.lead_id is None and call.external_number:
        changed |= _match_lead(call, batch=batch)
    if created and batch.single:
        try:
            with transaction.atomic():
                call.save(force_insert=True)
        except IntegrityError:  # another worker stored this call a moment ago: merge into theirs
            batch.calls[piece.binotel_id] = _locked().get(binotel_id=piece.binotel_id)
            return _upsert(piece, push=push, batch=batch)
    elif created:
        batch.new[piece.binotel_id] = call
    elif changed and piece.binotel_id not in batch.new:
        batch.changed.setdefault(piece.binotel_id, set()).update(changed)
    batch.calls[piece.binotel_id] = call
    if call.is_finished and not was_finished:
        batch.ended.append(call)
    if call.is_finished and call.contact_id and (not was_finished or call.contact_id != had_contact):
        _add_contact_event(call, batch=batch)
    if push and (created or changed or piece.ringing_numbers):
        batch.pending.append((copy.copy(call), call, piece.ringing_numbers))
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


def _match_employee(call: Call, *, email: str, batch: Batch) -> set[str]:
    """By the email Binotel names (reliable) or else by the internal number (reassigned over time)."""
    if not email and not call.internal_number:
        return set()
    by_internal, by_email = batch.employees
    chosen = (by_email.get(email.lower()) if email else None) or by_internal.get(call.internal_number)
    if chosen is None or chosen.pk == call.employee_id:
        return set()
    call.employee = chosen
    return {"employee"}


def _match_contact(call: Call, *, batch: Batch) -> set[str]:
    contact = batch.contacts.get(call.external_number)
    if contact is None:
        return set()
    call.contact = contact
    return {"contact"}


def _match_lead(call: Call, *, batch: Batch) -> set[str]:
    """A call from a number no contact has belongs to the lead with that number; incoming ones make one."""
    lead = batch.leads.get(call.external_number)
    if lead is None:
        if not (settings.BINOTEL_CREATE_LEADS and call.type == CallType.INCOMING):
            return set()
        # Made once someone answered (they become responsible) or nobody did; not while it rings.
        if call.employee_id is None and not call.is_finished:
            return set()
        from leads.services import lead_create  # leads.services imports contacts' services; keep the import late

        lead = batch.leads[call.external_number] = lead_create(
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


def _add_contact_event(call: Call, *, batch: Batch) -> None:
    key = (call.contact_id, call.binotel_id)
    if key in batch.events:
        return
    batch.events.add(key)
    batch.new_events.append(
        ContactEvent(
            contact_id=call.contact_id,
            type=EventType.CALL,
            # Binotel's call state requests carry no times: then the moment the CRM first heard of the call
            occurred_at=call.started_at or call.ended_at or call.created_at or timezone.now(),
            call_id=call.binotel_id,
        )
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


def _pushes(call: Call, *, ringing_numbers: list[str], batch: Batch) -> list[tuple[str, str, dict]]:
    payload = {"call": batch.call_serializer.to_representation(call)}
    if call.type == CallType.INCOMING and call.answered_at is None and not call.is_finished:
        payload["caller"] = batch.caller_serializer.to_representation(batch.caller_card(call))
    audience = _audience(call, ringing_numbers, batch.audiences)
    groups = {EVERYONE_GROUP} | {user_group(STREAM, user_id) for user_id in audience}
    return [(group, "call.updated", payload) for group in sorted(groups)]


def listener_state_set(*, name: str, **values) -> None:
    """One UPDATE once the row exists (the listener records its state after every batch)."""
    if not ListenerState.objects.filter(name=name).update(**values, updated_at=timezone.now()):
        ListenerState.objects.update_or_create(name=name, defaults=values)


def checkpoint_get(*, name: str) -> datetime | None:
    return ListenerState.objects.filter(name=name).values_list("checkpoint", flat=True).first()
