from channels.db import database_sync_to_async

from crm.realtime.broadcast import user_group
from crm.realtime.websocket import Consumer
from notifications import selectors
from notifications.services import STREAM


class NotificationConsumer(Consumer):
    """`/ws/notifications/`: the user's own notifications as they are created, and seen marks from other tabs."""

    async def authorize(self):
        return [user_group(STREAM, self.user.pk)]

    async def accepted(self):
        count = await database_sync_to_async(selectors.notification_unread_count)(user=self.user)
        await self.send_json({"type": "notification.unread_count", "count": count})

    async def notification_created(self, event):
        await self.forward(event)

    async def notification_seen(self, event):
        await self.forward(event)
