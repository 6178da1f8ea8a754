import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from crm.workers import arguments
from crm.workers.locks import advisory_lock
from deals import shop, sync


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Pull the shop's orders (or import an orders file) into contacts, deals, orders, items and products. "
        "Resumes from the checkpoint of the last run; safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            type=arguments.moment,
            help="Orders modified from this date (YYYY-MM-DD) or moment (ISO 8601) on, instead of the checkpoint.",
        )
        parser.add_argument("--file", help="Import this JSON or CSV orders file instead of calling the shop.")
        parser.add_argument("--dry-run", action="store_true", help="Do everything, then roll back.")

    def handle(self, *args, since=None, file=None, dry_run=False, **options):
        backend = "rest" if file else settings.SHOP_BACKEND
        with advisory_lock("sync_shop_orders") as acquired:
            if not acquired:
                raise CommandError("Another sync_shop_orders is running; this one stops without importing.")
            state = sync.sync_state(f"orders:{backend}")
            started_at = timezone.now()
            start = arguments.given(arguments.moment, since, "--since") or state.checkpoint
            try:
                client = None if file else shop.get_shop()
                parse = shop.parse_rest_order if file else client.parse_order
                pages = self._file_pages(file) if file else client.orders(since=start)
                importer = sync.OrderImport(backend=backend, parse=parse)
                summary = self._run(importer, pages, dry_run)
            except shop.ShopError as error:
                if not dry_run:
                    sync.record_run(
                        state=state, started_at=started_at, summary=shop.Summary(), checkpoint=None, error=str(error)
                    )
                raise CommandError(str(error)) from error
            if not dry_run:
                checkpoint = importer.latest_modified if not file else None
                sync.record_run(state=state, started_at=started_at, summary=summary, checkpoint=checkpoint)
        for problem in summary.problems:
            self.stdout.write(f"  {problem}")
        prefix = "Dry run, nothing kept: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{summary}"))

    def _file_pages(self, file: str):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        return shop.read_order_file(content, path.name)

    def _run(self, importer, pages, dry_run):
        with tqdm(unit="page", disable=None, file=sys.stderr, desc="orders") as progress:
            if not dry_run:
                return sync.run_import(importer=importer, pages=pages, progress=progress)
            try:
                with transaction.atomic():
                    summary = sync.run_import(importer=importer, pages=pages, progress=progress)
                    raise Rollback
            except Rollback:
                return summary
