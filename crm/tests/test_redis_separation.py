"""The cache and the channel layer live in separate Redis databases: a cache.clear() (FLUSHDB) keeps every group."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache

from crm.tests.support.sockets import receive_type
from crm.tests.test_settings import run
from users.services import PRESENCE_GROUP
from users.tests.factories import UserFactory

PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['address']); print(s.CACHES['default']['LOCATION'])"
)


def locations(**env):
    result = run(PROBE, **{"REDIS_CACHE_URL": "", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_cache_takes_the_database_after_the_channel_layers():
    assert locations(REDIS_URL="redis://127.0.0.1:6379/0") == ["redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"]
    assert locations(REDIS_URL="redis://:pw@redis.example:6380") == [
        "redis://:pw@redis.example:6380",
        "redis://:pw@redis.example:6380/1",
    ]
    assert locations(REDIS_URL="rediss://redis.example:6379/4") == [
        "rediss://redis.example:6379/4",
        "rediss://redis.example:6379/5",
    ]
    assert locations(REDIS_URL="unix:///run/redis.sock?db=2") == [
        "unix:///run/redis.sock?db=2",
        "unix:///run/redis.sock?db=3",
    ]


def test_a_cache_url_of_its_own_is_used_but_never_the_channel_layers_database():
    assert locations(REDIS_URL="redis://127.0.0.1:6379/0", REDIS_CACHE_URL="redis://cache.example:6379/0") == [
        "redis://127.0.0.1:6379/0",
        "redis://cache.example:6379/0",
    ]
    shared = run(PROBE, REDIS_URL="redis://127.0.0.1:6379/3", REDIS_CACHE_URL="redis://127.0.0.1:6379/3")
    assert shared.returncode != 0
    assert "REDIS_CACHE_URL names the channel layer's database" in shared.stderr
    shared = run(PROBE, REDIS_URL="redis://127.0.0.1:6379", REDIS_CACHE_URL="redis://127.0.0.1:6379/0")
    assert shared.returncode != 0


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_clearing_the_cache_leaves_sockets_in_their_groups(ws):
    if not settings.REDIS_URL:
        pytest.skip("the cache and the channel layer share no Redis without REDIS_URL")
    user = await database_sync_to_async(UserFactory)()
    socket, connected, _code = await ws("/ws/presence/", user=user)
    assert connected
    await database_sync_to_async(cache.clear)()
    event = {"type": "presence.changed", "payload": {"user": 0, "presence": "online", "status": "", "last_seen": None}}
    await get_channel_layer().group_send(PRESENCE_GROUP, event)
    assert (await receive_type(socket, "presence.changed", user=0))["presence"] == "online"
