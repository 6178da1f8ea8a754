import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contacts.campaigns import campaign_audience, campaign_run, remaining
from contacts.messaging import single_line
from contacts.models import Campaign, CampaignChannel
from crm.workers.locks import advisory_lock
from users.models import User

# The options a new campaign is made of; a re-run resumes the campaign as it was stored.
DEFINING = ("channel", "text", "subject", "filter", "sender")


class Command(BaseCommand):
    help = (
        "Send an email or SMS to every contact with newsletter consent that the filters keep, at most once each. "
        "Re-running the same --name resumes after the last contact done; a finished campaign sends nothing. "
        "A contact whose outcome is unknown (the provider did not answer) is reported and never sent to again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The campaign's unique name: what a re-run resumes.")
        parser.add_argument("--channel", choices=CampaignChannel.values, help="email or sms (new campaigns).")
        parser.add_argument("--text", help="The message, or the email's body (new campaigns).")
        parser.add_argument("--subject", help="The email's subject, on one line.")
        parser.add_argument(
            "--filter",
            help='The contact list\'s filters as a query string, e.g. "company=3&responsible=5".',
        )
        parser.add_argument("--sender", help="Email of the staff user the messages are sent and recorded as.")
        parser.add_argument("--dry-run", action="store_true", help="Only count who would receive it; writes nothing.")

    def handle(self, *args, **options):
        with advisory_lock(f"send_campaign:{options['name']}") as acquired:
            if not acquired:
                raise CommandError(f"Campaign {options['name']!r} is being sent by another process.")
            # Everything is checked before anything is written: a refused or dry run leaves no trace.
            campaign = self._campaign(options)
            try:
                left = remaining(campaign)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            if options["dry_run"]:
                total = campaign_audience(campaign).count()
                self.stdout.write(f"{campaign}: {total} contact(s) with consent, {left} not yet done.")
                return
            if campaign.finished_at:
                self.stdout.write(f"{campaign} finished at {campaign.finished_at:%Y-%m-%d %H:%M}; nothing to send.")
                return
            if campaign.pk is None:
                campaign.save()
            with tqdm(total=left, unit="contact", disable=not sys.stderr.isatty()) as bar:
                summary = campaign_run(campaign, on_contact=lambda: bar.update(1))
            for problem in summary.problems[:50]:
                self.stderr.write(problem)
            if len(summary.problems) > 50:
                self.stderr.write(f"... and {len(summary.problems) - 50} more problem(s).")
            self.stdout.write(
                self.style.SUCCESS(
                    f"{campaign}: sent {summary.sent}, failed {summary.failed}, unknown {summary.unknown}, "
                    f"skipped {summary.skipped} this run; {campaign.sent} sent, {campaign.failed} failed, "
                    f"{campaign.unknown} unknown, {campaign.skipped} skipped in all."
                )
            )
            if campaign.unknown:
                self.stdout.write(
                    "Unknown: the provider took the request and its answer never came, so the message may have "
                    "gone. They are not sent again: check them with the provider (the campaign's recipients in "
                    "the admin, status 'unknown') and mark each one sent or not sent."
                )

    def _campaign(self, options) -> Campaign:
        """The stored campaign, or a new one not saved yet; refused (CommandError) before anything is written."""
        campaign = Campaign.objects.filter(name=options["name"]).first()
        if campaign is not None:
            stored = {
                "channel": campaign.channel,
                "text": campaign.text,
                "subject": campaign.subject,
                "filter": campaign.filters,
                "sender": campaign.sender.email if campaign.sender else None,
            }
            given = {flag: options[flag] for flag in DEFINING if options[flag] is not None}
            if "sender" in given:  # an email address, in any letter case
                given["sender"], stored["sender"] = given["sender"].lower(), (stored["sender"] or "").lower()
            changed = [flag for flag, value in given.items() if value != stored[flag]]
            if changed:
                raise CommandError(
                    f"Campaign {campaign.name!r} exists with another --{', --'.join(changed)}; a re-run resumes it "
                    "as it was. Leave those out, or give the new campaign a new --name."
                )
            return campaign
        missing = [flag for flag in ("channel", "text", "sender") if not options[flag]]
        if missing:
            raise CommandError(f"A new campaign needs --{', --'.join(missing)}.")
        subject = options["subject"] or ""
        if options["channel"] == CampaignChannel.EMAIL and not subject:
            raise CommandError("An email campaign needs --subject.")
        try:
            single_line(subject)
        except ValidationError as error:
            raise CommandError(f"--subject: {'; '.join(error.messages)}") from None
        sender = User.objects.filter(email__iexact=options["sender"], is_active=True).first()
        if sender is None:
            raise CommandError(f"No active user {options['sender']}.")
        campaign = Campaign(
            name=options["name"],
            channel=options["channel"],
            subject=subject,
            text=options["text"],
            filters=options["filter"] or "",
            sender=sender,
        )
        try:
            campaign.full_clean(validate_unique=False)
        except ValidationError as error:
            messages = [f"{name}: {' '.join(errors)}" for name, errors in error.message_dict.items()]
            raise CommandError("; ".join(messages)) from None
        return campaign
