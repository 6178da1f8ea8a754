import sys
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from calls.binotel import BinotelError, windows
from calls.services import checkpoint_get
from calls.sync import BACKFILL, backfill, rest_client
from crm.workers import arguments
from crm.workers.locks import advisory_lock

LOCK = "calls.sync_binotel_calls"


class Command(BaseCommand):
    help = (
        "Backfill Binotel calls through the REST API (stats/list-of-calls-for-period), in windows under 24 hours. "
        "Idempotent; without --since it resumes from its checkpoint (or the last day)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", type=arguments.moment, help="ISO date or date-time; default: the checkpoint")
        parser.add_argument("--until", type=arguments.moment, help="ISO date or date-time; default: now")

    def handle(self, *args, **options):
        client = rest_client()
        if client is None:
            raise CommandError("Set BINOTEL_API_KEY and BINOTEL_API_SECRET.")
        until = arguments.given(arguments.moment, options["until"], "--until") or timezone.now()
        since = (
            arguments.given(arguments.moment, options["since"], "--since")
            or checkpoint_get(name=BACKFILL)
            or until - timedelta(days=1)
        )
        if since >= until:
            raise CommandError("--since must be before --until.")
        with advisory_lock(LOCK) as acquired:
            if not acquired:
                raise CommandError("Another sync_binotel_calls is running; nothing done.")
            total = sum(1 for _window in windows(since, until))
            with tqdm(total=total, unit="window", disable=not sys.stdout.isatty(), file=sys.stdout) as progress:
                try:
                    summary = backfill(
                        client=client, since=since, until=until, on_window=lambda *_window: progress.update()
                    )
                except BinotelError as error:
                    raise CommandError(f"Binotel failed: {error}. Re-run to resume from the checkpoint.") from None
        self.stdout.write(f"{since.isoformat()} .. {until.isoformat()}: {summary}")
        for line in summary.skipped:
            self.stderr.write(f"skipped {line}")
