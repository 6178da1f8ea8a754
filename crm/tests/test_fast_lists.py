"""Every list bench/lists.py measures answers what its serializer writes, field by field and byte for byte.

The lists represent their rows through serializers compiled once (crm.api.rows) and write JSON with orjson
(crm.api.renderers). Here each list is asked for on varied rows (nulls, tags, shares, decimals, dates, a file,
Ukrainian text, characters JSON escapes) and its rows are compared with `Serializer(rows, many=True,
context=...).data` rendered by DRF's own JSONRenderer.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from activity.models import Activity
from activity.selectors import activity_list
from activity.serializers import ActivitySerializer
from companies.selectors import company_list
from companies.serializers import CompanySerializer
from companies.tests.factories import CompanyFactory
from contacts.selectors import contact_list
from contacts.serializers import ContactSerializer
from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.api.rows import represent, represent_many
from deals import selectors as deal_selectors
from deals.serializers import DealSerializer, KanbanSerializer, WorkItemSerializer
from deals.tests.factories import DealFactory, PipelineFactory
from leads.selectors import lead_list, leads_visible
from leads.serializers import LeadSerializer
from leads.tests.factories import LeadFactory
from notifications.models import Notification
from notifications.selectors import notification_list
from notifications.serializers import NotificationSerializer
from tasks.models import ShareStatus
from tasks.selectors import task_list
from tasks.serializers import TaskSerializer
from tasks.tests.factories import ProjectFactory, TagFactory, TaskFactory, TaskShareFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department


@pytest.fixture
def people(db):
    head = UserFactory(role=Role.MANAGER, first_name="Олена", last_name="Їжак", photo="photos/head.jpg")
    department = make_department("Продажі", head=head)
    seller = UserFactory(role=Role.EMPLOYEE, department=department, first_name="Ґанна", last_name="Seller")
    admin = UserFactory(role=Role.ADMIN, is_staff=True, last_name="Admin")
    # Seen just now, as the viewers' own requests would mark them: their presence reads the same before and after.
    for viewer in (head, admin):
        viewer.last_seen = timezone.now()
        viewer.save(update_fields=["last_seen"])
    return {"admin": admin, "head": head, "seller": seller}


@pytest.fixture
def seeded(people):
    admin, head, seller = people["admin"], people["head"], people["seller"]
    company = CompanyFactory(name="ТОВ «Зірка»", edrpou="12345678", responsible=seller)
    CompanyFactory(name="Bare company")
    rich = ContactFactory(
        first_name="Ярослав",
        last_name="Last0123",
        patronymic="Іванович",
        birth_date=datetime.date(1990, 2, 28),
        newsletter=True,
        company=company,
        responsible=seller,
        loyalty_balance=Decimal("12.50"),
    )
    PhoneFactory(contact=rich, number="+380501230123")
    PhoneFactory(contact=rich, number="+380671112233")
    bare = ContactFactory(first_name="", last_name="Last01234", email="")
    line_breaks = ContactFactory(last_name='Quote " back\\slash', first_name="line\u2028separator\u2029")
    company.contact_person = rich
    company.save(update_fields=["contact_person"])

    pipeline = PipelineFactory()
    first, *others = pipeline.stages.order_by("position")
    won = DealFactory(
        contact=rich,
        pipeline=pipeline,
        stage=others[-1],
        amount=Decimal("1234.50"),
        responsible=seller,
        created_by=seller,
        description="Угода\nрядок",
        closed_at=timezone.now(),
    )
    DealFactory(contact=bare, pipeline=pipeline, stage=first, amount=Decimal("0"), responsible=None)
    DealFactory(contact=line_breaks, pipeline=pipeline, stage=first, amount=Decimal("99999999.99"), created_by=head)

    LeadFactory(name="Лід", phone="+380501234567", responsible=seller, created_by=seller)
    LeadFactory(name="Bare lead")

    tags = [TagFactory(name="терміново"), TagFactory(name="vip")]
    shared = TaskFactory(
        name="Подзвонити",
        created_by=seller,
        responsible=[seller, head],
        tags=tags,
        project=ProjectFactory(name="Проєкт"),
        company=company,
        contact=rich,
        updated_by=head,
        priority=3,
        remind=True,
        remind_at=timezone.now() + datetime.timedelta(hours=2),
        file="tasks/report.pdf",
    )
    TaskShareFactory(task=shared, user=admin, status=ShareStatus.ACCEPTED, responded_at=timezone.now())
    TaskShareFactory(task=shared, user=UserFactory(), status=ShareStatus.PENDING)
    TaskFactory(name="Bare task", created_by=seller, date=datetime.date(2026, 1, 31), tags=tags[:1])
    TaskFactory(
        name="Finished", created_by=head, finished=True, finished_at=timezone.now(), responsible=[], contact=bare
    )

    deal_type = ContentType.objects.get_for_model(won)
    Activity.objects.create(
        actor=seller,
        verb="updated",
        target_type=deal_type,
        target_id=str(won.pk),
        target_repr=str(won),
        changed_fields=["amount", "stage"],
        description="Сума змінена",
    )
    Activity.objects.create(actor=None, verb="deleted", target_repr="Gone", changed_fields=[])
    for recipient in (admin, head, seller):
        Notification.objects.create(
            recipient=recipient, kind="deal_assigned", title="Нова угода", target_type=deal_type, target_id=won.pk
        )
        Notification.objects.create(recipient=recipient, kind="task_due", title="Seen", seen_at=timezone.now())
    return {"pipeline": pipeline, "seller": seller}


def drf_json(data) -> bytes:
    return DRFJSONRenderer().render(data)


def in_order(queryset, ids):
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids]


def context(response) -> dict:
    return {"request": response.wsgi_request, "format": None, "view": None}


def assert_rows_equal(list_name: str, answered: list[dict], expected: list[dict]):
    assert len(answered) == len(expected), list_name
    for got, wanted in zip(answered, expected, strict=True):
        where = f"{list_name}, row {wanted.get('id')}"
        assert list(got) == list(wanted), where
        for name in wanted:
            assert got[name] == wanted[name], f"{where}, field {name}"


# Each benchmarked list: (name, path, query, selector of the viewset, serializer).
PAGED_LISTS = [
    ("contacts", "/api/contacts/", {}, lambda user: contact_list(user=user), ContactSerializer),
    ("contacts ?search=", "/api/contacts/", {"search": "Last0123"}, lambda u: contact_list(user=u), ContactSerializer),
    ("companies", "/api/companies/", {}, lambda user: company_list(user=user), CompanySerializer),
    ("leads", "/api/leads/", {}, lambda user: lead_list(user=user), LeadSerializer),
    ("deals", "/api/deals/", {}, lambda user: deal_selectors.deal_list(user=user), DealSerializer),
    (
        "deals ?period=month&responsible=",
        "/api/deals/",
        {"period": "month", "responsible": "seller"},
        lambda user: deal_selectors.deal_list(user=user),
        DealSerializer,
    ),
    ("tasks", "/api/tasks/", {}, lambda user: task_list(user=user), TaskSerializer),
    ("activity", "/api/activity/", {}, lambda user: activity_list(user=user), ActivitySerializer),
    ("notifications", "/api/notifications/", {}, lambda user: notification_list(user=user), NotificationSerializer),
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "uk"])
@pytest.mark.parametrize("viewer", ["admin", "head"])
@pytest.mark.parametrize(
    ("name", "path", "query", "rows", "serializer"), PAGED_LISTS, ids=[case[0] for case in PAGED_LISTS]
)
def test_list_answers_its_serializers_output(
    api, people, seeded, viewer, language, name, path, query, rows, serializer
):
    user = people[viewer]
    query = {key: (seeded[value].pk if value in seeded else value) for key, value in query.items()}
    response = api.as_user(user).get(path, {"page_size": 50, **query}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    body = response.json()
    ids = [row["id"] for row in body["results"]]
    assert ids, f"{name}: seeded rows must be listed"

    expected = serializer(in_order(rows(user), ids), many=True, context=context(response)).data
    assert_rows_equal(name, body["results"], json.loads(drf_json(expected)))
    assert response.content == drf_json(response.data)


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["admin", "head"])
def test_my_work_answers_its_serializers_output(api, people, seeded, viewer):
    user = people[viewer]
    response = api.as_user(user).get("/api/deals/my-work/", {"page_size": 50})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["results"]

    leads, deals = leads_visible(user=user), deal_selectors.deals_visible(user=user)
    page = list(deal_selectors.work_items(leads=leads, deals=deals)[:50])
    expected = WorkItemSerializer(deal_selectors.with_responsible(page), many=True).data
    assert_rows_equal("my-work", body["results"], json.loads(drf_json(expected)))
    assert response.content == drf_json(response.data)


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", ["admin", "head"])
def test_kanban_answers_its_serializers_output(api, people, seeded, viewer):
    user, pipeline = people[viewer], seeded["pipeline"]
    response = api.as_user(user).get("/api/deals/kanban/", {"pipeline": pipeline.pk, "page_size": 10})
    assert response.status_code == 200, response.content
    body = response.json()
    assert any(column["deals"] for column in body["columns"])

    columns = deal_selectors.kanban(pipeline=pipeline, deals=deal_selectors.deal_list(user=user), per_stage=10)
    expected = json.loads(
        drf_json(KanbanSerializer({"pipeline": pipeline.pk, "columns": columns}, context=context(response)).data)
    )
    assert body["pipeline"] == expected["pipeline"]
    for got, wanted in zip(body["columns"], expected["columns"], strict=True):
        assert {k: v for k, v in got.items() if k != "deals"} == {k: v for k, v in wanted.items() if k != "deals"}
        assert_rows_equal(f"kanban stage {wanted['stage']['id']}", got["deals"], wanted["deals"])
    assert response.content == drf_json(response.data)


class _FieldsByCaller(serializers.Serializer):
    """Fields that depend on the request, and a field that reads it for each row."""

    name = serializers.CharField()
    caller = serializers.SerializerMethodField()

    def get_fields(self):
        fields = super().get_fields()
        if self.context.get("request") != "admin":
            del fields["name"]
        return fields

    def get_caller(self, row) -> str:
        return self.context["request"]


class _RowsByCaller(serializers.Serializer):
    caller = serializers.SerializerMethodField()

    def get_caller(self, row) -> str:
        return self.context["request"]


def test_fields_built_from_the_request_are_built_for_each_call():
    rows = [{"name": "Ганна"}]
    assert represent_many(_FieldsByCaller, rows, {"request": "admin"}) == [{"name": "Ганна", "caller": "admin"}]
    assert represent_many(_FieldsByCaller, rows, {"request": "seller"}) == [{"caller": "seller"}]


def test_fields_built_once_read_each_calls_context():
    assert represent_many(_RowsByCaller, [{}], {"request": "first"}) == [{"caller": "first"}]
    assert represent_many(_RowsByCaller, [{}], {"request": "second"}) == [{"caller": "second"}]
    assert represent(_RowsByCaller, {}, {"request": "third"}) == {"caller": "third"}
