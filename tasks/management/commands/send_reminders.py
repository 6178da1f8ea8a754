from django.core.management.base import BaseCommand

from tasks.services import reminders_send


class Command(BaseCommand):
    help = "Send the task reminders whose time has come; each goes out once. Run it from cron every minute."

    def handle(self, *args, **options):
        sent = reminders_send()
        self.stdout.write(f"Sent {sent} reminder(s).")
