"""What the schema promises a front-end developer: every error each operation can give, with its body;
a summary and a description for every operation, in English and Ukrainian; sortable fields by name."""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

from contacts.tests.factories import ContactFactory
from crm.api.schema import TOKEN_SCHEME

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


def _schema(language="en"):
    with translation.override(language):
        return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return _schema()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_the_error_body_has_detail_and_a_code(schema):
    error = schema["components"]["schemas"]["Error"]
    assert "detail" in error["required"]
    assert {"detail", "code", "errors"} <= set(error["properties"])


def test_every_operation_declares_the_errors_it_can_give(schema):
    missing = []
    for path, method, operation in _operations(schema):
        security = operation.get("security") or []
        expected = set()
        if security and {} not in security:
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if "requestBody" in operation:
            expected.add("400")
        if method in ("post", "put", "patch", "delete") and "401" in expected:
            expected |= {"403", "409"}
        responses = operation["responses"]
        missing += [f"{method.upper()} {path}: {status}" for status in sorted(expected - set(responses))]
        for status, response in responses.items():
            if status[0] == "4":
                assert response["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (path, status)
    assert not missing, "\n".join(missing)


def test_a_throttled_operation_declares_429(schema):
    assert "429" in schema["paths"]["/api/auth/token/"]["post"]["responses"]
    assert "401" in schema["paths"]["/api/auth/token/"]["post"]["responses"]


def test_every_operation_a_personal_api_token_may_call_declares_429(schema):
    """A token past THROTTLE_TOKEN_RATE gets a 429 from any operation it may call, throttled there or not."""
    missing, token_operations = [], 0
    for path, method, operation in _operations(schema):
        if any(TOKEN_SCHEME in scheme for scheme in operation.get("security") or []):
            token_operations += 1
            if "429" not in operation["responses"]:
                missing.append(f"{method.upper()} {path}")
    assert token_operations > 50
    assert not missing, "\n".join(missing)
    assert "429" in schema["paths"]["/api/deals/"]["get"]["responses"]
    assert "429" in schema["paths"]["/api/deals/{id}/"]["patch"]["responses"]
    # no token (and no other throttle) reaches the shop's signed webhook: no 429 is promised there
    shop_webhook = schema["paths"]["/api/deals/shop/webhook/"]["post"]
    assert TOKEN_SCHEME not in json.dumps(shop_webhook.get("security", []))
    assert "429" not in shop_webhook["responses"]


def test_every_operation_has_a_summary_and_a_description_in_english_and_ukrainian(schema):
    ukrainian = _schema("uk")
    for path, method, operation in _operations(schema):
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        assert operation.get("description"), f"{method.upper()} {path} has no description"
        assert "thesis" not in operation["description"], f"{method.upper()} {path}"
        translated = ukrainian["paths"][path][method]
        assert translated.get("summary") and translated.get("description"), f"{method.upper()} {path}"
    for operation_id in ("contacts_list", "deals_create", "tasks_retrieve", "leads_export_retrieve"):
        english = next(o for _p, _m, o in _operations(schema) if o["operationId"] == operation_id)
        uk = next(o for _p, _m, o in _operations(ukrainian) if o["operationId"] == operation_id)
        assert uk["summary"] != english["summary"], operation_id


def test_the_schema_is_served_in_ukrainian(api, employee):
    client = api.as_user(employee)
    english = client.get("/api/schema/", {"format": "json"}).json()
    ukrainian = client.get("/api/schema/", {"format": "json", "lang": "uk"}).json()
    assert english["paths"]["/api/contacts/"]["get"]["summary"] == "Contacts: list"
    assert ukrainian["paths"]["/api/contacts/"]["get"]["summary"].startswith("Контакти")


def _parameter(schema, path, name):
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_the_ordering_parameter_lists_the_fields(schema):
    ordering = _parameter(schema, "/api/contacts/", "ordering")
    assert "`last_name`" in ordering["description"] and "`loyalty_balance`" in ordering["description"]
    assert {"last_name", "-last_name", "loyalty_balance"} <= set(ordering["schema"]["items"]["enum"])
    for _path, _method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "ordering":
                assert "Which field to use" not in parameter["description"]
                assert parameter["schema"]["items"]["enum"]


def test_the_period_names_the_date_it_filters(schema):
    assert "`date`" in _parameter(schema, "/api/tasks/", "period")["description"]
    assert "`started_at`" in _parameter(schema, "/api/calls/", "period")["description"]
    assert "`created_at`" in _parameter(schema, "/api/contacts/", "date_after")["description"]
    for path in ("/api/dashboard/employees/", "/api/calendars/", "/api/promotions/promotions/report/"):
        assert not _parameter(schema, path, "period")["description"].startswith("*"), path


def test_a_chats_name_and_display_name_are_explained(schema):
    properties = schema["components"]["schemas"]["ChatCreateRequest"]["properties"]
    assert "unique" in properties["name"]["description"]
    assert "see" in properties["display_name"]["description"]


@pytest.mark.parametrize(
    "route", ["contacts:contact-list", "tasks:task-list", "deals:deal-list", "leads:lead-list", "users:user-list"]
)
def test_an_unknown_ordering_field_is_a_400_naming_the_parameter(api, employee, route):
    client = api.as_user(employee)
    for value in ("bogus", "-bogus", "created_at,bogus", "password", ","):
        response = client.get(reverse(route), {"ordering": value})
        assert response.status_code == 400, (route, value)
        assert "ordering" in response.json()["errors"]


def test_a_known_ordering_still_sorts(api, employee):
    ContactFactory(last_name="A")
    ContactFactory(last_name="B")
    client = api.as_user(employee)
    rows = client.get(reverse("contacts:contact-list"), {"ordering": "-last_name,first_name"}).json()["results"]
    assert [row["last_name"] for row in rows] == ["B", "A"]
    assert client.get(reverse("contacts:contact-list"), {"ordering": ""}).status_code == 200
