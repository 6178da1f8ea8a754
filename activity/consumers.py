from activity.services import EVERYONE_GROUP, STREAM
from crm.realtime.broadcast import user_group
from crm.realtime.websocket import Consumer


class ActivityConsumer(Consumer):
    """`/ws/activity/`: new entries by the user and by their subordinates; everyone's for the owner and admins."""

    async def authorize(self):
        groups = [user_group(STREAM, self.user.pk)]
        if self.user.is_owner_or_admin:
            groups = [EVERYONE_GROUP]
        return groups

    async def activity_created(self, event):
        await self.forward(event)
