from channels.db import database_sync_to_async

from crm.realtime.broadcast import user_group
from crm.realtime.websocket import Consumer
from timetracker import selectors, services
from timetracker.serializers import TimerStateSerializer


class TimerConsumer(Consumer):
    """`/ws/timer/`: the user's own timer. Any tab may start, pause, resume or stop it; every tab hears the state."""

    actions = {"start": "start", "pause": "pause", "resume": "resume", "stop": "stop"}

    async def authorize(self):
        return [user_group(services.STREAM, self.user.pk)]

    async def accepted(self):
        state = await database_sync_to_async(selectors.timer_state)(user=self.user)
        await self.send_json({"type": "timer.state", "state": TimerStateSerializer(state).data})

    async def start(self, content):
        await database_sync_to_async(services.timer_start)(user=self.user)

    async def pause(self, content):
        await database_sync_to_async(services.timer_pause)(user=self.user)

    async def resume(self, content):
        await database_sync_to_async(services.timer_resume)(user=self.user)

    async def stop(self, content):
        await database_sync_to_async(services.timer_stop)(user=self.user)

    async def timer_state(self, event):
        await self.forward(event)
