"""Writing to a customer: email through Django's email backend, SMS through `contacts.sms`.

Every recipient's outcome is recorded (a letter for a sent email, a contact activity
with the provider's id and status for each SMS, an activity for an email that did not
go or may have gone) and returned; nothing is hidden. A send happens at most once: its
outcome is `sent`, `failed` or `unknown` (the request left and no answer came back, so
the message may have gone); only a failure marked `retryable` (nothing left) may be sent
again on its own. `idempotent()` makes a retried request with the same Idempotency-Key
answer what the first answered instead of sending again.
"""

import contextlib
import smtplib
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage, get_connection
from django.core.mail.message import sanitize_address
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from activity.services import activity_record
from contacts.models import SEND_RESULTS, Contact, ContactActivity, Direction, Letter, SendOutcome, SendReceipt
from contacts.sms import get_backend, provider_number
from crm.api.exceptions import Conflict
from crm.api.phones import normalize_phone

# What the SMTP server answered "no" to: nothing was taken. Any other error once the letter
# started to go (a timeout, a dropped connection) leaves it unknown.
SMTP_REFUSALS = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)


def single_line(value: str) -> str:
    """A header's value (an email's subject) on one line: a line break in it would start another header."""
    if len(f"{value}x".splitlines()) > 1:
        raise ValidationError(_("Must be on one line: no line breaks."), code="line_break")
    return value


def _outcome(contact: Contact, channel: str, results: list[dict]) -> dict:
    counts = {state: sum(1 for row in results if row["status"] == state) for state in SEND_RESULTS}
    return {"channel": channel, "contact": contact.pk, **counts, "results": results}


def _email_checked(contact: Contact, actor, subject: str, body: str) -> EmailMessage:
    """The letter, refused (400) before anything leaves if a header would break."""
    try:
        single_line(subject)
    except ValidationError as error:
        raise ValidationError({"subject": error.messages}) from None
    if not contact.email:
        raise ValidationError({"contact": [_("This contact has no email address.")]})
    message = EmailMessage(subject=subject, body=body, to=[contact.email], reply_to=[actor.email])
    try:
        message.message()  # builds every header: BadHeaderError here, not halfway through the send
        for address in [message.from_email, *message.recipients()]:
            sanitize_address(address, message.encoding or "utf-8")
    except (BadHeaderError, ValueError):
        raise ValidationError({"contact": [_("This contact's email address cannot be written to.")]}) from None
    return message


def _send_letter(message: EmailMessage) -> tuple[str, str, bool]:
    """Send one letter: (outcome, what went wrong, whether it may be sent again)."""
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        # No connection, no letter: nothing left.
        return SendOutcome.FAILED, f"{type(error).__name__}: {error}", isinstance(error, OSError)
    message.connection = connection
    try:
        message.send()
    except SMTP_REFUSALS as error:
        return SendOutcome.FAILED, f"{type(error).__name__}: {error}", False
    except (smtplib.SMTPException, OSError) as error:
        return SendOutcome.UNKNOWN, f"{type(error).__name__}: {error}", False
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()  # the letter's fate was settled before: a failed goodbye changes nothing
    return SendOutcome.SENT, "", False


def contact_send_email(*, contact: Contact, actor, subject: str, body: str) -> dict:
    message = _email_checked(contact, actor, subject, body)
    status, error, retryable = _send_letter(message)
    result = {"recipient": contact.email, "status": status, "message_id": "", "provider_status": "", "error": ""}
    if status == SendOutcome.SENT:
        letter = Letter.objects.create(contact=contact, subject=subject, body=body, direction=Direction.OUTGOING)
        result["message_id"] = str(letter.pk)
    else:
        unknown = status == SendOutcome.UNKNOWN
        ContactActivity.objects.create(
            contact=contact,
            name=(_("Email may have been sent: %(subject)s") if unknown else _("Email not sent: %(subject)s"))
            % {"subject": subject},
            type="email",
            responsible=actor,
            message=body,
            delivery_status=f"{status}: {error.split(':')[0]}",
        )
        result["provider_status"] = (
            "UNREACHABLE" if retryable else "NO_ANSWER" if status == SendOutcome.UNKNOWN else "SMTP_ERROR"
        )
        result["error"] = error[:200]
    result["retryable"] = retryable
    activity_record(actor=actor, verb=f"email_{status}", target=contact)
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
    names = {
        SendOutcome.SENT: _("SMS to %(number)s"),
        SendOutcome.FAILED: _("SMS to %(number)s not sent"),
        SendOutcome.UNKNOWN: _("SMS to %(number)s may have been sent"),
    }
    results, activities = [], []
    for answer in answers:
        number = by_provider_number.get(answer.recipient, answer.recipient)
        status = answer.outcome
        results.append(
            {
                "recipient": number,
                "status": status,
                "message_id": answer.message_id,
                "provider_status": answer.status,
                "error": answer.error,
                "retryable": answer.retryable,
            }
        )
        delivery_status = answer.status or status
        if status == SendOutcome.UNKNOWN:
            delivery_status = f"{status}: {answer.status}" if answer.status else status
        activities.append(
            ContactActivity(
                contact=contact,
                name=names[status] % {"number": number},
                type="sms",
                responsible=actor,
                message=text,
                provider_message_id=answer.message_id,
                delivery_status=delivery_status[:100],
            )
        )
    ContactActivity.objects.bulk_create(activities)
    outcome = _outcome(contact, "sms", results)
    verb = "sms_sent" if outcome["sent"] else "sms_unknown" if outcome["unknown"] else "sms_failed"
    activity_record(actor=actor, verb=verb, target=contact)
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
