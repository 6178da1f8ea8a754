"""Writing to a customer: email through Django's email backend, SMS through `contacts.sms`.

Every recipient's outcome is recorded (a letter for a sent email, a contact activity
with the provider's id and status for each SMS, a failed activity for an email that
did not go) and returned; nothing is hidden. `idempotent()` makes a retried request
with the same Idempotency-Key answer what the first answered instead of sending again.
"""

import smtplib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activity.services import activity_record
from contacts.models import Contact, ContactActivity, Direction, Letter, SendReceipt
from contacts.sms import get_backend, provider_number
from crm.exceptions import Conflict
from crm.phones import normalize_phone


def _outcome(contact: Contact, channel: str, results: list[dict]) -> dict:
    sent = sum(1 for row in results if row["status"] == "sent")
    return {"channel": channel, "contact": contact.pk, "sent": sent, "failed": len(results) - sent, "results": results}


def contact_send_email(*, contact: Contact, actor, subject: str, body: str) -> dict:
    if not contact.email:
        raise ValidationError({"contact": [_("This contact has no email address.")]})
    message = EmailMessage(subject=subject, body=body, to=[contact.email], reply_to=[actor.email])
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        ContactActivity.objects.create(
            contact=contact,
            name=_("Email not sent: %(subject)s") % {"subject": subject},
            type="email",
            responsible=actor,
            message=body,
            delivery_status=f"failed: {type(error).__name__}",
        )
        down = "SMTP_ERROR" if isinstance(error, smtplib.SMTPException) else "UNREACHABLE"
        result = {"recipient": contact.email, "status": "failed", "message_id": "", "provider_status": down}
        result["error"] = str(error)[:200]
    else:
        letter = Letter.objects.create(contact=contact, subject=subject, body=body, direction=Direction.OUTGOING)
        result = {"recipient": contact.email, "status": "sent", "message_id": str(letter.pk), "provider_status": ""}
        result["error"] = ""
    activity_record(actor=actor, verb="email_sent" if result["status"] == "sent" else "email_failed", target=contact)
    return _outcome(contact, "email", [result])


def _sms_numbers(contact: Contact, phones: list[str] | None) -> list[str]:
    own = list(contact.phones.values_list("number", flat=True))
    if not phones:
        if not own:
            raise ValidationError({"contact": [_("This contact has no phone number.")]})
        return own
    chosen = []
    for raw in phones:
        try:
            number = normalize_phone(raw)
        except ValidationError as error:
            raise ValidationError({"phones": [f"{raw}: {message}" for message in error.messages]}) from None
        if number not in own:
            raise ValidationError({"phones": [_("%(number)s is not a number of this contact.") % {"number": raw}]})
        if number not in chosen:
            chosen.append(number)
    return chosen


def contact_send_sms(*, contact: Contact, actor, text: str, phones: list[str] | None = None) -> dict:
    numbers = _sms_numbers(contact, phones)
    by_provider_number = {provider_number(number): number for number in numbers}
    answers = get_backend().send(recipients=list(by_provider_number), text=text)
    results, activities = [], []
    for answer in answers:
        number = by_provider_number.get(answer.recipient, answer.recipient)
        status = "sent" if answer.accepted else "failed"
        results.append(
            {
                "recipient": number,
                "status": status,
                "message_id": answer.message_id,
                "provider_status": answer.status,
                "error": answer.error,
            }
        )
        activities.append(
            ContactActivity(
                contact=contact,
                name=(_("SMS to %(number)s") if answer.accepted else _("SMS to %(number)s not sent"))
                % {"number": number},
                type="sms",
                responsible=actor,
                message=text,
                provider_message_id=answer.message_id,
                delivery_status=answer.status or status,
            )
        )
    ContactActivity.objects.bulk_create(activities)
    outcome = _outcome(contact, "sms", results)
    activity_record(actor=actor, verb="sms_sent" if outcome["sent"] else "sms_failed", target=contact)
    return outcome


def idempotent(*, user, key: str | None, scope: str, run: Callable[[], dict]) -> dict:
    """Run `run` once per (user, key); a retry gets the stored answer. A retry while the first still runs is a 409."""
    if not key:
        return run()
    if len(key) > 255 or not (key.isascii() and key.isprintable()):
        raise ValidationError({"Idempotency-Key": [_("At most 255 printable ASCII characters.")]})
    try:
        with transaction.atomic():
            receipt = SendReceipt.objects.create(user=user, key=key, scope=scope)
    except IntegrityError:
        receipt = SendReceipt.objects.get(user=user, key=key)
        if receipt.scope != scope:
            raise Conflict(_("This Idempotency-Key was used for another request.")) from None
        if receipt.response is None:
            raise Conflict(_("A request with this Idempotency-Key is still being carried out.")) from None
        return receipt.response
    try:
        response = run()
    except Exception:
        receipt.delete()  # nothing was sent: the client may retry with the same key
        raise
    receipt.response = response
    receipt.save(update_fields=["response"])
    return response
