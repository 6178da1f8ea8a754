from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.tracking import tracked_create, tracked_delete, tracked_transition, tracked_update
from contacts.models import Contact, Phone
from contacts.services import contact_create
from crm.api.exceptions import Conflict
from crm.api.permissions import check_handover
from crm.api.phones import normalize_phone
from deals.models import Pipeline
from deals.services import deal_create
from leads.models import Lead, LeadStatus

# Statuses a lead takes through its own actions, never by editing the field.
ACTION_STATUSES = (LeadStatus.CONVERTED, LeadStatus.FAILED)


def _normalized(data: dict) -> dict:
    if data.get("phone"):
        try:
            data["phone"] = normalize_phone(data["phone"])
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    return data


def _check_status(data: dict) -> None:
    if data.get("status") in ACTION_STATUSES:
        raise ValidationError({"status": [_("Use the convert or fail action for this status.")]})


def lead_create(*, actor, data: dict) -> Lead:
    _check_status(data)
    data = _normalized({"responsible": actor, **data, "created_by": actor})
    return tracked_create(model=Lead, actor=actor, data=data)


def _locked_open_lead(lead: Lead) -> Lead:
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.status in ACTION_STATUSES:
        raise Conflict(_("This lead is converted or failed already."))
    return locked


@transaction.atomic
def lead_update(*, lead: Lead, actor, data: dict) -> Lead:
    _check_status(data)
    if "responsible" in data:
        check_handover(
            actor=actor, people_ids=[lead.responsible_id, lead.created_by_id], new_people=[data["responsible"]]
        )
    locked = _locked_open_lead(lead)
    tracked_update(instance=locked, actor=actor, data=_normalized(dict(data)))
    return locked


@transaction.atomic
def lead_fail(*, lead: Lead, actor, reason: str) -> Lead:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the lead is unsuccessful.")]})
    locked = _locked_open_lead(lead)
    locked.status, locked.failure_reason = LeadStatus.FAILED, reason.strip()
    tracked_transition(instance=locked, actor=actor, verb="failed", fields=["status", "failure_reason"])
    return locked


def lead_delete(*, lead: Lead, actor) -> None:
    tracked_delete(instance=lead, actor=actor)


def _matching_contact(lead: Lead) -> Contact | None:
    if lead.phone:
        phone = Phone.objects.select_related("contact").filter(number=lead.phone).first()
        if phone:
            return phone.contact
    if lead.email:
        return Contact.objects.filter(email__iexact=lead.email).order_by("id").first()
    return None


def _new_contact(lead: Lead, actor) -> Contact:
    first_name, _space, last_name = lead.name.partition(" ")
    data = {"first_name": first_name, "last_name": last_name, "email": lead.email}
    data["responsible"] = lead.responsible or actor
    return contact_create(actor=actor, data=data, phones=[lead.phone] if lead.phone else [])


@transaction.atomic
def lead_convert(*, lead: Lead, actor, pipeline: Pipeline | None = None, amount=None) -> Lead:
    """Turn a lead into a contact (an existing one with its phone or email, else a new one) and a deal. Once."""
    locked = _locked_open_lead(lead)
    pipeline = pipeline or Pipeline.objects.order_by("position", "id").first()
    if pipeline is None:
        raise ValidationError({"pipeline": [_("Create a deal pipeline first.")]})
    contact = _matching_contact(locked) or _new_contact(locked, actor)
    deal_data = {"title": locked.name, "contact": contact, "pipeline": pipeline, "responsible": locked.responsible}
    if amount is not None:
        deal_data["amount"] = amount
    deal = deal_create(actor=actor, data=deal_data)
    locked.status, locked.contact, locked.deal, locked.converted_at = (
        LeadStatus.CONVERTED,
        contact,
        deal,
        timezone.now(),
    )
    tracked_transition(
        instance=locked, actor=actor, verb="converted", fields=["status", "contact", "deal", "converted_at"]
    )
    return locked
