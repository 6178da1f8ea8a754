"""Every refusal as a browser meets it: a real server, a real client, a close code and a reason to read.

A browser's WebSocket reports a handshake refused with HTTP 403 only as 1006, whatever the cause; a
socket that is accepted and then closed shows its close code and reason. Each refusal must therefore
arrive as a close frame, and nothing may come before it.
"""

import asyncio

import pytest
from django.conf import settings
from django.utils import timezone
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from chat.tests.factories import chat_with
from crm.tests.support.sockets import ServerProcess, shared_services_or_skip
from users.models import WebSocketTicket
from users.services import ws_ticket_issue
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 10


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """One server (SOCKET_SERVER: uvicorn) for the module, on this session's test database and Redis."""
    with django_db_blocker.unblock():
        env = shared_services_or_skip()
    process = ServerProcess(env, tmp_path_factory.mktemp("server"))
    process.wait_ready()
    yield process
    process.stop()


def closed_with(server, path: str, *, ticket: str | None = None, origin: str | None = "server") -> tuple[int, str]:
    """Open `path` as a browser would and return the close frame's (code, reason); fails on any data frame."""
    query = f"?ticket={ticket}" if ticket else ""
    origin = server.url if origin == "server" else origin

    async def scenario():
        async with connect(f"ws://127.0.0.1:{server.port}{path}{query}", origin=origin, open_timeout=TIMEOUT) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                frame = await asyncio.wait_for(socket.recv(), TIMEOUT)
                pytest.fail(f"a refused socket was sent {frame!r} before its close")
        return closed.value.rcvd.code, closed.value.rcvd.reason

    return asyncio.run(scenario())


def test_no_ticket(server):
    assert closed_with(server, "/ws/notifications/") == (4401, "no ticket")


def test_expired_ticket(server):
    ticket = ws_ticket_issue(user=UserFactory())
    WebSocketTicket.objects.update(expires_at=timezone.now() - settings.WS_TICKET_TTL)
    assert closed_with(server, "/ws/notifications/", ticket=ticket) == (4401, "ticket expired or used")


def test_reused_ticket(server):
    ticket = ws_ticket_issue(user=UserFactory())

    async def first_use():
        url = f"ws://127.0.0.1:{server.port}/ws/timer/?ticket={ticket}"
        async with connect(url, origin=server.url, open_timeout=TIMEOUT) as socket:
            assert await asyncio.wait_for(socket.recv(), TIMEOUT)  # the timer's state: the socket is open

    asyncio.run(first_use())
    assert closed_with(server, "/ws/timer/", ticket=ticket) == (4401, "ticket expired or used")


def test_garbage_ticket(server):
    assert closed_with(server, "/ws/timer/", ticket="not-a-ticket") == (4401, "ticket expired or used")


def test_ticket_of_a_deactivated_user(server):
    user = UserFactory()
    ticket = ws_ticket_issue(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert closed_with(server, "/ws/presence/", ticket=ticket) == (4401, "ticket expired or used")


def test_chat_that_does_not_exist(server):
    ticket = ws_ticket_issue(user=UserFactory())
    assert closed_with(server, "/ws/chat/987654/", ticket=ticket) == (4404, "no such chat")


def test_chat_of_which_the_user_is_not_a_member(server):
    chat = chat_with(UserFactory(), owner=UserFactory())
    ticket = ws_ticket_issue(user=UserFactory())
    assert closed_with(server, f"/ws/chat/{chat.pk}/", ticket=ticket) == (4403, "not a member of this chat")


def test_stream_that_does_not_exist(server):
    ticket = ws_ticket_issue(user=UserFactory())
    assert closed_with(server, "/ws/no-such-stream/", ticket=ticket) == (4404, "no such stream")


@pytest.mark.parametrize("origin", ["http://evil.example.com", None])
def test_foreign_or_missing_origin_is_refused_and_the_ticket_is_left_alone(server, origin):
    ticket = ws_ticket_issue(user=UserFactory())
    assert closed_with(server, "/ws/notifications/", ticket=ticket, origin=origin) == (4403, "origin not allowed")
    assert WebSocketTicket.objects.exists(), "a cross-site socket must not get as far as the ticket"
