"""The project's Redis channel layer: batched group sends, overflow made visible, Redis outages survived."""

import asyncio
import subprocess
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.urls import reverse

from chat.models import Message
from chat.services import chat_group
from chat.tests.factories import chat_with
from crm.realtime import broadcast
from crm.realtime.channel_layer import OVERFLOW, READER_BLOCK_SECONDS, RedisChannelLayer
from crm.realtime.websocket import FELL_BEHIND, TRY_AGAIN_LATER
from crm.tests.support.sockets import free_port, receive_type
from users.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.asyncio]

db = database_sync_to_async


@pytest.fixture
def redis_url():
    if not settings.REDIS_URL:
        pytest.skip("a property of the Redis layer: set REDIS_URL")
    return settings.REDIS_URL


def _layer(url, **config):
    return RedisChannelLayer(
        hosts=[{"address": url, "socket_timeout": 15}], prefix=f"test{time.monotonic_ns()}", **config
    )


async def test_group_send_batch_reaches_every_group_with_its_own_message(redis_url):
    layer = _layer(redis_url)
    channels = [await layer.new_channel() for _ in range(3)]
    for n, channel in enumerate(channels):
        await layer.group_add(f"user.{n}", channel)
    await layer.group_add("everyone", channels[0])
    await layer.group_send_batch([(f"user.{n}", {"type": "hello", "n": n}) for n in range(3)] + [("nobody", {})])
    for n, channel in enumerate(channels):
        assert await asyncio.wait_for(layer.receive(channel), 5) == {"type": "hello", "n": n}
    await layer.flush()


async def test_events_waiting_in_bulk_reach_every_socket_once_and_in_order(redis_url):
    """More events than one receive takes at a time (crm.realtime.channel_layer.RECEIVE_BATCH), for two sockets,
    sent in one batch (which once gave them one timestamp, and Redis ordered them at random)."""
    layer = _layer(redis_url, capacity=1000)
    sockets = [await layer.new_channel() for _ in range(2)]
    for socket in sockets:
        await layer.group_add("room", socket)
    await layer.group_send_batch([("room", {"type": "event", "n": n}) for n in range(250)])
    for socket in sockets:
        got = [(await asyncio.wait_for(layer.receive(socket), 5))["n"] for _ in range(250)]
        assert got == list(range(250))
    await layer.flush()


async def test_a_socket_that_falls_behind_gets_an_overflow_notice_not_a_gap(redis_url):
    layer = _layer(redis_url, capacity=3)
    reader, laggard = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("laggard", laggard)
    # The reader holds the process' receive loop and buffers the laggard's events while it reads nothing.
    reading = asyncio.ensure_future(layer.receive(reader))
    for n in range(6):
        await layer.group_send("laggard", {"type": "event", "n": n})
    await asyncio.sleep(0.5)
    await layer.send(reader, {"type": "done"})
    assert await asyncio.wait_for(reading, 5) == {"type": "done"}
    assert await asyncio.wait_for(layer.receive(laggard), 5) == OVERFLOW
    await layer.flush()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_told_it_fell_behind_closes_with_its_code(redis_url, ws):
    owner, member = await db(UserFactory)(), await db(UserFactory)()
    chat = await db(chat_with)(member, owner=owner)
    socket, connected, _code = await ws(f"/ws/chat/{chat.pk}/", user=member)
    assert connected
    await get_channel_layer().group_send(chat_group(chat.pk), dict(OVERFLOW))
    closed = await socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": FELL_BEHIND, "reason": "fell behind"}


class RedisServer:
    """A Redis of the test's own on a free port, stopped and started again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(settings, redis_url):
    """Redis as configured in production, but the test's own server; the project's settings need REDIS_URL."""
    server = RedisServer()
    server.start()
    shared_cache, shared_layers = settings.CACHES, settings.CHANNEL_LAYERS
    shared_host = dict(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0], address=server.url)
    cache_options = settings.CACHES["default"]["OPTIONS"]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "crm.realtime.channel_layer.RedisChannelLayer",
            "CONFIG": {"hosts": [shared_host], "prefix": "fault"},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": cache_options,
        }
    }
    yield server
    # Later teardowns (the cache's) use the shared Redis again, not this one.
    settings.CACHES, settings.CHANNEL_LAYERS = shared_cache, shared_layers
    if server.process.poll() is None:
        server.stop()


def _post(api, user, chat, text):
    response = api.as_user(user).post(reverse("chat:message-list"), {"chat": chat.pk, "text": text})
    return response.status_code


@pytest.mark.django_db(transaction=True)
async def test_redis_going_down_and_back_loses_no_write_and_needs_no_restart(own_redis, ws, api):
    owner, member = await db(UserFactory)(), await db(UserFactory)()
    chat = await db(chat_with)(member, owner=owner)
    socket, connected, _code = await ws(f"/ws/chat/{chat.pk}/", user=member)
    assert connected
    assert await db(_post)(api, owner, chat, "before") == 201
    seen = (await receive_type(socket, "chat.message"))["message"]
    assert seen["text"] == "before"

    own_redis.stop()
    dropped = broadcast.dropped_pushes().get("chat.message", 0)
    started = time.monotonic()
    assert await db(_post)(api, owner, chat, "while down") == 201, "the write stands without its push"
    assert time.monotonic() - started < 5
    assert broadcast.dropped_pushes()["chat.message"] == dropped + 1
    assert await db(Message.objects.filter(text="while down").exists)()
    signed_in = await db(api.post)(reverse("auth:token"), {"email": member.email, "password": PASSWORD}, format="json")
    assert signed_in.status_code == 200, "signing in counts attempts in process memory while Redis is away"
    assert await socket.receive_output(timeout=10) == {
        "type": "websocket.close",
        "code": TRY_AGAIN_LATER,
        "reason": "try again later",
    }
    refused, connected, code = await ws(f"/ws/chat/{chat.pk}/", user=member)
    assert (connected, code, refused.close_reason) == (False, TRY_AGAIN_LATER, "try again later")

    own_redis.start()
    socket, connected, _code = await ws(f"/ws/chat/{chat.pk}/", user=member)
    assert connected, "a client reconnects once Redis is back"
    await socket.send_json_to({"type": "fetch_messages", "after": seen["id"]})
    missed = (await receive_type(socket, "chat.messages"))["messages"]
    assert [m["text"] for m in missed] == ["while down"]
    assert await db(_post)(api, owner, chat, "after") == 201
    assert (await receive_type(socket, "chat.message"))["message"]["text"] == "after"


async def test_a_socket_opened_after_the_last_one_closed_hears_its_events(redis_url):
    """The process' reader ends once no socket is left to read for; the next socket starts it again."""
    layer = _layer(redis_url)
    first = await layer.new_channel()
    await layer.send(first, {"type": "one"})
    assert await asyncio.wait_for(layer.receive(first), 5) == {"type": "one"}
    layer.forget(first)
    await asyncio.sleep(READER_BLOCK_SECONDS + 0.5)
    assert layer.reader.done()
    second = await layer.new_channel()
    await layer.send(second, {"type": "two"})
    assert await asyncio.wait_for(layer.receive(second), 5) == {"type": "two"}
    await layer.flush()
