"""WebSocket plumbing shared by every stream: authentication, refusals, JSON framing.

A browser proves who it is with a single-use ticket from `POST /api/auth/ws-ticket/`
(`?ticket=...`, consumed on connect) or, on the server-rendered pages, with the
Django session. Origins are checked against ALLOWED_HOSTS. A socket that may not
open is refused before the handshake completes, with one of the close codes below.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.middleware import BaseMiddleware
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from redis.exceptions import RedisError
from rest_framework.exceptions import APIException, ParseError

from crm.api.parsers import load_json
from crm.realtime.broadcast import user_group

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Accounts:
    """What sockets need of the accounts app, which plugs it in (`plug_accounts`, from its `ready()`):
    the user a ticket was issued to (or None), what to do when a user's socket opens and closes, and
    the stream of the per-user group every socket joins (deactivation and password changes close it)."""

    ticket_user: Callable
    socket_opened: Callable
    socket_closed: Callable
    personal_stream: str


_accounts: list[Accounts] = []


def plug_accounts(accounts: Accounts) -> None:
    _accounts[:] = [accounts]


def accounts() -> Accounts:
    if not _accounts:
        raise ImproperlyConfigured("No accounts app plugged into crm.realtime.websocket (plug_accounts).")
    return _accounts[0]


NOT_AUTHENTICATED = 4401
NOT_ALLOWED = 4403
NOT_FOUND = 4404
# The socket fell so far behind that events for it had to be dropped: reconnect and fetch what came after.
FELL_BEHIND = 4429
# The channel layer (Redis) is unreachable: reconnect in a while.
TRY_AGAIN_LATER = 1013

# Where `Consumer.forward` keeps an event's encoded frame on the event itself.
_FRAME = "_frame"


class TicketAuthMiddleware(BaseMiddleware):
    """`?ticket=` wins over the session; a ticket that does not work leaves the socket anonymous."""

    async def __call__(self, scope, receive, send):
        tickets = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket")
        if tickets:
            user = await database_sync_to_async(accounts().ticket_user)(token=tickets[0])
            scope = dict(scope, user=user or AnonymousUser())
        return await super().__call__(scope, receive, send)


def websocket_application(routes):
    return AllowedHostsOriginValidator(AuthMiddlewareStack(TicketAuthMiddleware(URLRouter(routes))))


class Refused(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def error_messages(error: Exception) -> list[str] | str | dict:
    if isinstance(error, APIException):
        return json.loads(json.dumps(error.detail))
    if isinstance(error, DjangoValidationError):
        return error.message_dict if hasattr(error, "error_dict") else error.messages
    return str(error)


class Consumer(AsyncJsonWebsocketConsumer):
    """Base of every stream's consumer.

    A subclass implements `authorize()`, returning the groups the socket joins or
    raising `Refused(code)`, and maps the client's message types to methods in
    `actions`. Events sent with `crm.realtime.broadcast.broadcast` reach handlers named
    after their type; `forward` passes one on to the client as it is.
    """

    actions: dict[str, str] = {}

    async def dispatch(self, message):
        """As channels' own, without its hop to the database thread before every event.

        Channels closes stale database connections before each handler (`aclose_old_connections`),
        a call through the one database thread of the process: a chat message pushed to 25 sockets
        queued 25 such calls behind whatever that thread was doing (bench/README.md). A handler here
        touches the database only through `database_sync_to_async`, which closes them itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.joined: list[str] = []
        self.counted = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.refuse(NOT_AUTHENTICATED)
        self.user = user
        try:
            groups = await self.authorize()
        except Refused as refusal:
            await self.refuse(refusal.code)
        try:
            # Every socket of a user also hears events about the user themselves (deactivation).
            for group in [*groups, user_group(accounts().personal_stream, user.pk)]:
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined.append(group)
            await self.accept()
            self.counted = True
            await database_sync_to_async(accounts().socket_opened)(user=self.user)
        except (RedisError, OSError) as error:
            logger.warning("socket refused, the channel layer is unavailable: %r", error)
            self.joined, self.counted = [], False
            await self.refuse(TRY_AGAIN_LATER)
        await self.accepted()

    async def refuse(self, code: int) -> None:
        """Close the socket and end the consumer: a refused socket waits for nothing more."""
        await self.close(code=code)
        raise StopConsumer

    async def authorize(self) -> list[str]:
        raise NotImplementedError

    async def accepted(self) -> None:
        """Called once the socket is open, e.g. to send the current state."""

    async def disconnect(self, code):
        try:
            for group in getattr(self, "joined", []):
                await self.channel_layer.group_discard(group, self.channel_name)
            if getattr(self, "counted", False):
                self.counted = False
                await database_sync_to_async(accounts().socket_closed)(user=self.user)
        except (RedisError, OSError) as error:
            # The groups expire on their own (group_expiry); the socket counter with the cache.
            logger.warning("socket closed while the channel layer is unavailable: %r", error)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            content = load_json(text_data or "")
        except ParseError:
            content = None
        if not isinstance(content, dict):
            await self.send_error(_("A message must be a JSON object."))
            return
        method = self.actions.get(content.get("type"))
        if method is None:
            await self.send_error(_("Unknown message type."))
            return
        try:
            await getattr(self, method)(content)
        except (APIException, DjangoValidationError) as error:
            await self.send_error(error_messages(error))

    async def send_error(self, detail) -> None:
        await self.send_json({"type": "error", "detail": detail})

    async def forward(self, event: dict) -> None:
        # The Redis layer hands the same event to every socket of the process it reaches (one message for all
        # of them): encoded once, not once per socket.
        frame = event.get(_FRAME)
        if frame is None:
            frame = event[_FRAME] = await self.encode_json({"type": event["type"], **event["payload"]})
        await self.send(text_data=frame)

    async def user_deactivated(self, event: dict) -> None:
        await self.close(code=NOT_AUTHENTICATED)

    async def user_password_changed(self, event: dict) -> None:
        # Whoever opened the socket with the old password must not keep hearing events after the change.
        await self.close(code=NOT_AUTHENTICATED)

    # From crm.realtime.channel_layer

    async def layer_overflow(self, event: dict) -> None:
        """Events for this socket were dropped; a client that reconnects fetches what it missed."""
        logger.warning("closing a socket of user %s that fell behind", self.user.pk)
        await self.close(code=FELL_BEHIND)
        await self.disconnect(FELL_BEHIND)
        raise StopConsumer

    async def layer_unavailable(self, event: dict) -> None:
        await self.close(code=TRY_AGAIN_LATER)
        await self.disconnect(TRY_AGAIN_LATER)
        raise StopConsumer
