import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from crm.workers import arguments
from crm.workers.locks import advisory_lock
from dashboard import google_analytics
from dashboard.sync import CHECKPOINT, last_synced_month, sync_analytics


class Command(BaseCommand):
    help = (
        "Pull the monthly Google Analytics 4 figures of [--start, --end] into the dashboard. "
        "Without --start it goes on from the last month stored; --end defaults to today. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--start", type=arguments.day, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", type=arguments.day, help="Last day, YYYY-MM-DD (included).")

    def handle(self, *args, start=None, end=None, **options):
        if not settings.GA_PROPERTY_ID or not settings.GA_PROPERTY_ID.isdigit():
            raise CommandError("Set GA_PROPERTY_ID to the numeric id of the GA4 property.")
        if not settings.GA_CREDENTIALS_FILE:
            raise CommandError("Set GA_CREDENTIALS_FILE to the service account's JSON key file.")
        start = arguments.given(arguments.day, start, "--start")
        end = arguments.given(arguments.day, end, "--end") or timezone.localdate()
        if start is None:
            # The last stored month may have been partial when it was fetched: fetch it again.
            start = last_synced_month() or end.replace(month=1, day=1)
        if start > end:
            raise CommandError(f"--start {start} is after --end {end}.")
        with advisory_lock(CHECKPOINT) as acquired:
            if not acquired:
                raise CommandError("Another sync_analytics is running; nothing done.")
            try:
                client = google_analytics.build_client(google_analytics.authorized_http())
                with tqdm(desc="months", unit="month", disable=not sys.stdout.isatty(), file=sys.stderr) as bar:
                    result = sync_analytics(
                        client=client, property_id=settings.GA_PROPERTY_ID, start=start, end=end, progress=bar
                    )
            except google_analytics.AnalyticsError as error:
                raise CommandError(f"{error}. Nothing was written.") from error
        for problem in result.skipped:
            self.stderr.write(f"Skipped a row: {problem}")
        months = ", ".join(f"{month:%Y-%m}" for month in result.months) or "none"
        self.stdout.write(
            f"Google Analytics {start}..{end}: {len(result.months)} month(s) stored "
            f"({result.created} new, {result.updated} updated, {len(result.skipped)} skipped): {months}."
        )
