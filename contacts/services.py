from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.services import activity_record
from activity.tracking import tracked_create, tracked_delete, tracked_transition, tracked_update
from contacts.models import (
    Contact,
    CustomerRequest,
    LoyaltyKind,
    LoyaltyTransaction,
    Phone,
    RequestStatus,
    Return,
    ReturnItem,
)
from contacts.signals import phones_added
from crm.api.exceptions import Conflict, DomainError, blocking_kinds, conflict_on_duplicate
from crm.api.phones import normalize_phone
from crm.trash import trashed_holder_note
from notifications.services import notify

# Contacts


def _normalized_phones(raw_numbers: list[str]) -> list[str]:
    numbers = []
    for raw in raw_numbers:
        try:
            number = normalize_phone(raw)
        except ValidationError as error:
            raise ValidationError({"phones": [f"{raw}: {message}" for message in error.messages]}) from None
        if number not in numbers:
            numbers.append(number)
    return numbers


def _set_phones(contact: Contact, raw_numbers: list[str]) -> bool:
    """Make the contact's phones exactly `raw_numbers`; return whether anything changed."""
    numbers = _normalized_phones(raw_numbers)
    taken = Phone.objects.filter(number__in=numbers).exclude(contact=contact).values_list("number", flat=True)
    if taken:
        message = _("These numbers belong to another contact: %(numbers)s.") % {"numbers": ", ".join(taken)}
        raise Conflict(message + trashed_holder_note(Contact, phones__number__in=list(taken)))
    current = set(contact.phones.values_list("number", flat=True))
    if current == set(numbers):
        return False
    contact.phones.exclude(number__in=numbers).delete()
    with conflict_on_duplicate(_("This number belongs to another contact.")):
        Phone.objects.bulk_create([Phone(contact=contact, number=n) for n in numbers if n not in current])
    phones_added.send(sender=Contact, contact=contact, numbers=[n for n in numbers if n not in current])
    return True


@transaction.atomic
def contact_create(*, actor, data: dict, phones: list[str] = ()) -> Contact:
    numbers = _normalized_phones(list(phones))
    contact = tracked_create(
        model=Contact, actor=actor, data={"responsible": actor, **data}, also_changed=["phones"] if numbers else []
    )
    _set_phones(contact, numbers)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor, data: dict, phones: list[str] | None = None) -> Contact:
    phones_changed = phones is not None and _set_phones(contact, phones)
    tracked_update(instance=contact, actor=actor, data=data, also_changed=["phones"] if phones_changed else [])
    return contact


def contact_delete(*, contact: Contact, actor) -> None:
    try:
        tracked_delete(instance=contact, actor=actor)
    except (ProtectedError, RestrictedError) as error:
        raise Conflict(
            _("This contact has %(blockers)s; it cannot be deleted.") % {"blockers": blocking_kinds(error)}
        ) from None


def contact_merge_balances(*, kept: Contact, other: Contact) -> list[str]:
    """The loyalty entries moved with the merge; the balance they add up to moves too."""
    if not other.loyalty_balance:
        return []
    kept.loyalty_balance += other.loyalty_balance
    Contact.all_objects.filter(pk=other.pk).update(loyalty_balance=0)
    return ["loyalty_balance"]


# Loyalty


@transaction.atomic
def loyalty_add(*, contact: Contact, actor, kind: str, amount: Decimal, reason: str = "", order_reference: str = ""):
    """Accrue or spend bonuses. The contact's row is locked, so two spends at once can never overdraw."""
    if amount <= 0:
        raise ValidationError({"amount": [_("The amount must be positive.")]})
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if kind == LoyaltyKind.SPENT:
        if amount > locked.loyalty_balance:
            raise DomainError(_("Only %(balance)s bonuses are available.") % {"balance": locked.loyalty_balance})
        locked.loyalty_balance -= amount
    elif kind == LoyaltyKind.ACCRUED:
        locked.loyalty_balance += amount
    else:
        raise ValidationError({"kind": [_("Unknown kind.")]})
    locked.save(update_fields=["loyalty_balance", "updated_at"])
    transaction_row = LoyaltyTransaction.objects.create(
        contact=locked,
        kind=kind,
        amount=amount,
        reason=reason,
        order_reference=order_reference,
        balance_after=locked.loyalty_balance,
        created_by=actor,
    )
    activity_record(actor=actor, verb=f"loyalty_{kind}", target=locked, changed_fields=["loyalty_balance"])
    contact.loyalty_balance = locked.loyalty_balance
    return transaction_row


# Returns


@transaction.atomic
def return_create(*, actor, contact: Contact, items: list[dict], **data) -> Return:
    if not items:
        raise ValidationError({"items": [_("List at least one returned item.")]})
    data.setdefault("responsible", contact.responsible or actor)
    return_request = tracked_create(model=Return, actor=actor, data={"contact": contact, **data})
    ReturnItem.objects.bulk_create([ReturnItem(return_request=return_request, **item) for item in items])
    return return_request


@transaction.atomic
def return_attach_file(*, return_request: Return, actor, file) -> Return:
    tracked_update(instance=return_request, actor=actor, data={"file": file})
    return return_request


@transaction.atomic
def return_decide(*, return_request: Return, actor, action: str) -> Return:
    """approve, reject or cancel (cancelling the delivery); any other move is a 409 and changes nothing."""
    allowed_from, target = Return.TRANSITIONS[action]
    locked = Return.objects.select_for_update().get(pk=return_request.pk)
    if locked.status not in allowed_from:
        raise Conflict(
            _("A %(status)s return cannot be %(target)s.")
            % {"status": locked.get_status_display().lower(), "target": target.label.lower()}
        )
    locked.status, locked.decided_by, locked.decided_at = target, actor, timezone.now()
    tracked_transition(instance=locked, actor=actor, verb=target.value, fields=["status", "decided_by", "decided_at"])
    if locked.responsible_id and locked.responsible_id != actor.pk:
        notify(
            recipient=locked.responsible,
            kind="return_decided",
            title=_("Return #%(id)s is %(status)s") % {"id": locked.pk, "status": target.label.lower()},
            description=_("%(actor)s changed the return of %(contact)s.") % {"actor": actor, "contact": locked.contact},
            target=locked,
        )
    return locked


# Customer requests


def _check_request_links(data: dict) -> None:
    contact, order, deal = data.get("contact"), data.get("order"), data.get("deal")
    errors = {}
    if order is not None and contact is not None and order.contact_id != contact.pk:
        errors["order"] = [_("This order belongs to another contact.")]
    if deal is not None and contact is not None and deal.contact_id != contact.pk:
        errors["deal"] = [_("This deal belongs to another contact.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def customer_request_create(*, actor, data: dict) -> CustomerRequest:
    _check_request_links(data)
    data = {"responsible": data["contact"].responsible or actor, **data, "created_by": actor}
    return tracked_create(model=CustomerRequest, actor=actor, data=data)


@transaction.atomic
def customer_request_update(*, customer_request: CustomerRequest, actor, data: dict) -> CustomerRequest:
    _check_request_links(
        {
            "contact": data.get("contact", customer_request.contact),
            "order": data.get("order", customer_request.order),
            "deal": data.get("deal", customer_request.deal),
        }
    )
    tracked_update(instance=customer_request, actor=actor, data=data)
    return customer_request


@transaction.atomic
def customer_request_transition(*, customer_request: CustomerRequest, actor, action: str) -> CustomerRequest:
    """start, resolve, reject or reopen; a move the current status does not allow is a 409 and changes nothing."""
    allowed_from, target = CustomerRequest.TRANSITIONS[action]
    locked = CustomerRequest.objects.select_for_update().get(pk=customer_request.pk)
    if locked.status not in allowed_from:
        raise Conflict(
            _("A request that is %(status)s cannot become %(target)s.")
            % {"status": locked.get_status_display().lower(), "target": target.label.lower()}
        )
    closing = target in (RequestStatus.RESOLVED, RequestStatus.REJECTED)
    locked.status, locked.closed_at = target, timezone.now() if closing else None
    tracked_transition(instance=locked, actor=actor, verb=action, fields=["status", "closed_at"])
    return locked
