import pytest
from channels.db import database_sync_to_async

from crm.tests.support.sockets import receive_type
from users.models import Presence, Status, User
from users.services import user_set_status
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def test_explicit_status_change_reaches_colleagues(ws):
    watcher, user = await db(UserFactory)(), await db(UserFactory)()
    socket, *_ = await ws("/ws/presence/", user=watcher)
    await db(user_set_status)(user=user, status=Status.DND)
    event = await receive_type(socket, "presence.changed", user=user.pk)
    assert (event["presence"], event["status"]) == (Presence.DND, Status.DND)


async def test_first_socket_makes_a_user_online_and_the_last_one_away(ws):
    watcher, user = await db(UserFactory)(), await db(UserFactory)()
    watching, *_ = await ws("/ws/presence/", user=watcher)
    tab_1, *_ = await ws("/ws/timer/", user=user)
    event = await receive_type(watching, "presence.changed", user=user.pk)
    assert event["presence"] == Presence.ONLINE
    tab_2, *_ = await ws("/ws/notifications/", user=user)
    await tab_1.disconnect()
    assert (await db(User.objects.get)(pk=user.pk)).presence == Presence.ONLINE, "one tab is still open"
    await tab_2.disconnect()
    event = await receive_type(watching, "presence.changed", user=user.pk)
    assert event["presence"] == Presence.AWAY
    assert (await db(User.objects.get)(pk=user.pk)).presence == Presence.AWAY
