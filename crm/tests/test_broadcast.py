"""Pushes from sync code with no event loop of its own (a WSGI worker) go through one loop thread per process."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from crm.realtime import broadcast


@pytest.fixture
def own_loop():
    if not settings.REDIS_URL:
        pytest.skip("the in-memory layer's queues belong to their sockets' loop: set REDIS_URL")
    broadcast.push_from_own_loop()
    yield broadcast._own_loop
    broadcast._own_loop = None


def push_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "crm-pushes"]


@pytest.mark.django_db(transaction=True)
def test_pushes_of_a_worker_share_one_loop_and_arrive(own_loop):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)("broadcast-test", channel)
    for n in range(5):
        with transaction.atomic():
            broadcast.broadcast("broadcast-test", "test.event", {"n": n})
    assert len(push_threads()) == 1 and own_loop.loop.is_running()

    async def receive_all():
        return [(await layer.receive(channel))["payload"]["n"] for _ in range(5)]

    assert async_to_sync(receive_all)() == [0, 1, 2, 3, 4]


def test_the_in_memory_layer_keeps_pushing_from_the_callers_loop(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    broadcast.push_from_own_loop()
    assert broadcast._own_loop is None
