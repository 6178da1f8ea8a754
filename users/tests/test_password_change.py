"""A new password ends what the old one opened: refresh tokens, WebSocket tickets, open sockets; by every path."""

import io

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.urls import reverse
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from crm.realtime.websocket import NOT_AUTHENTICATED
from users.models import User, WebSocketTicket
from users.services import ws_ticket_consume, ws_ticket_issue
from users.tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "another-Long-passw0rd-2"


def login(api, user, password=PASSWORD):
    return api.post(reverse("auth:token"), {"email": user.email, "password": password}, format="json")


def refresh(api, token):
    return api.post(reverse("auth:token-refresh"), {"refresh": token}, format="json")


def assert_ended(api, user, tokens, ticket):
    """The old tokens and the ticket no longer work; the new password does."""
    api.credentials()
    assert refresh(api, tokens["refresh"]).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get(reverse("users:me")).status_code == 401
    api.credentials()
    assert ws_ticket_consume(token=ticket) is None
    assert not WebSocketTicket.objects.filter(user=user).exists()
    assert login(api, user, NEW_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_saving_a_new_password_ends_tokens_and_tickets(api, employee):
    tokens, ticket = login(api, employee).data, ws_ticket_issue(user=employee)
    employee.set_password(NEW_PASSWORD)
    employee.save()
    assert_ended(api, employee, tokens, ticket)


@pytest.mark.django_db
def test_an_admin_setting_someones_password_in_the_admin_ends_them(api, client, owner, employee):
    tokens, ticket = login(api, employee).data, ws_ticket_issue(user=employee)
    client.force_login(owner)
    url = reverse("admin:auth_user_password_change", args=[employee.pk])
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})
    assert response.status_code == 302
    assert_ended(api, employee, tokens, ticket)


@pytest.mark.django_db
def test_an_admin_turning_password_sign_in_off_ends_them(api, client, owner, employee):
    tokens, ticket = login(api, employee).data, ws_ticket_issue(user=employee)
    client.force_login(owner)
    url = reverse("admin:auth_user_password_change", args=[employee.pk])
    assert client.post(url, {"usable_password": "false", "unset-password": "1"}).status_code == 302
    assert not User.objects.get(pk=employee.pk).has_usable_password()
    assert ws_ticket_consume(token=ticket) is None
    assert refresh(api, tokens["refresh"]).status_code == 401


@pytest.mark.django_db
def test_staff_changing_their_own_password_in_the_admin_ends_their_tokens_and_keeps_this_session(api, client, owner):
    tokens, ticket = login(api, owner).data, ws_ticket_issue(user=owner)
    client.force_login(owner)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert_ended(api, owner, tokens, ticket)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_the_changepassword_command_ends_them(api, employee, monkeypatch):
    tokens, ticket = login(api, employee).data, ws_ticket_issue(user=employee)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", employee.email, stdout=io.StringIO())
    assert_ended(api, employee, tokens, ticket)


@pytest.mark.django_db
def test_other_saves_and_a_rehash_at_login_are_no_change(api, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    user.refresh_from_db()
    refresh_token, ticket = str(RefreshToken.for_user(user)), ws_ticket_issue(user=user)
    user.first_name = "Renamed"
    user.save()
    # Logging in rehashes the password with the preferred hasher: the same password, saved anew.
    assert login(api, user).status_code == 200
    assert User.objects.get(pk=user.pk).password.startswith("md5$")
    assert WebSocketTicket.objects.filter(user=user).exists()
    assert ws_ticket_consume(token=ticket) == user
    assert not BlacklistedToken.objects.filter(token__jti=RefreshToken(refresh_token)["jti"]).exists()


@pytest.mark.django_db
def test_a_new_user_is_not_a_password_change(employee):
    ticket = ws_ticket_issue(user=employee)
    User.objects.create_user("new@example.com", NEW_PASSWORD)
    assert ws_ticket_consume(token=ticket) == employee


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/presence/", "/ws/notifications/"])
async def test_a_password_change_closes_the_users_open_sockets_with_4401(ws, path):
    user, colleague = await database_sync_to_async(UserFactory)(), await database_sync_to_async(UserFactory)()
    socket, connected, _code = await ws(path, user=user)
    other, _connected, _code = await ws(path, user=colleague)
    assert connected

    def change():
        user.set_password(NEW_PASSWORD)
        user.save()

    await database_sync_to_async(change)()
    while (output := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert (output["code"], output["reason"]) == (NOT_AUTHENTICATED, "password changed")
    while not await other.receive_nothing(timeout=0.3):
        assert (await other.receive_output())["type"] != "websocket.close", "a colleague's socket stays open"


@pytest.mark.django_db
def test_deactivating_someone_in_the_admin_ends_their_tokens_and_tickets(api, rf, owner, employee):
    from django.contrib import admin

    tokens, ticket = login(api, employee).data, ws_ticket_issue(user=employee)
    employee.is_active = False
    form = type("Form", (), {"changed_data": ["is_active"]})()
    admin.site._registry[User].save_model(rf.post("/admin/"), employee, form, change=True)
    assert BlacklistedToken.objects.filter(token__user=employee).exists()
    assert not WebSocketTicket.objects.filter(user=employee).exists()
    assert refresh(api, tokens["refresh"]).status_code == 401
    assert ws_ticket_consume(token=ticket) is None
