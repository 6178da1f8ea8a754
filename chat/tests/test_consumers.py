import pytest
from channels.db import database_sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chat.models import ChatMember, Message, MessageStatus
from chat.services import chat_remove_member
from chat.tests.factories import MessageFactory, chat_with
from crm.realtime.websocket import NOT_ALLOWED, NOT_AUTHENTICATED, NOT_FOUND
from crm.tests.support.sockets import receive_type
from notifications.models import Notification
from users.tests.factories import UserFactory

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


async def make_room(n_members=1, **fields):
    owner = await db(UserFactory)()
    members = [await db(UserFactory)() for _ in range(n_members)]
    chat = await db(chat_with)(*members, owner=owner, **fields)
    return chat, owner, members


async def test_unknown_chat_is_refused_with_4404(ws):
    user = await db(UserFactory)()
    c, connected, code = await ws("/ws/chat/987654/", user=user)
    assert (connected, code, c.close_reason) == (False, NOT_FOUND, "no such chat")


async def test_non_member_is_refused_with_4403_and_hears_nothing(ws):
    chat, _owner, _members = await make_room()
    outsider = await db(UserFactory)()
    c, connected, code = await ws(f"/ws/chat/{chat.pk}/", user=outsider)
    assert (connected, code, c.close_reason) == (False, NOT_ALLOWED, "not a member of this chat")


async def test_anonymous_is_refused_with_4401(ws):
    chat, _owner, _members = await make_room()
    c, connected, code = await ws(f"/ws/chat/{chat.pk}/")
    assert (connected, code, c.close_reason) == (False, NOT_AUTHENTICATED, "no ticket")


async def test_new_message_is_saved_then_reaches_every_member_and_the_author_hears_it_was_stored(ws):
    chat, owner, (member,) = await make_room()
    author_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    member_tab_1, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    member_tab_2, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    await author_socket.send_json_to({"type": "new_message", "text": "  Hello, team  ", "client_id": "draft-1"})
    # The author's socket hears both, in either order.
    author_events = {}
    while len(author_events) < 2:
        event = await author_socket.receive_json_from(timeout=5)
        author_events[event["type"]] = event
    for event in (
        author_events["chat.message"],
        await receive_type(member_tab_1, "chat.message"),
        await receive_type(member_tab_2, "chat.message"),
    ):
        assert event["message"]["text"] == "Hello, team"
        assert event["message"]["author"]["id"] == owner.pk
    stored = await db(Message.objects.get)()
    assert stored.pk == event["message"]["id"]
    assert author_events["chat.sent"] == {"type": "chat.sent", "id": stored.pk, "client_id": "draft-1"}
    notes = await db(lambda: list(Notification.objects.values_list("recipient_id", "kind")))()
    assert notes == [], "a group message without a mention notifies nobody"


async def test_a_message_that_is_refused_is_never_confirmed(ws):
    chat, owner, _members = await make_room()
    socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    await socket.send_json_to({"type": "new_message", "text": "x" * 10001, "client_id": "too-long"})
    assert (await receive_type(socket, "error"))["detail"]
    await socket.send_json_to({"type": "new_message", "text": "fine", "client_id": 7})
    assert "client_id" in (await receive_type(socket, "error"))["detail"]
    assert not await db(Message.objects.exists)()


async def test_fetch_messages_after_an_id_catches_up_oldest_first(ws):
    chat, owner, _members = await make_room()
    messages = await db(lambda: [MessageFactory(chat=chat, author=owner) for _ in range(55)])()
    socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    await socket.send_json_to({"type": "fetch_messages", "after": messages[2].pk})
    page = await receive_type(socket, "chat.messages")
    assert [m["id"] for m in page["messages"]] == [m.pk for m in messages[3:53]] and page["has_more"]
    await socket.send_json_to({"type": "fetch_messages", "after": messages[52].pk})
    page = await receive_type(socket, "chat.messages")
    assert [m["id"] for m in page["messages"]] == [m.pk for m in messages[53:]] and not page["has_more"]
    await socket.send_json_to({"type": "fetch_messages", "after": messages[1].pk, "before": messages[9].pk})
    assert "after" in (await receive_type(socket, "error"))["detail"]
    await socket.send_json_to({"type": "fetch_messages", "after": -1})
    assert "after" in (await receive_type(socket, "error"))["detail"]


async def test_fetch_messages_pages_of_fifty_newest_first(ws):
    chat, owner, _members = await make_room()
    await db(lambda: [MessageFactory(chat=chat, author=owner) for _ in range(55)])()
    socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    await socket.send_json_to({"type": "fetch_messages"})
    first = await receive_type(socket, "chat.messages")
    ids = [m["id"] for m in first["messages"]]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True) and first["has_more"]
    await socket.send_json_to({"type": "fetch_messages", "before": ids[-1]})
    second = await receive_type(socket, "chat.messages")
    assert len(second["messages"]) == 5 and not second["has_more"]
    assert max(m["id"] for m in second["messages"]) < ids[-1]
    await socket.send_json_to({"type": "fetch_messages", "before": "abc"})
    assert "before" in (await receive_type(socket, "error"))["detail"]


async def test_member_who_was_offline_gets_every_message_after_reconnecting(ws):
    chat, owner, (member,) = await make_room()
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    await member_socket.disconnect()
    owner_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    for n in range(60):
        await owner_socket.send_json_to({"type": "new_message", "text": f"message {n}"})
    for _n in range(60):
        await receive_type(owner_socket, "chat.message")
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    received, before = [], None
    while True:
        await member_socket.send_json_to({"type": "fetch_messages", "before": before})
        page = await receive_type(member_socket, "chat.messages")
        received += [m["text"] for m in page["messages"]]
        if not page["has_more"]:
            break
        before = page["messages"][-1]["id"]
    assert sorted(received) == sorted(f"message {n}" for n in range(60))


async def test_read_receipt_is_stored_and_broadcast(ws):
    chat, owner, (member,) = await make_room()
    message = await db(MessageFactory)(chat=chat, author=owner)
    owner_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    await member_socket.send_json_to({"type": "read", "up_to": message.pk})
    receipt = await receive_type(owner_socket, "chat.read")
    assert receipt == {"type": "chat.read", "chat": chat.pk, "user": member.pk, "up_to": message.pk}
    membership = await db(ChatMember.objects.get)(chat=chat, user=member)
    assert membership.last_read_id == message.pk
    assert (await db(Message.objects.get)(pk=message.pk)).status == MessageStatus.READ


async def test_in_a_channel_only_owner_and_admins_post(ws):
    chat, owner, (member,) = await make_room(is_channel=True)
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    await member_socket.send_json_to({"type": "new_message", "text": "may I?"})
    assert (await receive_type(member_socket, "error"))["detail"]
    assert not await db(Message.objects.exists)()
    owner_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    await owner_socket.send_json_to({"type": "new_message", "text": "announcement"})
    assert (await receive_type(member_socket, "chat.message"))["message"]["text"] == "announcement"


async def test_removed_member_is_disconnected_and_cannot_post(ws):
    chat, owner, (member,) = await make_room()
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    await db(chat_remove_member)(chat=chat, actor=owner, user=member)
    await receive_type(member_socket, "chat.member_removed")
    closed = await member_socket.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": NOT_ALLOWED, "reason": "removed from this chat"}


async def test_empty_or_non_text_message_is_an_error(ws):
    chat, owner, _members = await make_room()
    socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=owner)
    await socket.send_json_to({"type": "new_message", "text": "   "})
    assert (await receive_type(socket, "error"))["detail"]
    await socket.send_json_to({"type": "new_message", "text": 5})
    assert "text" in (await receive_type(socket, "error"))["detail"]
    assert not await db(Message.objects.exists)()


async def test_file_posted_over_rest_reaches_the_room(ws, api):
    chat, owner, (member,) = await make_room()
    member_socket, *_ = await ws(f"/ws/chat/{chat.pk}/", user=member)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan")
    response = await db(
        lambda: api.as_user(owner).post(
            reverse("chat:message-list"), {"chat": chat.pk, "text": "the plan", "file": upload}, format="multipart"
        )
    )()
    assert response.status_code == 201
    message = (await receive_type(member_socket, "chat.message"))["message"]
    assert message["text"] == "the plan" and message["files"][0]["name"] == "plan.pdf"
