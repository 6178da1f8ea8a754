from calls.services import EVERYONE_GROUP, STREAM
from crm.realtime.broadcast import user_group
from crm.realtime.websocket import Consumer


class CallConsumer(Consumer):
    """`/ws/calls/`: the live call panel. A user hears their own calls and their subordinates'; the owner and
    admins hear every call. An incoming call arrives with who is calling before anyone answers."""

    async def authorize(self):
        if self.user.is_owner_or_admin:
            return [EVERYONE_GROUP]
        return [user_group(STREAM, self.user.pk)]

    async def call_updated(self, event):
        await self.forward(event)
