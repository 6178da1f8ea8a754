"""Time alone turns a user away and offline: `update_presence` (cron) pushes what no socket event announces."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from crm.tests.support.sockets import receive_type
from users.models import Presence, User
from users.services import presence_sweep
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


@db
def sweep() -> int:
    return presence_sweep()


@db
def move_back(user: User, seconds: float) -> None:
    """As if `seconds` had passed since the user was last seen."""
    user.refresh_from_db()
    User.objects.filter(pk=user.pk).update(last_seen=user.last_seen - timedelta(seconds=seconds))


async def nothing_for(socket, user: User, timeout: float = 0.3) -> None:
    """No presence change of `user` arrives (others' may)."""
    while not await socket.receive_nothing(timeout=timeout):
        event = await socket.receive_json_from()
        assert event.get("user") != user.pk, event


async def test_a_user_whose_last_socket_closed_long_ago_turns_offline_and_colleagues_hear_it(ws):
    watcher, user = await db(UserFactory)(), await db(UserFactory)()
    watching, *_ = await ws("/ws/presence/", user=watcher)
    tab, *_ = await ws("/ws/notifications/", user=user)
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.ONLINE
    await tab.disconnect()
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.AWAY

    # Still within PRESENCE_OFFLINE_AFTER: away, and nothing new to say.
    await move_back(user, settings.PRESENCE_OFFLINE_AFTER * 60 - 30)
    await sweep()
    await nothing_for(watching, user)

    await move_back(user, 31)
    assert await sweep() == 1
    event = await receive_type(watching, "presence.changed", user=user.pk)
    assert event["presence"] == Presence.OFFLINE
    assert (await db(User.objects.get)(pk=user.pk)).presence == Presence.OFFLINE

    # Said once: the next runs stay quiet.
    assert await sweep() == 0
    await nothing_for(watching, user)


async def test_a_user_who_only_calls_the_api_turns_away_then_offline(ws, settings):
    watcher, user = await db(UserFactory)(), await db(UserFactory)(last_seen=timezone.now())
    watching, *_ = await ws("/ws/presence/", user=watcher)
    await sweep()  # tells everyone's current presence once
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.ONLINE
    await move_back(user, settings.PRESENCE_ONLINE_SECONDS + 1)
    await sweep()
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.AWAY
    await move_back(user, settings.PRESENCE_OFFLINE_AFTER * 60)
    await sweep()
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.OFFLINE


async def test_a_user_with_a_socket_open_stays_online_however_long_since_their_last_request(ws):
    watcher, user = await db(UserFactory)(), await db(UserFactory)()
    watching, *_ = await ws("/ws/presence/", user=watcher)
    await ws("/ws/timer/", user=user)
    assert (await receive_type(watching, "presence.changed", user=user.pk))["presence"] == Presence.ONLINE
    await move_back(user, 2 * 60 * 60)
    await sweep()
    await nothing_for(watching, user)
    refreshed = await db(User.objects.get)(pk=user.pk)
    assert refreshed.presence == Presence.ONLINE
    assert timezone.now() - refreshed.last_seen < timedelta(minutes=1)


async def test_explicit_statuses_and_deactivated_users_are_left_alone(ws):
    watcher = await db(UserFactory)()
    busy = await db(UserFactory)(status="dnd", last_seen=timezone.now() - timedelta(days=1))
    gone = await db(UserFactory)(is_active=False, last_seen=timezone.now() - timedelta(days=1))
    watching, *_ = await ws("/ws/presence/", user=watcher)
    await sweep()
    assert (await receive_type(watching, "presence.changed", user=busy.pk))["presence"] == Presence.DND
    await sweep()
    await nothing_for(watching, busy)
    await nothing_for(watching, gone)
