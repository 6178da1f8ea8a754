"""The edge sweep: every GET operation of the schema, each declared parameter set to each edge value, as an employee.

Beside the schema fuzzing (which works from the declared types), this throws what clients actually
send by mistake or on purpose: a NUL byte, digits that are not ASCII, NaN, a huge exponent, negative
and zero ids, far dates, a very long string, an empty JSON list. Any 5xx, or a page of more than 200
rows, fails. New endpoints and parameters are swept as soon as the schema declares them.
"""

import logging
import re
import time

import pytest
from django.apps import apps
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.urls import resolve
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
