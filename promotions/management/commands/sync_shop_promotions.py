import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from crm.workers.locks import advisory_lock
from deals import shop
from deals.sync import record_run, sync_state
from promotions import sync


class Command(BaseCommand):
    help = "Copy the shop's promotions, promo codes and discounts (products' sale periods) into the database."

    def handle(self, *args, **options):
        backend = settings.SHOP_BACKEND
        with advisory_lock("sync_shop_promotions") as acquired:
            if not acquired:
                raise CommandError("Another sync_shop_promotions is running; this one stops without importing.")
            state = sync_state(f"promotions:{backend}")
            started_at = timezone.now()
            try:
                client = shop.get_shop()
                with tqdm(unit="page", disable=None, file=sys.stderr, desc="promotions") as progress:
                    summaries = sync.import_all(client=client, source=backend, progress=progress)
            except shop.ShopError as error:
                record_run(
                    state=state, started_at=started_at, summary=shop.Summary(), checkpoint=None, error=str(error)
                )
                raise CommandError(str(error)) from error
            total = shop.Summary()
            for kind_summary in summaries.values():
                for name in ("created", "updated", "unchanged", "skipped"):
                    setattr(total, name, getattr(total, name) + getattr(kind_summary, name))
                total.problems += kind_summary.problems
            record_run(state=state, started_at=started_at, summary=total, checkpoint=None)
            state.last_summary = {kind: summary.as_dict() for kind, summary in summaries.items()}
            state.save(update_fields=["last_summary"])
        for kind, summary in summaries.items():
            for problem in summary.problems:
                self.stdout.write(f"  {kind} {problem}")
            self.stdout.write(f"{kind.replace('_', ' ')}: {summary}")
        self.stdout.write(self.style.SUCCESS(f"total: {total}"))
