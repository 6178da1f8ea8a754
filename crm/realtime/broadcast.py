"""The one way services push events to WebSocket clients."""

import asyncio
import json
import logging
import os
import threading
from collections import Counter

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Pushes given up in this process because the channel layer could not take them (see `dropped_pushes`).
_dropped: Counter = Counter()


def pushes_reach_other_processes() -> bool:
    """Whether a push from this process reaches sockets served by another (a command's pushes need it).

    The in-memory layer of the embedded default only reaches sockets of the process that pushes.
    """
    backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    return bool(backend) and not backend.endswith("InMemoryChannelLayer")


def broadcast(group: str, type: str, payload: dict) -> None:
    """Send `payload` to every socket in `group` once the current transaction commits.

    Nothing is pushed for a write that rolls back. Consumers receive
    `{"type": type, "payload": payload}`; `type` names their handler
    ("chat.message" -> `chat_message`).
    """
    broadcast_many([(group, type, payload)])


def broadcast_many(pushes: list[tuple[str, str, dict]]) -> None:
    """`broadcast` of each (group, type, payload), all in one round trip to the channel layer."""
    if not pushes:
        return
    # Plain JSON now, as the Redis layer would carry it: the in-memory layer must not hide what Redis refuses.
    sends = [
        (group, {"type": type, "payload": json.loads(json.dumps(payload, cls=DjangoJSONEncoder))})
        for group, type, payload in pushes
    ]
    transaction.on_commit(lambda: _send(sends))


class _OwnLoop:
    """One event loop thread per process for pushes from code that has no loop of its own (a WSGI worker).

    `async_to_sync` there starts a thread and an event loop for every push, and the channel layer, whose
    Redis connections belong to a loop, connects anew each time: 7-14 ms a push. Made lazily, so a forked
    worker (gunicorn's preload_app) starts its own.
    """

    def __init__(self):
        self.pid, self.loop, self.lock = None, None, threading.Lock()

    def run(self, coroutine, timeout: float):
        with self.lock:
            if self.pid != os.getpid():
                self.loop = asyncio.new_event_loop()
                threading.Thread(target=self.loop.run_forever, name="crm-pushes", daemon=True).start()
                self.pid = os.getpid()
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


_own_loop: _OwnLoop | None = None
# A push that waits longer than this is counted dropped (a TimeoutError); the Redis client's own timeouts are shorter.
OWN_LOOP_TIMEOUT = 30


def push_from_own_loop() -> None:
    """Send this process' pushes through one event loop thread of its own (crm/wsgi.py: sync workers, no loop).

    Only for a channel layer that reaches other processes: the in-memory layer's queues belong to the loop
    of the sockets they serve."""
    global _own_loop
    if pushes_reach_other_processes():
        _own_loop = _own_loop or _OwnLoop()


def _send(sends: list[tuple[str, dict]]) -> None:
    try:
        if _own_loop is not None:
            _own_loop.run(_group_send_batch(sends), OWN_LOOP_TIMEOUT)
        else:
            async_to_sync(_group_send_batch)(sends)
    except (RedisError, OSError) as error:
        # The write stands; clients catch up when they reconnect (fetch what came after the last id they saw).
        for _group, message in sends:
            _dropped[message["type"]] += 1
        logger.warning("%s push(es) dropped, the channel layer is unavailable: %r", len(sends), error)


async def _group_send_batch(sends: list[tuple[str, dict]]) -> None:
    layer = get_channel_layer()
    if hasattr(layer, "group_send_batch"):
        await layer.group_send_batch(sends)
        return
    for group, message in sends:
        await layer.group_send(group, message)


def dropped_pushes() -> dict[str, int]:
    """How many pushes of each type this process has dropped since it started."""
    return dict(_dropped)


def user_group(stream: str, user_id: int) -> str:
    """The group of one user's sockets on a stream: all their tabs, in every server process."""
    return f"{stream}.user.{user_id}"
