"""Every error answers one body: `detail`, a stable `code`, and for bad input the field errors in `errors`."""

import pytest
from django.urls import reverse
from rest_framework.exceptions import ValidationError

from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.api.exceptions import error_body

pytestmark = pytest.mark.django_db

CONTACTS = reverse("contacts:contact-list")


def test_a_field_error_has_detail_code_and_errors(api, employee):
    response = api.as_user(employee).post(CONTACTS, {"last_name": "X", "phones": ["12"]})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("phones")
    assert "phones" in body["errors"]
    assert body["phones"] == body["errors"]["phones"]  # where DRF writes field errors, as before


def test_a_bad_query_parameter_names_it_in_errors(api, employee):
    body = api.as_user(employee).get(CONTACTS, {"phone": "not a phone"}).json()
    assert body["code"] == "invalid" and "phone" in body["errors"]


def test_a_field_called_code_keeps_its_errors_in_errors():
    error = ValidationError({"code": ["Taken."], "items": [{}, {"name": ["Required."]}]})
    body = error_body(error, error.detail)
    assert body["code"] == "invalid" and body["errors"]["code"] == ["Taken."]
    assert body["detail"] == "code: Taken." and body["items"] == [{}, {"name": ["Required."]}]


def test_a_conflict_has_the_code_conflict(api, employee):
    PhoneFactory(contact=ContactFactory(), number="+380501234567")
    response = api.as_user(employee).post(CONTACTS, {"last_name": "Copy", "phones": ["380501234567"]})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict" and response.json()["detail"]


@pytest.mark.parametrize(
    ("user", "path", "status", "code"),
    [
        (None, CONTACTS, 401, "not_authenticated"),
        ("employee", "/api/contacts/999999/", 404, "not_found"),
        ("employee", reverse("users:invitation-list"), 403, "permission_denied"),
    ],
)
def test_each_refusal_has_its_code(api, request, user, path, status, code):
    client = api.as_user(request.getfixturevalue(user)) if user else api
    response = client.get(path)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["detail"]


def test_a_bad_token_keeps_simplejwts_code(api):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    body = api.get(CONTACTS).json()
    assert body["code"] == "token_not_valid" and body["detail"]


def test_a_wrong_method_and_a_form_body_have_codes(api, employee):
    client = api.as_user(employee)
    assert client.put(CONTACTS, {}).json()["code"] == "method_not_allowed"
    assert client.post(CONTACTS, "a=b", content_type="application/x-www-form-urlencoded").json()["code"] == (
        "unsupported_media_type"
    )


def test_a_throttled_login_has_the_code_throttled(api, employee, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "1/min"})
    login = reverse("auth:token")
    api.post(login, {"email": employee.email, "password": "wrong"})
    response = api.post(login, {"email": employee.email, "password": "wrong"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
