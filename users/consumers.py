from crm.realtime.websocket import Consumer
from users.services import PRESENCE_GROUP


class PresenceConsumer(Consumer):
    """`/ws/presence/`: colleagues' presence changes (explicit statuses, sockets opening and closing)."""

    async def authorize(self):
        return [PRESENCE_GROUP]

    async def presence_changed(self, event):
        await self.forward(event)
