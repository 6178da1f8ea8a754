"""Mass sends to contacts with newsletter consent, resumable from the campaign's checkpoint."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.utils import timezone
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_random_exponential

from contacts.filters import ContactFilter
from contacts.messaging import contact_send_email, contact_send_sms
from contacts.models import Campaign, CampaignChannel, Contact

# Provider statuses that mean "nothing went out, try again later" (see contacts.turbosms).
RETRYABLE = ("UNREACHABLE", "HTTP_5")
BATCH = 500


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def campaign_audience(campaign: Campaign) -> QuerySet[Contact]:
    """The contacts with newsletter consent that the campaign's filters (the contact list's own) keep."""
    filterset = ContactFilter(QueryDict(campaign.filters), queryset=Contact.objects.filter(newsletter=True))
    if not filterset.is_valid():
        raise ValidationError({"filters": [f"{name}: {errors}" for name, errors in filterset.errors.items()]})
    return filterset.qs.order_by("pk")


def remaining(campaign: Campaign) -> int:
    return campaign_audience(campaign).filter(pk__gt=campaign.last_contact_id).count()


def _contacts_after(campaign: Campaign) -> Iterator[Contact]:
    audience = campaign_audience(campaign)
    last = campaign.last_contact_id
    while True:
        batch = list(audience.filter(pk__gt=last).prefetch_related("phones")[:BATCH])
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].pk


def _provider_down(outcome: dict) -> bool:
    rows = outcome["results"]
    return bool(rows) and outcome["sent"] == 0 and all(row["provider_status"].startswith(RETRYABLE) for row in rows)


def _send_one(campaign: Campaign, contact: Contact, *, wait_max: float) -> dict:
    def send():
        if campaign.channel == CampaignChannel.EMAIL:
            return contact_send_email(
                contact=contact, actor=campaign.sender, subject=campaign.subject, body=campaign.text
            )
        return contact_send_sms(contact=contact, actor=campaign.sender, text=campaign.text)

    retrying = Retrying(
        retry=retry_if_result(_provider_down),
        wait=wait_random_exponential(multiplier=0.5, max=wait_max),
        stop=stop_after_attempt(3),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    return retrying(send)


def campaign_run(campaign: Campaign, *, on_contact: Callable[[], None] = lambda: None, wait_max=30.0) -> Summary:
    """Send to every remaining contact, saving the checkpoint after each; a contact that cannot be written to is
    skipped and reported. A finished campaign sends nothing again."""
    summary = Summary()
    if campaign.finished_at is not None:
        return summary
    for contact in _contacts_after(campaign):
        sent = failed = skipped = 0
        try:
            outcome = _send_one(campaign, contact, wait_max=wait_max)
        except ValidationError as error:
            skipped = 1
            summary.problems.append(f"#{contact.pk} {contact}: {'; '.join(error.messages)}")
        else:
            sent, failed = outcome["sent"], outcome["failed"]
            summary.problems += [
                f"#{contact.pk} {row['recipient']}: {row['error']}" for row in outcome["results"] if row["error"]
            ]
        summary.sent, summary.failed, summary.skipped = (
            summary.sent + sent,
            summary.failed + failed,
            summary.skipped + skipped,
        )
        # The checkpoint: a re-run after a crash starts after this contact.
        Campaign.objects.filter(pk=campaign.pk).update(
            last_contact_id=contact.pk,
            sent=F("sent") + sent,
            failed=F("failed") + failed,
            skipped=F("skipped") + skipped,
        )
        campaign.last_contact_id = contact.pk
        on_contact()
    campaign.finished_at = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(finished_at=campaign.finished_at, updated_at=campaign.finished_at)
    campaign.refresh_from_db()
    return summary
