import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chat.models import Chat, ChatMember, Message
from chat.tests.factories import MessageFactory, chat_with
from crm.tests.support.queries import assert_constant_queries
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHATS = reverse("chat:chat-list")
MESSAGES = reverse("chat:message-list")


def detail(chat, suffix=""):
    return reverse("chat:chat-detail", args=[chat.pk]) + suffix


def test_chat_list_shows_my_chats_with_last_message_and_my_unread_count(api, employee):
    colleague = UserFactory()
    chat = chat_with(employee, owner=colleague)
    chat_with(colleague)  # not mine
    MessageFactory(chat=chat, author=colleague, text="first")
    last = MessageFactory(chat=chat, author=colleague, text="second")
    MessageFactory(chat=chat, author=employee, text="mine")  # my own never count as unread
    ChatMember.objects.filter(chat=chat, user=employee).update(last_read_id=last.pk - 1)
    response = api.as_user(employee).get(CHATS)
    assert response.status_code == 200
    (row,) = response.data["results"]
    assert row["id"] == chat.pk
    assert row["last_message"]["text"] == "mine"
    assert row["unread_count"] == 1
    assert {m["user"]["id"] for m in row["members"]} == {employee.pk, colleague.pk}


def test_chat_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for _ in range(n):
            chat = chat_with(employee, UserFactory())
            MessageFactory(chat=chat, author=chat.owner)

    # the user, the count, the page of chats with their annotations, the members with their users
    assert assert_constant_queries(api.as_user(employee), CHATS, add_rows) <= 4


def test_create_chat_makes_me_owner_and_admin(api, employee):
    colleague = UserFactory()
    response = api.as_user(employee).post(
        CHATS, {"name": "sales", "display_name": "Sales", "members": [colleague.pk]}, format="json"
    )
    assert response.status_code == 201, response.data
    chat = Chat.objects.get(name="sales")
    assert chat.owner == employee
    assert set(chat.memberships.values_list("user_id", "is_admin")) == {(employee.pk, True), (colleague.pk, False)}


def test_create_chat_with_a_taken_name_or_unknown_member_is_refused(api, employee):
    chat_with(name="taken")
    client = api.as_user(employee)
    assert client.post(CHATS, {"name": "taken", "display_name": "x"}, format="json").status_code == 409
    assert Chat.objects.filter(name="taken").count() == 1
    response = client.post(CHATS, {"name": "new", "display_name": "x", "members": [999999]}, format="json")
    assert response.status_code == 400 and "members" in response.data
    assert not Chat.objects.filter(name="new").exists()


def test_non_member_sees_nothing_of_a_chat(api, employee):
    chat = chat_with()
    MessageFactory(chat=chat, author=chat.owner, text="secret")
    client = api.as_user(employee)
    assert client.get(detail(chat)).status_code == 404
    assert client.get(MESSAGES, {"chat": chat.pk}).data["results"] == []
    assert client.get(MESSAGES, {"search": "secret"}).data["results"] == []
    assert client.patch(detail(chat), {"display_name": "Mine"}, format="json").status_code == 404
    assert client.post(detail(chat, "members/"), {"user": employee.pk}, format="json").status_code == 404
    response = client.post(MESSAGES, {"chat": chat.pk, "text": "let me in"})
    assert response.status_code == 400 and "chat" in response.data
    assert Message.objects.count() == 1


def test_member_who_is_not_admin_cannot_manage(api, employee):
    other = UserFactory()
    chat = chat_with(employee, other)
    client = api.as_user(employee)
    assert client.patch(detail(chat), {"display_name": "Renamed"}, format="json").status_code == 403
    assert client.post(detail(chat, "members/"), {"user": UserFactory().pk}, format="json").status_code == 403
    assert client.delete(detail(chat, f"members/{other.pk}/")).status_code == 403
    assert client.post(detail(chat, "admins/"), {"user": employee.pk}, format="json").status_code == 403
    chat.refresh_from_db()
    assert chat.display_name != "Renamed" and chat.memberships.count() == 3
    assert not chat.memberships.get(user=employee).is_admin


def test_owner_and_admins_rename_and_manage_members_and_admins(api, employee):
    owner = UserFactory()
    chat = chat_with(employee, owner=owner)
    client = api.as_user(owner)
    assert client.patch(detail(chat), {"display_name": "Renamed"}, format="json").data["display_name"] == "Renamed"
    assert client.post(detail(chat, "admins/"), {"user": employee.pk}, format="json").status_code == 200
    newcomer = UserFactory()
    admin_client = api.as_user(employee)
    assert admin_client.post(detail(chat, "members/"), {"user": newcomer.pk}, format="json").status_code == 200
    assert admin_client.delete(detail(chat, f"members/{newcomer.pk}/")).status_code == 200
    assert admin_client.delete(detail(chat, f"members/{owner.pk}/")).status_code == 409, "nobody removes the owner"
    assert api.as_user(owner).delete(detail(chat, f"admins/{employee.pk}/")).status_code == 200
    assert set(chat.memberships.values_list("user_id", "is_admin")) == {(owner.pk, True), (employee.pk, False)}
    assert client.post(detail(chat, "members/"), {"user": 2**70}, format="json").status_code == 400
    assert client.delete(detail(chat, "members/99999999999999999999999/")).status_code == 404


def test_leave_chat_but_not_as_owner(api, employee):
    owner = UserFactory()
    chat = chat_with(employee, owner=owner)
    assert api.as_user(employee).post(detail(chat, "leave/")).status_code == 204
    assert not chat.memberships.filter(user=employee).exists()
    assert api.as_user(owner).post(detail(chat, "leave/")).status_code == 409


def test_message_search_and_file_upload(api, employee):
    chat = chat_with(employee)
    MessageFactory(chat=chat, author=chat.owner, text="the invoice is late")
    MessageFactory(chat=chat, author=chat.owner, text="lunch?")
    client = api.as_user(employee)
    found = client.get(MESSAGES, {"search": "invoice"}).data["results"]
    assert [m["text"] for m in found] == ["the invoice is late"]
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report", content_type="application/pdf")
    response = client.post(MESSAGES, {"chat": chat.pk, "text": "here it is", "file": upload}, format="multipart")
    assert response.status_code == 201, response.data
    assert response.data["files"][0]["name"] == "report.pdf" and response.data["files"][0]["size"] == 15
    assert client.get(MESSAGES, {"chat": "abc"}).status_code == 400


def test_file_over_the_limit_is_refused(api, employee, settings):
    settings.UPLOAD_MAX_BYTES = 10
    chat = chat_with(employee)
    upload = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"x" * 11)
    response = api.as_user(employee).post(MESSAGES, {"chat": chat.pk, "file": upload}, format="multipart")
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_renamed_executable_is_refused(api, employee):
    chat = chat_with(employee)
    upload = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = api.as_user(employee).post(MESSAGES, {"chat": chat.pk, "file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.data
    assert not Message.objects.exists()


def test_message_list_takes_constant_queries(api, employee):
    chat = chat_with(employee)

    def add_rows(n):
        for _ in range(n):
            MessageFactory(chat=chat, author=UserFactory())

    assert assert_constant_queries(api.as_user(employee), MESSAGES, add_rows) <= 4


def test_channel_rejects_posts_from_plain_members_over_rest(api, employee):
    chat = chat_with(employee, is_channel=True)
    assert api.as_user(employee).post(MESSAGES, {"chat": chat.pk, "text": "hi"}).status_code == 403
    assert api.as_user(chat.owner).post(MESSAGES, {"chat": chat.pk, "text": "hi"}).status_code == 201
