from django.conf import settings
from django.core.management.base import BaseCommand

from crm import trash


class Command(BaseCommand):
    help = "Erase for good what has been in the trash longer than TRASH_DAYS. Run it daily from cron."

    def handle(self, *args, **options):
        summary = trash.purge(before=trash.purge_cutoff())
        for kind, counts in summary.items():
            line = f"{kind}: {counts['purged']} purged"
            if counts["kept"]:
                line += f", {counts['kept']} kept (something new depends on them)"
            self.stdout.write(line)
        self.stdout.write(f"Purged what was deleted more than {settings.TRASH_DAYS} day(s) ago.")
