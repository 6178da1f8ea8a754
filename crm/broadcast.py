"""The one way services push events to WebSocket clients."""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction


def broadcast(group: str, type: str, payload: dict) -> None:
    """Send `payload` to every socket in `group` once the current transaction commits.

    Nothing is pushed for a write that rolls back. Consumers receive
    `{"type": type, "payload": payload}`; `type` names their handler
    ("chat.message" -> `chat_message`).
    """
    # Plain JSON now, as the Redis layer would carry it: the in-memory layer must not hide what Redis refuses.
    message = {"type": type, "payload": json.loads(json.dumps(payload, cls=DjangoJSONEncoder))}
    transaction.on_commit(lambda: _send(group, message))


def _send(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def user_group(stream: str, user_id: int) -> str:
    """The group of one user's sockets on a stream: all their tabs, in every server process."""
    return f"{stream}.user.{user_id}"
