"""Personal API tokens, mostly from the refused side: what a token may not do, and when it stops working."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from crm.api.throttling import ScopedRateThrottle
from deals.tests.factories import DealFactory
from users.models import ApiToken, ApiTokenScope, Role
from users.services import api_token_create, api_token_revoke, user_deactivate
from users.tests.factories import UserFactory
from users.tokens import hash_token

pytestmark = pytest.mark.django_db

TOKENS = reverse("users:api-token-list")
ME = reverse("users:me")


def token_of(user, scope=ApiTokenScope.READ_WRITE, **fields):
    return api_token_create(user=user, name="Accountant's script", scope=scope, **fields)


def with_token(api, secret):
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def detail(token):
    return reverse("users:api-token-detail", args=[token.pk])


# Making, listing and revoking


def test_the_secret_is_shown_once_and_stored_hashed(api, employee):
    client = api.as_user(employee)
    response = client.post(TOKENS, {"name": "n8n", "scope": "read"})
    assert response.status_code == 201, response.content
    secret = response.data["secret"]
    assert secret.startswith("crm_") and len(secret) > 40
    assert response.data["prefix"] == secret[:12] and response.data["state"] == "active"
    token = ApiToken.objects.get()
    assert token.user == employee and token.token_hash == hash_token(secret)
    assert secret not in str([getattr(token, field.attname) for field in ApiToken._meta.concrete_fields])
    listed = client.get(TOKENS)
    assert [row["name"] for row in listed.data["results"]] == ["n8n"]
    assert secret not in listed.content.decode() and "secret" not in listed.data["results"][0]
    read = client.get(detail(token))
    assert read.status_code == 200 and secret not in read.content.decode() and "secret" not in read.data
    assert with_token(api, secret).get(ME).data["id"] == employee.pk


def test_an_expiry_in_the_past_is_refused(api, employee):
    past = (timezone.now() - timezone.timedelta(days=1)).isoformat()
    response = api.as_user(employee).post(TOKENS, {"name": "old", "expires_at": past})
    assert response.status_code == 400 and "expires_at" in response.data["errors"]
    assert api.as_user(employee).post(TOKENS, {"name": "x", "scope": "admin"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_another_user_cannot_see_or_revoke_my_tokens(api, employee):
    token, _secret = token_of(employee)
    other = api.as_user(UserFactory(role=Role.ADMIN, is_staff=True))
    assert other.get(TOKENS).data["results"] == []
    assert other.get(detail(token)).status_code == 404
    assert other.post(reverse("users:api-token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_is_a_conflict(api, employee):
    token, _secret = token_of(employee)
    client = api.as_user(employee)
    revoke = reverse("users:api-token-revoke", args=[token.pk])
    response = client.post(revoke)
    assert response.status_code == 200 and response.data["state"] == "revoked"
    assert client.post(revoke).status_code == 409


def test_a_token_does_not_manage_tokens(api, employee):
    token, secret = token_of(employee)
    client = with_token(api, secret)
    assert client.get(TOKENS).status_code == 403
    assert client.post(TOKENS, {"name": "another"}).status_code == 403
    assert client.post(reverse("users:api-token-revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1


# Refused tokens


def test_a_read_only_token_reads_but_never_writes(api, employee):
    _token, secret = token_of(employee, scope=ApiTokenScope.READ)
    client = with_token(api, secret)
    assert client.get(ME).status_code == 200
    response = client.patch(ME, {"first_name": "Changed"})
    assert response.status_code == 403 and response.data["code"] == "permission_denied"
    assert client.post(reverse("auth:ws-ticket")).status_code == 403
    assert client.delete(reverse("users:department-detail", args=[1])).status_code == 403
    employee.refresh_from_db()
    assert employee.first_name != "Changed"


def test_a_read_write_token_writes_as_its_owner(api, employee):
    _token, secret = token_of(employee)
    response = with_token(api, secret).patch(ME, {"first_name": "Changed"})
    assert response.status_code == 200 and response.data["first_name"] == "Changed"


@pytest.mark.parametrize("method", ["get", "patch"])
def test_a_revoked_or_expired_token_is_refused(api, employee, method):
    revoked, revoked_secret = token_of(employee)
    api_token_revoke(token=revoked)
    _expired, expired_secret = token_of(employee, expires_at=timezone.now() + timezone.timedelta(seconds=1))
    ApiToken.objects.filter(pk=_expired.pk).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    for secret in (revoked_secret, expired_secret, "crm_not-a-token", "not-even-the-prefix", "crm_\x00"):
        response = getattr(with_token(api, secret), method)(ME, {"first_name": "Changed"})
        assert response.status_code == 401, secret
        assert response.data["code"] == "authentication_failed"


def test_a_malformed_header_is_refused(api, employee):
    api.credentials(HTTP_AUTHORIZATION="Token")
    assert api.get(ME).status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert api.get(ME).status_code == 401


def test_a_deactivated_owners_token_is_refused(api, owner, employee):
    token, secret = token_of(employee)
    user_deactivate(user=employee, actor=owner)
    assert with_token(api, secret).get(ME).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_an_inactive_owners_token_is_refused_even_unrevoked(api, employee):
    _token, secret = token_of(employee)
    type(employee).objects.filter(pk=employee.pk).update(is_active=False)  # a path that skips the services
    assert with_token(api, secret).get(ME).status_code == 401


def test_a_new_password_ends_the_tokens(api, employee):
    token, secret = token_of(employee)
    employee.set_password("another-Long-passw0rd-2")
    employee.save()
    assert with_token(api, secret).get(ME).status_code == 401
    token.refresh_from_db()
    assert token.state == "revoked"


def test_a_token_sees_only_what_its_owner_sees(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    mine, theirs = DealFactory(responsible=employee), DealFactory(responsible=colleague)
    _token, secret = token_of(employee, scope=ApiTokenScope.READ)
    client = with_token(api, secret)
    assert client.get(reverse("deals:deal-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("deals:deal-detail", args=[theirs.pk])).status_code == 404
    listed = client.get(reverse("deals:deal-list"))
    assert [row["id"] for row in listed.data["results"]] == [mine.pk]


# Use


def test_last_used_is_written_at_most_once_a_minute(api, employee):
    token, secret = token_of(employee)
    client = with_token(api, secret)
    writes = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ME).status_code == 200
        writes.append(sum('UPDATE "users_apitoken"' in query["sql"] for query in queries.captured_queries))
    assert writes == [1, 0]
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timezone.timedelta(seconds=61))
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_a_token_is_throttled_on_its_own(api, employee, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "3/min"})
    _token, secret = token_of(employee)
    _other, other_secret = token_of(employee)
    client = with_token(api, secret)
    assert [client.get(ME).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert with_token(api, other_secret).get(ME).status_code == 200
    assert api.as_user(employee).get(ME).status_code == 200


def test_the_schema_has_the_token_scheme():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"]["type"] == "apiKey" and schemes["tokenAuth"]["name"] == "Authorization"
    assert "jwtAuth" in schemes
    assert {"tokenAuth": []} in schema["paths"]["/api/deals/"]["get"]["security"]
    created = schema["paths"]["/api/users/me/tokens/"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/ApiTokenCreated")


# The admin


def test_the_admin_lists_and_revokes_tokens_without_secrets(client, owner, employee):
    token, secret = token_of(employee)
    client.force_login(owner)
    changelist = reverse("admin:users_apitoken_changelist")
    page = client.get(changelist)
    assert page.status_code == 200 and token.prefix in page.text and secret not in page.text
    change = client.get(reverse("admin:users_apitoken_change", args=[token.pk]))
    assert change.status_code == 200 and secret not in change.text and token.token_hash not in change.text
    assert client.get(reverse("admin:users_apitoken_add")).status_code == 403
    response = client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
