from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import ScopedRateThrottle
from rest_framework_simplejwt.tokens import AccessToken

from users.models import User, WebSocketTicket
from users.selectors import user_by_pk
from users.services import ws_ticket_consume, ws_ticket_issue
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(api, user, password=PASSWORD):
    return api.post(reverse("auth:token"), {"email": user.email, "password": password}, format="json")


def test_login_returns_tokens_that_authenticate(api, employee):
    response = login(api, employee)
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access']}")
    assert api.get(reverse("users:me")).data["id"] == employee.pk


def test_login_with_a_wrong_password_is_refused(api, employee):
    assert login(api, employee, "wrong-password").status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api, employee):
    refresh = login(api, employee).data["refresh"]
    rotated = api.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json")
    assert rotated.status_code == 200
    assert rotated.data["refresh"] != refresh
    assert api.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json").status_code == 401


def test_logout_makes_the_refresh_token_unusable(api, employee):
    refresh = login(api, employee).data["refresh"]
    assert api.post(reverse("auth:logout"), {"refresh": refresh}, format="json").status_code == 204
    assert api.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json").status_code == 401


def test_logout_with_garbage_is_a_clear_400(api):
    response = api.post(reverse("auth:logout"), {"refresh": "not-a-token"}, format="json")
    assert response.status_code == 400
    assert "detail" in response.data


def test_deactivated_user_is_refused_everywhere(api, owner, employee):
    tokens = login(api, employee).data
    assert api.as_user(owner).post(reverse("users:user-deactivate", args=[employee.pk])).status_code == 200
    api.credentials()
    assert login(api, employee).status_code == 401
    assert api.post(reverse("auth:token-refresh"), {"refresh": tokens["refresh"]}, format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api.get(reverse("users:me")).status_code == 401


def test_a_token_of_a_user_who_is_gone_or_of_no_user_is_refused(api, employee):
    gone, garbage = AccessToken.for_user(employee), AccessToken()
    garbage["user_id"] = "not-an-id"
    employee.delete()
    for token in (gone, garbage):
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = api.get(reverse("users:me"))
        assert (response.status_code, response.data["code"]) == (401, "user_not_found")


def test_the_user_of_a_token_is_read_as_the_orm_reads_them_in_one_query(employee, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = user_by_pk(employee.pk)
    expected = User.objects.get(pk=employee.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(expected, field.attname), field.name
    assert not user._state.adding
    assert user_by_pk(employee.pk + 1000) is None


def test_anonymous_requests_are_refused(api):
    assert api.get(reverse("users:user-list")).status_code == 401
    assert api.post(reverse("auth:ws-ticket")).status_code == 401


def test_login_is_throttled(api, employee, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    statuses = [login(api, employee, "wrong").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert login(api, employee).status_code == 429


def test_ws_ticket_works_once(api, employee):
    response = api.as_user(employee).post(reverse("auth:ws-ticket"))
    assert response.status_code == 201
    assert response.data["expires_in"] == 30
    ticket = response.data["ticket"]
    assert ws_ticket_consume(token=ticket) == employee
    assert ws_ticket_consume(token=ticket) is None


def test_ws_ticket_expires(employee):
    ticket = ws_ticket_issue(user=employee)
    WebSocketTicket.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ws_ticket_consume(token=ticket) is None
    assert not WebSocketTicket.objects.exists()


def test_ws_ticket_of_a_deactivated_user_is_refused(employee):
    ticket = ws_ticket_issue(user=employee)
    employee.is_active = False
    employee.save()
    assert ws_ticket_consume(token=ticket) is None


def test_ws_ticket_unknown_is_refused(db):
    assert ws_ticket_consume(token="nope") is None
    assert ws_ticket_consume(token="") is None


def test_refresh_of_another_users_token_does_not_leak(api):
    alice, bob = UserFactory(), UserFactory()
    refresh = login(api, alice).data["refresh"]
    api.as_user(bob)
    rotated = api.post(reverse("auth:token-refresh"), {"refresh": refresh}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {rotated.data['access']}")
    assert api.get(reverse("users:me")).data["id"] == alice.pk
