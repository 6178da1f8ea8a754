import pytest
from django.urls import reverse

from chat.models import Chat
from chat.tests.factories import chat_with
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_lobby_lists_my_chats_and_creates_one(client):
    user = UserFactory(is_staff=True)
    mine = chat_with(user, display_name="Mine")
    chat_with(display_name="Theirs")
    client.force_login(user)
    page = client.get(reverse("chat-pages:lobby"))
    assert page.status_code == 200
    assert "Mine" in page.content.decode() and "Theirs" not in page.content.decode()
    response = client.post(reverse("chat-pages:lobby"), {"name": "ops", "display_name": "Ops"})
    chat = Chat.objects.get(name="ops")
    assert response.status_code == 302 and response["Location"] == reverse("chat-pages:room", args=[chat.pk])
    opened = client.get(reverse("chat-pages:lobby"), {"open": mine.name})
    assert opened["Location"] == reverse("chat-pages:room", args=[mine.pk])


def test_room_is_for_members_only(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    assert client.get(reverse("chat-pages:room", args=[chat_with().pk])).status_code == 404
    chat = chat_with(user)
    assert client.get(reverse("chat-pages:room", args=[chat.pk])).status_code == 200


def test_pages_need_a_staff_login(client):
    assert client.get(reverse("chat-pages:lobby")).status_code == 302
    client.force_login(UserFactory(is_staff=False))
    assert client.get(reverse("chat-pages:lobby")).status_code == 302
