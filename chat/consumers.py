from channels.db import database_sync_to_async
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from chat import selectors, services
from chat.serializers import MessageSerializer
from crm.api.ids import MAX_ID
from crm.realtime.websocket import NOT_ALLOWED, NOT_FOUND, Consumer, Refused


def _optional_id(content: dict, key: str) -> int | None:
    value = content.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise ValidationError({key: [_("Must be a message id.")]})
    return value


@database_sync_to_async
def _page(chat, before, after):
    rows, has_more = selectors.message_page(chat=chat, before=before, after=after)
    return MessageSerializer(rows, many=True).data, has_more


@database_sync_to_async
def _post(chat, author, text):
    return services.message_create(chat=chat, author=author, text=text).pk


NO_SUCH_CHAT = "no such chat"
NOT_A_MEMBER = "not a member of this chat"
REMOVED = "removed from this chat"


class ChatConsumer(Consumer):
    """`/ws/chat/<chat_id>/`: one chat room. Members only; anyone else's socket is closed with 4403 at once."""

    actions = {"fetch_messages": "fetch_messages", "new_message": "new_message", "read": "read"}

    async def authorize(self):
        chat_id = int(self.scope["url_route"]["kwargs"]["chat_id"])
        self.chat, membership = await database_sync_to_async(selectors.chat_membership)(chat_id=chat_id, user=self.user)
        if self.chat is None:
            raise Refused(NOT_FOUND, NO_SUCH_CHAT)
        if membership is None:
            raise Refused(NOT_ALLOWED, NOT_A_MEMBER)
        return [services.chat_group(chat_id)]

    # From the client

    async def fetch_messages(self, content):
        """Pages of 50: newest first, or older than `before`; or, to catch up, the first 50 after `after`."""
        before, after = _optional_id(content, "before"), _optional_id(content, "after")
        if before is not None and after is not None:
            raise ValidationError({"after": [_("Give either before or after, not both.")]})
        messages, has_more = await _page(self.chat, before, after)
        await self.send_json({"type": "chat.messages", "messages": messages, "has_more": has_more})

    async def new_message(self, content):
        text = content.get("text")
        if not isinstance(text, str):
            raise ValidationError({"text": [_("Must be a string.")]})
        client_id = content.get("client_id")
        if client_id is not None and (not isinstance(client_id, str) or len(client_id) > 64):
            raise ValidationError({"client_id": [_("Must be a string of at most 64 characters.")]})
        message_id = await _post(self.chat, self.user, text)
        # Only now is the message committed: a client may forget its copy.
        await self.send_json({"type": "chat.sent", "id": message_id, "client_id": client_id})

    async def read(self, content):
        up_to = _optional_id(content, "up_to")
        if up_to is None:
            raise ValidationError({"up_to": [_("This field is required.")]})
        await database_sync_to_async(services.chat_mark_read)(chat=self.chat, user=self.user, up_to=up_to)

    # From the services

    async def chat_message(self, event):
        await self.forward(event)

    async def chat_read(self, event):
        await self.forward(event)

    async def chat_updated(self, event):
        await self.forward(event)

    async def chat_member_added(self, event):
        await self.forward(event)

    async def chat_admin_removed(self, event):
        await self.forward(event)

    async def chat_member_removed(self, event):
        await self.forward(event)
        if event["payload"]["user"] == self.user.pk:
            await self.close(code=NOT_ALLOWED, reason=REMOVED)
