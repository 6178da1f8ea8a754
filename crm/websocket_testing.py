"""Helpers for consumer tests: open sockets on the real ASGI application, wait for an event type."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from users.services import ws_ticket_issue

ORIGIN = b"http://127.0.0.1"
TIMEOUT = 5


async def issue_ticket(user) -> str:
    return await database_sync_to_async(ws_ticket_issue)(user=user)


async def open_socket(path: str, *, user=None, ticket: str | None = None, origin: bytes = ORIGIN, headers=()):
    """Connect to `path` (with a fresh ticket for `user`); returns (communicator, connected, close code)."""
    from crm.asgi import application

    if user is not None and ticket is None:
        ticket = await issue_ticket(user)
    query = f"?ticket={ticket}" if ticket else ""
    communicator = WebsocketCommunicator(
        application, path + query, headers=[(b"origin", origin), (b"host", b"127.0.0.1"), *headers]
    )
    connected, code = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected, code


async def receive_type(
    communicator: WebsocketCommunicator, event_type: str, *, timeout: float = TIMEOUT, **where
) -> dict:
    """The next event of `event_type` whose keys equal `where`, skipping others (presence changes...)."""
    while True:
        event = await communicator.receive_json_from(timeout=timeout)
        if event["type"] == event_type and all(event.get(key) == value for key, value in where.items()):
            return event
