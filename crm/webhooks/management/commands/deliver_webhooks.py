import signal
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crm.webhooks import delivery
from crm.workers.locks import advisory_lock


class Command(BaseCommand):
    help = (
        "Send the queued webhook deliveries, signed, retrying failures with backoff for about a day. "
        "Loops until SIGTERM; --once drains what is due and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit.")
        parser.add_argument("--sleep", type=float, default=5.0, help="Seconds between two looks at the queue.")
        parser.add_argument("--batch", type=int, default=100, help="Rows claimed at a time.")

    def handle(self, *args, once=False, sleep=5.0, batch=100, **options):
        self.stopping = False
        total = delivery.Summary()
        previous = signal.signal(signal.SIGTERM, self._stop)
        try:
            with advisory_lock("deliver_webhooks") as acquired:
                if not acquired:
                    raise CommandError("Another deliver_webhooks is running; this one stops without sending.")
                while True:
                    with tqdm(unit="delivery", disable=None, file=sys.stderr, desc="webhooks") as progress:
                        summary = delivery.run_once(batch=batch, progress=progress, stop=lambda: self.stopping)
                    total.add(summary)
                    if once or self.stopping:
                        break
                    if summary.delivered or summary.failed or summary.retrying or summary.skipped:
                        self.stdout.write(str(summary))
                    self._sleep(sleep)
                    if self.stopping:
                        break
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write(self.style.SUCCESS(f"Stopped. In all: {total}" if not once else str(total)))

    def _stop(self, signum, frame):
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.5, deadline - time.monotonic()))
