from django.core.management.base import BaseCommand, CommandError

from crm.realtime.broadcast import pushes_reach_other_processes
from users.services import presence_sweep


class Command(BaseCommand):
    help = (
        "Push the presence changes that time alone makes (online to away, away to offline) to /ws/presence/. "
        "Run it from cron every minute; it needs REDIS_URL, the channel layer the servers listen on."
    )

    def handle(self, *args, **options):
        if not pushes_reach_other_processes():
            raise CommandError(
                "REDIS_URL is not set: presence changes pushed from this command would reach no server process. "
                "Set REDIS_URL for the servers and for this command."
            )
        pushed = presence_sweep()
        self.stdout.write(f"Pushed {pushed} presence change(s).")
