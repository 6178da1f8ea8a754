import asyncio
import signal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.binotel import AuthFailed
from calls.sync import build_listener, rest_client
from crm.realtime.runtime import freeze_loaded_objects


class Command(BaseCommand):
    help = (
        "Listen to Binotel's WebSocket and store calls as they happen; reconnects with backoff and fills "
        "any gap through the REST API. Stops cleanly on SIGTERM or SIGINT."
    )

    def handle(self, *args, **options):
        if not (settings.BINOTEL_WS_KEY and settings.BINOTEL_WS_SECRET):
            raise CommandError("Set BINOTEL_WS_KEY and BINOTEL_WS_SECRET.")
        listener = build_listener(
            url=settings.BINOTEL_WS_URL,
            key=settings.BINOTEL_WS_KEY,
            secret=settings.BINOTEL_WS_SECRET,
            client=rest_client(),
        )
        freeze_loaded_objects()
        try:
            asyncio.run(self._run(listener))
        except AuthFailed as error:
            raise CommandError(f"Binotel refused the key and secret: {error}") from None
        self.stdout.write(f"Stopped after {listener.connections} connection(s).")

    async def _run(self, listener):
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        self.stdout.write(f"Listening to {settings.BINOTEL_WS_URL}")
        await listener.run(stop)
