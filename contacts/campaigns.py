"""Mass sends to contacts with newsletter consent, resumable from the campaign's checkpoint, at most once each.

Each contact gets a `CampaignRecipient` row, `sending`, before its message leaves; the row then says what
became of it. A contact with a row is never sent to again by the campaign: a row left `sending` by a run that
died mid-send becomes `unknown` at the next run. A send is retried (with backoff) only when nothing left.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest
from django.http import QueryDict
from django.utils import timezone
from tenacity import Retrying, retry_if_result, stop_after_attempt, wait_random_exponential

from contacts.filters import ContactFilter
from contacts.messaging import contact_send_email, contact_send_sms
from contacts.models import Campaign, CampaignChannel, CampaignRecipient, Contact, SendOutcome

BATCH = 500


@dataclass
class Summary:
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def campaign_audience(campaign: Campaign) -> QuerySet[Contact]:
    """The contacts with newsletter consent that the campaign's filters (the contact list's own) keep."""
    filterset = ContactFilter(QueryDict(campaign.filters), queryset=Contact.objects.filter(newsletter=True))
    if not filterset.is_valid():
        raise ValidationError({"filters": [f"{name}: {errors}" for name, errors in filterset.errors.items()]})
    return filterset.qs.order_by("pk")


def _not_reached(campaign: Campaign, contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Leave out every contact the campaign has a row for, whatever became of it."""
    if campaign.pk is None:  # a campaign not stored (a dry run) has reached no one
        return contacts
    return contacts.exclude(pk__in=CampaignRecipient.objects.filter(campaign=campaign).values("contact_id"))


def remaining(campaign: Campaign) -> int:
    return _not_reached(campaign, campaign_audience(campaign).filter(pk__gt=campaign.last_contact_id)).count()


def _contacts_after(campaign: Campaign) -> Iterator[Contact]:
    audience = campaign_audience(campaign)
    last = campaign.last_contact_id
    while True:
        batch = list(_not_reached(campaign, audience.filter(pk__gt=last)).prefetch_related("phones")[:BATCH])
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].pk


def _nothing_left(outcome: dict) -> bool:
    """Whether no message of the attempt left (no connection, or turned away unread): only then is it retried."""
    rows = outcome["results"]
    return bool(rows) and all(row["status"] == SendOutcome.FAILED and row.get("retryable") for row in rows)


def _send_one(campaign: Campaign, contact: Contact, *, wait_max: float) -> dict:
    def send():
        if campaign.channel == CampaignChannel.EMAIL:
            return contact_send_email(
                contact=contact, actor=campaign.sender, subject=campaign.subject, body=campaign.text
            )
        return contact_send_sms(contact=contact, actor=campaign.sender, text=campaign.text)

    retrying = Retrying(
        retry=retry_if_result(_nothing_left),
        wait=wait_random_exponential(multiplier=0.5, max=wait_max),
        stop=stop_after_attempt(3),
        retry_error_callback=lambda state: state.outcome.result(),
    )
    return retrying(send)


@transaction.atomic
def settle_unknown(recipients: QuerySet[CampaignRecipient], outcome: str, detail: str) -> int:
    """Unknown recipients an operator checked with the provider become `outcome` (sent or failed), and
    their campaigns' counters move with them; rows that are not unknown (any more) are left alone."""
    rows = list(recipients.select_for_update().filter(status=SendOutcome.UNKNOWN).values_list("pk", flat=True))
    settled = CampaignRecipient.objects.filter(pk__in=rows)
    moved = Subquery(
        settled.filter(campaign=OuterRef("pk")).order_by().values("campaign").annotate(n=Count("pk")).values("n")
    )
    Campaign.objects.filter(pk__in=settled.values("campaign")).update(
        unknown=Greatest(F("unknown") - moved, 0), **{outcome: F(outcome) + moved}
    )
    return settled.update(status=outcome, detail=detail)


def _settle_interrupted(campaign: Campaign, summary: Summary) -> None:
    """Rows a run that died left `sending`: the message may have gone, so they are unknown and not sent again."""
    stuck = list(
        CampaignRecipient.objects.filter(campaign=campaign, status=SendOutcome.SENDING).select_related("contact")
    )
    if not stuck:
        return
    detail = "The run stopped while this was being sent: it may have gone."
    with transaction.atomic():
        settled = CampaignRecipient.objects.filter(pk__in=[row.pk for row in stuck], status=SendOutcome.SENDING).update(
            status=SendOutcome.UNKNOWN, detail=detail
        )
        Campaign.objects.filter(pk=campaign.pk).update(unknown=F("unknown") + settled)
    summary.unknown += settled
    summary.problems += [f"#{row.contact_id} {row.contact}: unknown: {detail}" for row in stuck]


def _status(outcome: dict) -> str:
    if outcome["unknown"]:
        return SendOutcome.UNKNOWN
    return SendOutcome.SENT if outcome["sent"] else SendOutcome.FAILED


def campaign_run(campaign: Campaign, *, on_contact: Callable[[], None] = lambda: None, wait_max=30.0) -> Summary:
    """Send to every remaining contact, saving the checkpoint after each; a contact that cannot be written to is
    skipped and reported, one whose outcome is unknown is reported. A finished campaign sends nothing again."""
    summary = Summary()
    if campaign.finished_at is not None:
        return summary
    _settle_interrupted(campaign, summary)
    for contact in _contacts_after(campaign):
        recipient, created = CampaignRecipient.objects.get_or_create(campaign=campaign, contact=contact)
        if not created:  # reached already, by a run that raced this one
            continue
        counts = {"sent": 0, "failed": 0, "unknown": 0, "skipped": 0}
        try:
            outcome = _send_one(campaign, contact, wait_max=wait_max)
        except ValidationError as error:
            counts["skipped"], status, problems = 1, SendOutcome.SKIPPED, [f"{contact}: {'; '.join(error.messages)}"]
        else:
            counts.update({state: outcome[state] for state in ("sent", "failed", "unknown")})
            status = _status(outcome)
            problems = [
                f"{row['recipient']}: {row['status']}: {row['error']}" for row in outcome["results"] if row["error"]
            ]
        summary.problems += [f"#{contact.pk} {problem}" for problem in problems]
        for name, count in counts.items():
            setattr(summary, name, getattr(summary, name) + count)
        with transaction.atomic():
            CampaignRecipient.objects.filter(pk=recipient.pk).update(
                status=status, detail="; ".join(problems)[:500], updated_at=timezone.now()
            )
            # The checkpoint: a re-run after a crash starts after this contact.
            Campaign.objects.filter(pk=campaign.pk).update(
                last_contact_id=contact.pk, **{name: F(name) + count for name, count in counts.items()}
            )
        campaign.last_contact_id = contact.pk
        on_contact()
    campaign.finished_at = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(finished_at=campaign.finished_at, updated_at=campaign.finished_at)
    campaign.refresh_from_db()
    return summary
