"""Sockets that say nothing for a while stay open and still hear the next push.

On Redis, the layer's blocking read waits 5 s; a client read timeout not longer
than that closed every quiet socket with 1011 after about 5 s.
"""

import asyncio

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from activity.services import activity_record
from chat.services import message_create
from chat.tests.factories import chat_with
from crm.tests.support.sockets import receive_type
from notifications.services import notify
from timetracker.services import timer_start
from users.models import Role
from users.services import user_set_status
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

IDLE_SECONDS = 15

db = database_sync_to_async


@pytest.fixture
def redis_layer():
    if not settings.REDIS_URL:
        pytest.skip("the idle timeout is a property of the Redis layer: set REDIS_URL")


async def test_every_stream_stays_open_when_idle_and_then_hears_a_push(redis_layer, ws):
    admin = await db(UserFactory)(role=Role.ADMIN)
    colleague = await db(UserFactory)()
    chat = await db(chat_with)(colleague, owner=admin)
    sockets = {}
    for path in (f"/ws/chat/{chat.pk}/", "/ws/notifications/", "/ws/activity/", "/ws/presence/", "/ws/timer/"):
        socket, connected, code = await ws(path, user=admin)
        assert connected, (path, code)
        sockets[path] = socket
    await receive_type(sockets["/ws/notifications/"], "notification.unread_count")
    await receive_type(sockets["/ws/timer/"], "timer.state")

    await asyncio.sleep(IDLE_SECONDS)

    await db(message_create)(chat=chat, author=colleague, text="still there?")
    await db(notify)(recipient=admin, kind="task_shared", title="after the pause")
    await db(activity_record)(actor=colleague, verb="waved")
    await db(user_set_status)(user=colleague, status="dnd")
    await db(timer_start)(user=admin)
    expected = {
        f"/ws/chat/{chat.pk}/": "chat.message",
        "/ws/notifications/": "notification.created",
        "/ws/activity/": "activity.created",
        "/ws/presence/": "presence.changed",
        "/ws/timer/": "timer.state",
    }
    for path, event_type in expected.items():
        assert (await receive_type(sockets[path], event_type))["type"] == event_type, path
