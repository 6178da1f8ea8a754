"""The edge sweep: every GET operation of the schema, each declared parameter set to each edge value, as an employee;
every operation that takes a body, given edge bodies, as the owner; and the headers clients forge.

Beside the schema fuzzing (which works from the declared types), this throws what clients actually
send by mistake or on purpose: a NUL byte, digits that are not ASCII, NaN, a huge exponent, negative
and zero ids, far dates, a very long string, an empty JSON list; in bodies also JSON nested thousands
deep, numbers past a double or a 64-bit integer and unpaired surrogates; in headers forged or garbage
X-Forwarded-For values and webhook signatures. Any 5xx, or a page of more than 200 rows, fails. New
endpoints and parameters are swept as soon as the schema declares them.
"""

import logging
import re
import time

import pytest
from django.apps import apps
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from chat.tests.factories import MessageFactory, chat_with
from comments.models import Comment
from companies.tests.factories import ArticleFactory, CompanyFactory, FolderFactory, KnowledgeFileFactory
from contacts.models import Contact
from contacts.tests.factories import ContactEventFactory, ContactFactory, ReturnItemFactory
from deals.tests.factories import DealFactory, OrderItemFactory
from leads.tests.factories import LeadFactory
from notifications.models import Notification
from notifications.services import notify
from tasks.models import Tag
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

NUL, LONG = "\x00", "x" * 10_000
EDGE_VALUES = [NUL, "a\x00b", "²", "１２", "NaN", "1e400", "-1", "0", "9999-12-31", "0001-01-01", LONG, "[]"]
# Values the code reading a parameter of that type could take for something else; the rest of EDGE_VALUES
# are, to such a parameter, one more string that is not of its type, and are tried through one of these.
FOR_TYPE = {
    "integer": [NUL, "²", "１２", "NaN", "1e400", "-1", "0", LONG, "[]"],
    "number": [NUL, "²", "１２", "NaN", "1e400", "-1", "0", LONG, "[]"],
    "boolean": [NUL, "²", "-1", "0", "NaN", LONG],
    "date": [NUL, "１２", "9999-12-31", "0001-01-01", "-1", LONG, "[]"],
    "date-time": [NUL, "１２", "9999-12-31", "0001-01-01", "-1", LONG, "[]"],
    "enum": [NUL, "0", LONG, "[]"],
    "string": [NUL, "a\x00b", "²", "NaN", "-1", "9999-12-31", LONG, "[]"],
}


def edge_values(parameter: dict) -> list[str]:
    schema = parameter.get("schema", {})
    if "enum" in schema or "enum" in schema.get("items", {}):
        return FOR_TYPE["enum"]
    kind = schema.get("format") if schema.get("format") in ("date", "date-time") else schema.get("type", "string")
    return FOR_TYPE.get(kind, EDGE_VALUES)


MAX_ROWS = 200
BUDGET_SECONDS = 60


@pytest.fixture
def world():
    """An employee in a department, and a little of everything they can see, plus more than a page of some."""
    head = UserFactory(role=Role.MANAGER)
    employee = UserFactory(role=Role.EMPLOYEE, department=make_department("Sales", head=head))
    colleague = UserFactory(role=Role.EMPLOYEE)
    contact = ContactFactory(responsible=employee)
    ContactEventFactory(contact=contact)
    ReturnItemFactory(return_request__contact=contact, return_request__responsible=employee)
    article = ArticleFactory(company=CompanyFactory(responsible=employee))
    article.folders.add(FolderFactory(company=article.company))
    KnowledgeFileFactory(article=article)
    Comment.objects.create(target=contact, text="Hello", author=employee)
    deal = DealFactory(contact=contact, responsible=employee)
    OrderItemFactory(order__deal=deal, order__contact=contact)
    LeadFactory(responsible=employee)
    TaskFactory(created_by=employee, contact=contact, company=article.company)
    MessageFactory(chat=chat_with(employee, colleague, owner=employee), author=colleague)
    notify(recipient=employee, kind="test", title="Hello", target=contact)
    # More rows than a page holds, so that a list answering without its page size shows up.
    Contact.objects.bulk_create([Contact(first_name="Many", last_name=str(n)) for n in range(MAX_ROWS + 5)])
    Tag.objects.bulk_create([Tag(name=f"tag-{n}") for n in range(MAX_ROWS + 5)])
    Notification.objects.bulk_create(
        [Notification(recipient=employee, kind="test", title=f"N{n}") for n in range(MAX_ROWS + 5)]
    )
    return employee


def _get_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "get" in operations:
            yield path, operations["get"].get("parameters", [])


def _existing_id(path: str, name: str) -> str:
    """A real row for a path parameter, so that the query parameters of detail and nested routes are reached."""
    if name.endswith("_pk"):
        model_name = name[: -len("_pk")]
        model = next(m for m in apps.get_models() if m._meta.model_name == model_name)
    else:
        probe = re.sub(r"\{[^}]+\}", "1", path)
        view = resolve(probe).func
        model = getattr(getattr(view, "cls", None), "model", None)
        if model is None or name not in ("id", "pk"):
            return "1"
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    return str(pk or 1)


def _check(response, label: str, failures: list) -> None:
    if response.status_code >= 500:
        failures.append(f"{label}: {response.status_code}")
        return
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("application/json"):
        return
    body = response.json()
    rows = body.get("results") if isinstance(body, dict) else body
    if isinstance(rows, list) and len(rows) > MAX_ROWS:
        failures.append(f"{label}: a page of {len(rows)} rows")


@pytest.fixture
def quiet_request_log():
    """Thousands of 400s and 404s would each be logged as a warning."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def test_every_get_operation_survives_edge_values(world, quiet_request_log):
    client = APIClient()
    client.force_authenticate(world)
    failures, started, requests = [], time.monotonic(), 0
    per_path = {}
    for path, parameters in _get_operations():
        path_started = time.monotonic()
        path_params = {p["name"] for p in parameters if p["in"] == "path"}
        base = {name: _existing_id(path, name) for name in path_params}
        url = path
        for name, value in base.items():
            url = url.replace(f"{{{name}}}", value)
        _check(client.get(url), f"GET {url}", failures)
        for name in path_params:
            for value in EDGE_VALUES:
                edge_url = path.replace(f"{{{name}}}", value.replace("/", "%2F"))
                for other, other_value in base.items():
                    edge_url = edge_url.replace(f"{{{other}}}", other_value)
                _check(client.get(edge_url), f"GET {path} {name}={value[:20]!r}", failures)
                requests += 1
        for parameter in (p for p in parameters if p["in"] == "query"):
            for value in edge_values(parameter):
                _check(
                    client.get(url, {parameter["name"]: value}),
                    f"GET {url}?{parameter['name']}={value[:20]!r}",
                    failures,
                )
                requests += 1
        per_path[path] = time.monotonic() - path_started
    elapsed = time.monotonic() - started
    for path, seconds in sorted(per_path.items(), key=lambda item: -item[1])[:15]:
        print(f"{seconds:6.1f} s {path}")
    assert not failures, "\n".join(failures)
    assert requests > 1000  # the sweep really walked the schema
    assert {value for values in FOR_TYPE.values() for value in values} == set(EDGE_VALUES)
    print(f"edge sweep: {requests} requests in {elapsed:.1f} s")


class _RecordingQueryDict(QueryDict):
    """A query string that remembers which parameters the code asked for."""

    asked: set

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)

    def getlist(self, key, default=None):
        self.asked.add(key)
        return super().getlist(key, default)


def test_every_query_parameter_the_code_reads_is_declared(world, quiet_request_log, monkeypatch):
    """An action that reads `?pipeline=` (the kanban did) must say so in the schema, or no client nor fuzzer knows."""
    asked: set = set()

    def recording_get(request):
        query = _RecordingQueryDict(request.environ.get("QUERY_STRING", ""))
        query.asked = asked
        return query

    monkeypatch.setattr(WSGIRequest, "GET", property(recording_get), raising=False)
    client = APIClient()
    client.force_authenticate(world)
    undeclared = []
    for path, parameters in _get_operations():
        url = path
        for name in (p["name"] for p in parameters if p["in"] == "path"):
            url = url.replace(f"{{{name}}}", _existing_id(path, name))
        asked.clear()
        client.get(url)
        declared = {p["name"] for p in parameters if p["in"] == "query"} | {"format"}
        if asked - declared:
            undeclared.append(f"GET {path} reads {sorted(asked - declared)}")
    assert not undeclared, "\n".join(undeclared)


# --- Bodies

DEEP = "[" * 5000 + "]" * 5000
# Whole bodies, as raw JSON text.
EDGE_BODIES = [
    DEEP,
    '{"a":' * 5000 + "1" + "}" * 5000,
    "1e400",
    "99999999999999999999",
    '"\\u0000"',
    "[]",
    "null",
    "{",
    '{"a": NaN}',
]
# What every declared property of a body is set to at once, as raw JSON text.
EDGE_FIELD_VALUES = [
    '"a\\u0000b"',
    '"\\ud800"',
    "1e400",
    "1.7976931348623157e308",
    "99999999999999999999",
    "-99999999999999999999",
    '"99999999999999999999"',
    '"１２"',
    '"9999-12-31"',
    '"0001-01-01"',
    DEEP,
    "[99999999999999999999]",
    '{"id": 99999999999999999999}',
    '""',
    "null",
    "true",
    f'"{LONG}"',
]


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _body_properties(schema: dict, operation: dict) -> list[str]:
    names = set()
    for content in operation.get("requestBody", {}).get("content", {}).values():
        body = content.get("schema", {})
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
        names.update(body.get("properties", {}))
    return sorted(names)


def _write_operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in operations:
                yield path, method, operations[method]


def test_every_operation_with_a_body_survives_edge_bodies(world, quiet_request_log, settings):
    settings.SHOP_WEBHOOK_SECRET = "edge-sweep"
    owner = UserFactory(role=Role.OWNER, is_staff=True, is_superuser=True)
    client = APIClient()
    client.force_authenticate(owner)
    schema = _schema()
    failures, started, requests = [], time.monotonic(), 0
    for path, method, operation in _write_operations(schema):
        url = path
        for name in (p["name"] for p in operation.get("parameters", []) if p["in"] == "path"):
            url = url.replace(f"{{{name}}}", _existing_id(path, name))
        properties = _body_properties(schema, operation) or ["value"]
        bodies = [*EDGE_BODIES]
        bodies += ["{" + ", ".join(f'"{name}": {value}' for name in properties) + "}" for value in EDGE_FIELD_VALUES]
        for body in bodies:
            response = getattr(client, method)(url, data=body, content_type="application/json")
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url} {body[:60]!r}: {response.status_code}")
            requests += 1
    elapsed = time.monotonic() - started
    assert not failures, "\n".join(failures)
    assert requests > 1000  # the sweep really walked the schema
    print(f"body sweep: {requests} requests in {elapsed:.1f} s")


# --- Headers

FORWARDED_FOR = [
    "",
    ",,,",
    "unknown",
    "203.0.113.9",
    "203.0.113.9, 10.0.0.1",
    "999.999.999.999",
    "::1, garbage, 2001:db8::1",
    "fe80::1%eth0",
    "\x00",
    "ü, ß",
    ", ".join(["198.51.100.7"] * 2000),
    LONG,
]
SIGNATURES = ["", "ü", "\x00", "Ω≈ç√", "====", "not base64!", "a" * 10_000, "ÿ" * 44, "\udcff"]


@pytest.mark.parametrize("proxies", [0, 1, 3])
def test_forwarded_for_values_are_no_500(world, quiet_request_log, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.BINOTEL_WEBHOOK_TRUSTED_PROXIES = ["127.0.0.1"]
    anonymous, signed_in = APIClient(), APIClient()
    signed_in.force_authenticate(world)
    failures = []
    for value in FORWARDED_FOR:
        headers = {"HTTP_X_FORWARDED_FOR": value}
        responses = {
            "login": anonymous.post(reverse("auth:token"), {"email": "a@b.c", "password": "x"}, **headers),
            "refresh": anonymous.post(reverse("auth:token-refresh"), {"refresh": "x"}, **headers),
            "admin login": Client().post("/admin/login/", {"username": "a", "password": "b"}, **headers),
            "list": signed_in.get(reverse("contacts:contact-list"), **headers),
            "binotel": anonymous.post(reverse("calls:binotel-webhook"), {"requestType": "x"}, **headers),
        }
        failures += [
            f"{name} X-Forwarded-For={value[:30]!r}: {r.status_code}"
            for name, r in responses.items()
            if r.status_code >= 500
        ]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("secret", ["edge-sweep", "ключ"])
def test_garbage_webhook_signatures_are_refused_not_500(world, quiet_request_log, settings, secret):
    settings.SHOP_WEBHOOK_SECRET = secret
    client = APIClient()
    failures = []
    for signature in SIGNATURES:
        headers = {"HTTP_X_WC_WEBHOOK_SIGNATURE": signature, "HTTP_X_WC_WEBHOOK_TOPIC": "order.created"}
        for body in (b"{}", DEEP.encode(), b"\xff\xfe"):
            response = client.post(reverse("deals:shop-webhook"), data=body, content_type="application/json", **headers)
            if response.status_code not in (400, 401):
                failures.append(f"shop signature={signature[:20]!r} body={body[:10]!r}: {response.status_code}")
        # Binotel signs nothing; a signature-looking header, or any other garbage, changes nothing.
        response = client.post(
            reverse("calls:binotel-webhook"),
            data="requestType=apiCallCompleted",
            content_type="application/x-www-form-urlencoded",
            REMOTE_ADDR="194.88.218.116",
            HTTP_X_SIGNATURE=signature,
            HTTP_X_WC_WEBHOOK_SIGNATURE=signature,
        )
        if response.status_code >= 500:
            failures.append(f"binotel signature={signature[:20]!r}: {response.status_code}")
    assert not failures, "\n".join(failures)
