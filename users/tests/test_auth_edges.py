"""The edges of signing in: the admin's login is throttled like the API's, and no malformed request is a 500."""

import json

import pytest
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.throttling import ScopedRateThrottle as DRFScopedRateThrottle
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_simplejwt.tokens import RefreshToken

from users.tests.factories import PASSWORD, UserFactory, make_invitation

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture
def three_attempts(monkeypatch):
    monkeypatch.setattr(DRFScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min", "invitation": "3/min"})


def admin_login(client, user, password="wrong", **headers):
    return client.post(ADMIN_LOGIN, {"username": user.email, "password": password}, **headers)


def api_login(api, user, password="wrong"):
    return api.post(reverse("auth:token"), {"email": user.email, "password": password}, format="json")


def test_the_admin_login_is_throttled_with_a_readable_page(client, owner, three_attempts):
    statuses = [admin_login(client, owner).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # the form again, with its error
    throttled = admin_login(client, owner, PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "text/html" in throttled["Content-Type"]
    assert b"Too many sign-in attempts" in throttled.content
    assert client.get(ADMIN_LOGIN).status_code == 200, "the form itself still opens"
    assert client.get(reverse("admin:index")).status_code == 302, "and the right password did not get in"


def test_the_admin_and_the_api_share_one_allowance_per_client(client, api, owner, three_attempts):
    assert api_login(api, owner).status_code == 401
    assert admin_login(client, owner).status_code == 200
    assert api_login(api, owner).status_code == 401
    assert admin_login(client, owner).status_code == 429
    assert api_login(api, owner, PASSWORD).status_code == 429


def test_the_admin_login_ignores_a_forged_x_forwarded_for(client, owner, three_attempts):
    statuses = [admin_login(client, owner, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(1, 5)]
    assert statuses == [200, 200, 200, 429]


def test_the_admin_login_still_counts_while_redis_is_down(client, owner, three_attempts, monkeypatch):
    class DownCache:
        def get(self, *args, **kwargs):
            raise RedisConnectionError("Redis is down")

        set = get

    monkeypatch.setattr(SimpleRateThrottle, "cache", DownCache())
    address = {"REMOTE_ADDR": "192.0.2.77"}  # the fallback counter lives in this process: an address of its own
    statuses = [admin_login(client, owner, **address).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_the_right_password_still_opens_the_admin(client, owner):
    assert admin_login(client, owner, PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_refreshing_the_token_of_a_deleted_user_is_401(api, employee):
    refresh = api_login(api, employee, PASSWORD).data["refresh"]
    employee.delete()
    response = api.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json")
    assert response.status_code == 401
    assert response.data["detail"]


def test_refreshing_a_token_of_no_user_is_401(api):
    for user_id in ("not-an-id", "99999999999999999999999", None):
        token = RefreshToken()
        token["user_id"] = user_id
        response = api.post(reverse("auth:token-refresh"), {"refresh": str(token)}, format="json")
        assert response.status_code == 401, user_id


# --- Malformed requests to every authentication endpoint

NESTED = "[" * 5000 + "]" * 5000
JSON_BODIES = [
    "",
    "{",
    "null",
    "[]",
    "1",
    '"text"',
    NESTED,
    '{"a":' * 5000 + "1" + "}" * 5000,
    "1e400",
    '{"email": 1e400, "password": -1e400, "refresh": 1e400}',
    '{"email": 99999999999999999999, "password": 99999999999999999999, "refresh": 99999999999999999999}',
    "9" * 5000,
    '{"email": NaN, "password": Infinity}',
    '{"email": "\\u0000", "password": "\\u0000", "refresh": "\\u0000"}',
    '{"email": "a\\u0000b@example.com", "password": "x\\u0000"}',
    '{"email": "\\ud800", "password": "\\udfff", "refresh": "\\ud800"}',
    '{"email": [], "password": {}, "refresh": []}',
    '{"email": {"$gt": ""}, "password": {"$gt": ""}}',
    '{"email": true, "password": false, "refresh": null}',
    json.dumps({"email": "x" * 100_000, "password": "x" * 100_000, "refresh": "x" * 100_000}),
    '{"birth_date": "２０２４-０１-０１", "password": "Correct-horse-battery-9"}',
    '{"birth_date": "9999-12-31", "chat_nickname": "\\u0000", "password": "Correct-horse-battery-9"}',
    '{"personal_phone": "１２３", "work_phone": [1], "password": "Correct-horse-battery-9"}',
]
OTHER_BODIES = [
    ("application/json; charset=bogus-charset", b'{"email": "a"}'),
    ("application/json; charset=utf-16", b"\xff\xfe{\x00"),
    ("application/json", b"\xff\xfe\xfd"),
    ("application/json", b"\x00" * 64),
    ("text/plain", b"email=a&password=b"),
    ("application/x-www-form-urlencoded", b"email=%00&password=%ff%fe"),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="email"\r\n\r\na\r\n--x--'),
    ("multipart/form-data", b"garbage"),
    ("application/xml", b"<email>a</email>"),
]


@pytest.fixture
def targets(employee, owner):
    _invitation, token = make_invitation(invited_by=owner)
    return [
        (reverse("auth:token"), None),
        (reverse("auth:token-refresh"), None),
        (reverse("auth:logout"), None),
        (reverse("auth:ws-ticket"), None),
        (reverse("auth:ws-ticket"), employee),
        (reverse("users:invitation-questionnaire", args=[token]), None),
        (reverse("users:invitation-questionnaire", args=["a" * 43]), None),
        (reverse("users:me"), employee),
    ]


@pytest.fixture
def unthrottled(monkeypatch):
    monkeypatch.setattr(DRFScopedRateThrottle, "THROTTLE_RATES", {"auth": "100000/min", "invitation": "100000/min"})


def test_no_malformed_body_to_an_auth_endpoint_is_a_500(api, targets, unthrottled):
    failures = []
    for url, user in targets:
        api.credentials()
        client = api.as_user(user) if user else api
        for method in ("post", "patch") if url == reverse("users:me") else ("post",):
            for body in JSON_BODIES:
                response = getattr(client, method)(url, data=body, content_type="application/json")
                if response.status_code >= 500:
                    failures.append(f"{method} {url} {body[:40]!r}: {response.status_code}")
                elif response.status_code == 400 and not response.json():
                    failures.append(f"{method} {url} {body[:40]!r}: a 400 that says nothing")
            for content_type, raw in OTHER_BODIES:
                response = getattr(client, method)(url, data=raw, content_type=content_type)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} {content_type} {raw[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_deep_json_and_numbers_past_a_double_are_a_clear_400_at_login(api):
    url = reverse("auth:token")
    response = api.post(url, data=NESTED, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["detail"]
    response = api.post(url, data='{"email": 1e400, "password": "x"}', content_type="application/json")
    assert response.status_code == 400
    assert "out of range" in response.json()["detail"]


def test_no_malformed_form_to_the_admins_login_or_password_change_is_a_500(client, owner, unthrottled):
    forms = [
        {},
        {"username": "\x00", "password": "\x00"},
        {"username": "x" * 100_000, "password": "x" * 100_000},
        {"username": ["a", "b"], "password": ["a", "b"]},
        {"old_password": "\x00", "new_password1": "\x00", "new_password2": "\x00"},
        {"old_password": PASSWORD, "new_password1": "x" * 100_000, "new_password2": "x" * 100_000},
        {"old_password": PASSWORD, "new_password1": "a\x00b-Long-passw0rd", "new_password2": "a\x00b-Long-passw0rd"},
    ]
    raw_forms = [b"username=%ED%A0%80&password=%FF%FE", b"username=%00&password", b"&&&=&=", b"%"]
    failures = []
    for raw in raw_forms:
        response = client.post(ADMIN_LOGIN, raw, content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failures.append(f"login {raw!r}: {response.status_code}")
    for form in forms:
        response = client.post(ADMIN_LOGIN, form)
        if response.status_code >= 500:
            failures.append(f"login {str(form)[:60]}: {response.status_code}")
    client.force_login(owner)
    for form in forms:
        response = client.post(reverse("admin:password_change"), form)
        if response.status_code >= 500:
            failures.append(f"password change {str(form)[:60]}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_user_with_a_nul_free_password_still_signs_in_after_the_fuzz(api, unthrottled):
    user = UserFactory()
    assert api_login(api, user, PASSWORD).status_code == 200
