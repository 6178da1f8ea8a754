"""WebSocket plumbing shared by every stream: authentication, refusals, JSON framing.

A browser proves who it is with a single-use ticket from `POST /api/auth/ws-ticket/`
(`?ticket=...`, consumed on connect) or, on the server-rendered pages, with the
Django session. Origins are checked against ALLOWED_HOSTS. A socket that may not
open is accepted and at once closed with one of the close codes below and a short,
stable English reason (the close frame's), with nothing sent before the close: a
browser reports a handshake refused with HTTP 403 only as 1006, so a client could
not tell "get a new ticket" from "you are not a member".
"""

import asyncio
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddlewareStack
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.middleware import BaseMiddleware
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator, OriginValidator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import re_path
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

# The reasons sent with the close codes: short, English and stable, for clients to compare.
NO_TICKET = "no ticket"
TICKET_REFUSED = "ticket expired or used"
USER_DEACTIVATED = "user deactivated"
PASSWORD_CHANGED = "password changed"
ORIGIN_NOT_ALLOWED = "origin not allowed"
NO_SUCH_STREAM = "no such stream"
FELL_BEHIND_REASON = "fell behind"
TRY_AGAIN_LATER_REASON = "try again later"

# Where `Consumer.forward` keeps an event's encoded frame on the event itself.
_FRAME = "_frame"


class TicketAuthMiddleware(BaseMiddleware):
    """`?ticket=` wins over the session; a ticket that does not work leaves the socket anonymous."""

    async def __call__(self, scope, receive, send):
        tickets = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("ticket")
        if tickets:
            user = await database_sync_to_async(accounts().ticket_user)(token=tickets[0])
            # `ticket_refused`: a ticket was given and did not work, as against no ticket at all.
            scope = dict(scope, user=user or AnonymousUser(), ticket_refused=user is None)
        return await super().__call__(scope, receive, send)


class Refusal(AsyncJsonWebsocketConsumer):
    """Accepts a socket only to close it with `code` and `reason`: reads nothing, sends nothing else."""

    code = NOT_FOUND
    reason = NO_SUCH_STREAM

    async def connect(self):
        await self.accept()
        await self.close(code=self.code, reason=self.reason)
        raise StopConsumer


class OriginRefusal(Refusal):
    code = NOT_ALLOWED
    reason = ORIGIN_NOT_ALLOWED


class ReadableOriginValidator(OriginValidator):
    """As channels' `AllowedHostsOriginValidator`, but a foreign or missing `Origin` reads 4403 "origin not allowed".

    A browser always sends `Origin`: a wrong one is a cross-site page. The socket is
    accepted only to be closed: nothing below this validator runs (no session, no ticket
    consumed), nothing is read from it and nothing but the close is sent.
    """

    async def __call__(self, scope, receive, send):
        # As channels reads it: the last `Origin` header, if any (latin-1 decodes any bytes).
        origins = [value for name, value in scope.get("headers", []) if name == b"origin"]
        if self.valid_origin(urlparse(origins[-1].decode("latin1")) if origins else None):
            return await self.application(scope, receive, send)
        return await OriginRefusal.as_asgi()(scope, receive, send)


def websocket_application(routes):
    # The allowed origins exactly as channels' factory has them (ALLOWED_HOSTS, or loopback under DEBUG).
    allowed = AllowedHostsOriginValidator(None).allowed_origins
    # A path no stream has is closed with 4404 rather than failing the handshake.
    routes = [*routes, re_path(r"", Refusal.as_asgi())]
    return ReadableOriginValidator(AuthMiddlewareStack(TicketAuthMiddleware(URLRouter(routes))), allowed)


def pass_close_reasons_through_daphne() -> None:
    """Have daphne send the reason of a `websocket.close`, as the ASGI spec and uvicorn do.

    Daphne 4.2 drops it (django/daphne#374), and through autobahn's `sendClose` it also
    raises on 1013 (only 1000 and 3000-4999 pass there). For an open socket the close
    frame is sent as it is asked for; anything else goes to daphne as before. Nothing
    changes once daphne's own `serverClose` takes a reason.
    """
    try:
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:
        return
    if "reason" in inspect.signature(WebSocketProtocol.serverClose).parameters or hasattr(
        WebSocketProtocol, "_crm_close_reasons"
    ):
        return
    handle_reply = WebSocketProtocol.handle_reply

    def handle_reply_with_reason(self, message):
        if message.get("type") == "websocket.close" and self.state == self.STATE_OPEN:
            # A reason is at most 123 bytes of UTF-8 (RFC 6455, 5.5): cut on a character boundary.
            reason = (message.get("reason") or "").encode()[:123].decode(errors="ignore").encode()
            self.sendCloseFrame(code=message.get("code") or 1000, reasonUtf8=reason or None)
            return None
        return handle_reply(self, message)

    WebSocketProtocol.handle_reply = handle_reply_with_reason
    WebSocketProtocol._crm_close_reasons = True


class Refused(Exception):
    def __init__(self, code: int, reason: str):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


def error_messages(error: Exception) -> list[str] | str | dict:
    if isinstance(error, APIException):
        return json.loads(json.dumps(error.detail))
    if isinstance(error, DjangoValidationError):
        return error.message_dict if hasattr(error, "error_dict") else error.messages
    return str(error)


async def _pass_client_messages(receive, inbox) -> None:
    while True:
        message = await receive()
        inbox.put_from_client(message)
        if message["type"] == "websocket.disconnect":
            return


class Consumer(AsyncJsonWebsocketConsumer):
    """Base of every stream's consumer.

    A subclass implements `authorize()`, returning the groups the socket joins or
    raising `Refused(code, reason)`, and maps the client's message types to methods in
    `actions`. Events sent with `crm.realtime.broadcast.broadcast` reach handlers named
    after their type; `forward` passes one on to the client as it is.
    """

    actions: dict[str, str] = {}

    async def __call__(self, scope, receive, send):
        """As Channels' own, but the consumer awaits one inbox that the layer's reader and its client fill.

        Channels waits on the client and on the layer at once, with a new task and an
        `asyncio.wait` for every message: most of a socket process' CPU when it pushes thousands
        of events a second. A layer without inboxes (the in-memory one) gets Channels' loop.
        """
        layer = get_channel_layer(self.channel_layer_alias)
        if not hasattr(layer, "inbox"):
            return await super().__call__(scope, receive, send)
        self.scope, self.channel_layer, self.base_send = scope, layer, send
        self.channel_name = await layer.new_channel()
        inbox = layer.inbox(self.channel_name)
        client = asyncio.ensure_future(_pass_client_messages(receive, inbox))
        try:
            while True:
                await self.dispatch(await inbox.get())
        except StopConsumer:
            pass
        finally:
            client.cancel()
            layer.forget(self.channel_name)

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
        self.counted = self.opened = False
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.refuse(NOT_AUTHENTICATED, TICKET_REFUSED if self.scope.get("ticket_refused") else NO_TICKET)
        if not user.is_active:
            await self.refuse(NOT_AUTHENTICATED, USER_DEACTIVATED)
        self.user = user
        try:
            groups = await self.authorize()
        except Refused as refusal:
            await self.refuse(refusal.code, refusal.reason)
        try:
            # Every socket of a user also hears events about the user themselves (deactivation).
            for group in [*groups, user_group(accounts().personal_stream, user.pk)]:
                await self.channel_layer.group_add(group, self.channel_name)
                self.joined.append(group)
            await self.accept()
            self.opened = self.counted = True
            await database_sync_to_async(accounts().socket_opened)(user=self.user)
        except (RedisError, OSError) as error:
            logger.warning("socket refused, the channel layer is unavailable: %r", error)
            self.joined, self.counted = [], False
            await self.refuse(TRY_AGAIN_LATER, TRY_AGAIN_LATER_REASON)
        await self.accepted()

    async def refuse(self, code: int, reason: str) -> None:
        """Accept the socket and close it at once, then end the consumer: a refused socket waits for nothing more.

        Accepted first so that a browser reads `code` and `reason` (a handshake refused with
        HTTP 403 shows only as 1006); nothing is sent between the accept and the close.
        """
        if not self.opened:
            await self.accept()
        await self.close(code=code, reason=reason)
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
        await self.close(code=NOT_AUTHENTICATED, reason=USER_DEACTIVATED)

    async def user_password_changed(self, event: dict) -> None:
        # Whoever opened the socket with the old password must not keep hearing events after the change.
        await self.close(code=NOT_AUTHENTICATED, reason=PASSWORD_CHANGED)

    # From crm.realtime.channel_layer

    async def layer_overflow(self, event: dict) -> None:
        """Events for this socket were dropped; a client that reconnects fetches what it missed."""
        logger.warning("closing a socket of user %s that fell behind", self.user.pk)
        await self.close(code=FELL_BEHIND, reason=FELL_BEHIND_REASON)
        await self.disconnect(FELL_BEHIND)
        raise StopConsumer

    async def layer_unavailable(self, event: dict) -> None:
        await self.close(code=TRY_AGAIN_LATER, reason=TRY_AGAIN_LATER_REASON)
        await self.disconnect(TRY_AGAIN_LATER)
        raise StopConsumer
