"""The WebSocket plumbing every stream shares: tickets, sessions, origins, close codes."""

import asyncio
import json
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.test import Client
from django.utils import timezone

from crm.realtime.broadcast import user_group
from crm.realtime.websocket import NOT_ALLOWED, NOT_AUTHENTICATED, NOT_FOUND, Consumer
from crm.tests.support.sockets import issue_ticket, receive_type
from notifications.services import STREAM as NOTIFICATIONS
from users.models import WebSocketTicket
from users.services import user_deactivate
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

STREAMS = ["/ws/notifications/", "/ws/activity/", "/ws/presence/", "/ws/timer/"]


@pytest.mark.parametrize("path", STREAMS)
async def test_socket_without_ticket_is_refused_with_4401(ws, path):
    communicator, connected, code = await ws(path)
    assert (connected, code, communicator.close_reason) == (False, NOT_AUTHENTICATED, "no ticket")


@pytest.mark.parametrize("path", STREAMS)
async def test_socket_with_a_ticket_opens(ws, path):
    user = await database_sync_to_async(UserFactory)()
    _communicator, connected, _code = await ws(path, user=user)
    assert connected


async def test_ticket_works_once(ws):
    user = await database_sync_to_async(UserFactory)()
    ticket = await issue_ticket(user)
    _first, connected, _code = await ws("/ws/notifications/", ticket=ticket)
    assert connected
    second, connected, code = await ws("/ws/notifications/", ticket=ticket)
    assert (connected, code, second.close_reason) == (False, NOT_AUTHENTICATED, "ticket expired or used")


async def test_expired_ticket_is_refused(ws):
    user = await database_sync_to_async(UserFactory)()
    ticket = await issue_ticket(user)
    await database_sync_to_async(WebSocketTicket.objects.update)(expires_at=timezone.now() - settings.WS_TICKET_TTL)
    communicator, connected, code = await ws("/ws/notifications/", ticket=ticket)
    assert (connected, code, communicator.close_reason) == (False, NOT_AUTHENTICATED, "ticket expired or used")


async def test_garbage_ticket_is_refused(ws):
    communicator, connected, code = await ws("/ws/notifications/", ticket="not-a-ticket")
    assert (connected, code, communicator.close_reason) == (False, NOT_AUTHENTICATED, "ticket expired or used")


async def test_ticket_of_a_deactivated_user_is_refused(ws):
    user = await database_sync_to_async(UserFactory)()
    ticket = await issue_ticket(user)
    user.is_active = False
    await database_sync_to_async(user.save)()
    communicator, connected, code = await ws("/ws/notifications/", ticket=ticket)
    assert (connected, code, communicator.close_reason) == (False, NOT_AUTHENTICATED, "ticket expired or used")


async def test_foreign_origin_is_refused(ws):
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, code = await ws("/ws/notifications/", user=user, origin=b"http://evil.example.com")
    assert (connected, code, communicator.close_reason) == (False, NOT_ALLOWED, "origin not allowed")


async def test_unknown_path_is_closed_with_4404(ws):
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, code = await ws("/ws/nothing-here/", user=user)
    assert (connected, code, communicator.close_reason) == (False, NOT_FOUND, "no such stream")


async def test_a_socket_that_opened_is_not_taken_for_a_refusal(ws):
    """The state a stream sends on connect is kept for the test, not mistaken for the close of a refusal."""
    user = await database_sync_to_async(UserFactory)()
    communicator, connected, _code = await ws("/ws/timer/", user=user)
    assert connected and communicator.close_reason is None
    assert (await receive_type(communicator, "timer.state"))["state"]["running"] is False


def _session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def test_session_of_a_logged_in_user_opens_a_socket(ws):
    user = await database_sync_to_async(UserFactory)(is_staff=True)
    cookie = await database_sync_to_async(_session_cookie)(user)
    communicator, connected, _code = await ws("/ws/notifications/", headers=[(b"cookie", cookie)])
    assert connected
    assert (await receive_type(communicator, "notification.unread_count"))["count"] == 0


async def test_malformed_and_unknown_messages_get_an_error_not_a_crash(ws):
    user = await database_sync_to_async(UserFactory)()
    communicator, _connected, _code = await ws("/ws/timer/", user=user)
    await communicator.send_to(text_data="{not json")
    assert (await receive_type(communicator, "error"))["detail"]
    await communicator.send_json_to(["a", "list"])
    assert (await receive_type(communicator, "error"))["detail"]
    await communicator.send_json_to({"type": "no-such-thing"})
    assert (await receive_type(communicator, "error"))["detail"]


async def test_deactivating_a_user_closes_their_open_sockets(ws):
    admin, user = await database_sync_to_async(UserFactory)(role="admin"), await database_sync_to_async(UserFactory)()
    communicator, connected, _code = await ws("/ws/timer/", user=user)
    assert connected
    await database_sync_to_async(user_deactivate)(user=user, actor=admin)
    while (output := await communicator.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert (output["code"], output["reason"]) == (NOT_AUTHENTICATED, "user deactivated")


async def test_a_push_reaches_its_socket_while_the_database_thread_is_busy(ws):
    """Forwarding an event needs no database: it must not queue behind the process' one database thread."""
    user = await database_sync_to_async(UserFactory)()
    communicator, _connected, _code = await ws("/ws/notifications/", user=user)
    await receive_type(communicator, "notification.unread_count")
    release = threading.Event()
    busy = asyncio.ensure_future(sync_to_async(release.wait, thread_sensitive=True)(10))
    try:
        await asyncio.sleep(0.1)  # the database thread is now waiting on `release`
        event = {"type": "notification.seen", "payload": {"ids": [1]}}
        await get_channel_layer().group_send(user_group(NOTIFICATIONS, user.pk), event)
        assert await receive_type(communicator, "notification.seen", timeout=2) == {
            "type": "notification.seen",
            "ids": [1],
        }
        assert not busy.done()
    finally:
        release.set()
        await busy


async def test_an_event_for_several_sockets_of_a_process_is_encoded_once():
    """The Redis layer hands one event object to every socket of the process it reaches: one encoding serves all."""
    frames = []

    class Probe(Consumer):
        encoded = 0

        @classmethod
        async def encode_json(cls, content):
            cls.encoded += 1
            return await super().encode_json(content)

        async def send(self, text_data=None, bytes_data=None, close=False):
            frames.append(text_data)

    event = {"type": "notification.seen", "payload": {"ids": [1]}}
    for socket in (Probe(), Probe(), Probe()):
        await socket.forward(event)
    assert Probe.encoded == 1
    assert [json.loads(frame) for frame in frames] == [{"type": "notification.seen", "ids": [1]}] * 3


async def test_every_socket_of_a_group_gets_the_same_frame(ws):
    user = await database_sync_to_async(UserFactory)()
    sockets = [(await ws("/ws/notifications/", user=user))[0] for _ in range(3)]
    for communicator in sockets:
        await receive_type(communicator, "notification.unread_count")
    event = {"type": "notification.seen", "payload": {"ids": [7], "all": False}}
    await get_channel_layer().group_send(user_group(NOTIFICATIONS, user.pk), event)
    for communicator in sockets:
        assert await receive_type(communicator, "notification.seen") == {
            "type": "notification.seen",
            "ids": [7],
            "all": False,
        }
