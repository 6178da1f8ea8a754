import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contacts.campaigns import campaign_audience, campaign_run, remaining
from contacts.models import Campaign, CampaignChannel
from crm.locks import advisory_lock
from users.models import User


class Command(BaseCommand):
    help = (
        "Send an email or SMS to every contact with newsletter consent that the filters keep. "
        "Re-running the same --name resumes after the last contact done; a finished campaign sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The campaign's unique name: what a re-run resumes.")
        parser.add_argument("--channel", choices=CampaignChannel.values, help="email or sms (new campaigns).")
        parser.add_argument("--text", help="The message, or the email's body (new campaigns).")
        parser.add_argument("--subject", default="", help="The email's subject.")
        parser.add_argument(
            "--filter",
            default="",
            help='The contact list\'s filters as a query string, e.g. "company=3&responsible=5".',
        )
        parser.add_argument("--sender", help="Email of the staff user the messages are sent and recorded as.")
        parser.add_argument("--dry-run", action="store_true", help="Only count who would receive it.")

    def handle(self, *args, **options):
        with advisory_lock(f"send_campaign:{options['name']}") as acquired:
            if not acquired:
                raise CommandError(f"Campaign {options['name']!r} is being sent by another process.")
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
            with tqdm(total=left, unit="contact", disable=not sys.stderr.isatty()) as bar:
                summary = campaign_run(campaign, on_contact=lambda: bar.update(1))
            for problem in summary.problems[:50]:
                self.stderr.write(problem)
            if len(summary.problems) > 50:
                self.stderr.write(f"... and {len(summary.problems) - 50} more problem(s).")
            self.stdout.write(
                self.style.SUCCESS(
                    f"{campaign}: sent {summary.sent}, failed {summary.failed}, skipped {summary.skipped} this run; "
                    f"{campaign.sent} sent, {campaign.failed} failed, {campaign.skipped} skipped in all."
                )
            )

    def _campaign(self, options) -> Campaign:
        campaign = Campaign.objects.filter(name=options["name"]).first()
        if campaign is not None:
            return campaign
        missing = [flag for flag in ("channel", "text", "sender") if not options[flag]]
        if missing:
            raise CommandError(f"A new campaign needs --{', --'.join(missing)}.")
        if options["channel"] == CampaignChannel.EMAIL and not options["subject"]:
            raise CommandError("An email campaign needs --subject.")
        sender = User.objects.filter(email__iexact=options["sender"], is_active=True).first()
        if sender is None:
            raise CommandError(f"No active user {options['sender']}.")
        return Campaign.objects.create(
            name=options["name"],
            channel=options["channel"],
            subject=options["subject"],
            text=options["text"],
            filters=options["filter"],
            sender=sender,
        )
