from django.core.management.base import BaseCommand

from users.services import presence_sweep


class Command(BaseCommand):
    help = (
        "Push the presence changes that time alone makes (online to away, away to offline) to /ws/presence/. "
        "Run it from cron every minute."
    )

    def handle(self, *args, **options):
        pushed = presence_sweep()
        self.stdout.write(f"Pushed {pushed} presence change(s).")
