import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.tests.factories import CustomerRequestFactory, ReturnFactory
from crm.api.periods import period_bounds
from crm.tests.support.queries import assert_constant_queries
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from notifications.models import Notification
from tasks.tests.factories import TaskFactory
from users import center
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("users:me-center")


def this_week_day():
    start, _ = period_bounds("week")
    return max(start.date(), timezone.localdate())


def make_everything(user, n=1):
    for _ in range(n):
        Notification.objects.create(recipient=user, kind="task_shared", title="Shared with you")
        LeadFactory(responsible=user)
        DealFactory(responsible=user)
        TaskFactory(created_by=user, date=this_week_day())
        ReturnFactory(responsible=user)
        CustomerRequestFactory(reason="Late delivery")


def test_every_section(api, employee):
    make_everything(employee)
    Notification.objects.create(recipient=employee, kind="x", title="Seen", seen_at=timezone.now())
    LeadFactory(responsible=employee, status="failed")
    DealFactory(responsible=employee, status="won")
    TaskFactory(created_by=employee, date=this_week_day(), finished=True, finished_at=timezone.now())
    TaskFactory(created_by=employee, date=this_week_day() + datetime.timedelta(days=8))
    ReturnFactory(responsible=employee, status="approved")
    CustomerRequestFactory(reason="Damaged", status="in_progress")
    CustomerRequestFactory(reason="Late delivery", status="resolved")
    response = api.as_user(employee).get(URL)
    assert response.status_code == 200, response.data
    data = response.data
    assert set(center.sections()) <= set(data)
    assert data["notifications"]["count"] == 1
    assert data["notifications"]["items"][0]["title"] == "Shared with you"
    assert data["leads_and_deals"]["count"] == 2
    assert {row["type"] for row in data["leads_and_deals"]["items"]} == {"lead", "deal"}
    assert data["tasks_this_week"]["count"] == 1
    assert data["pending_returns"]["count"] == 1
    assert [(row["reason"], row["count"]) for row in data["requests_by_reason"]] == [
        ("Damaged", 1),
        ("Late delivery", 1),
    ]


def test_requests_grouped_most_frequent_first(api, employee):
    for reason in ["Refund", "Refund", "Damaged", "Refund", "Damaged", "Wrong size"]:
        CustomerRequestFactory(reason=reason)
    rows = api.as_user(employee).get(URL).data["requests_by_reason"]
    assert [(row["reason"], row["count"]) for row in rows] == [("Refund", 3), ("Damaged", 2), ("Wrong size", 1)]


def test_a_colleagues_things_stay_out(api, employee):
    colleague = UserFactory()
    make_everything(colleague)
    data = api.as_user(employee).get(URL).data
    for section in ("notifications", "leads_and_deals", "tasks_this_week", "pending_returns"):
        assert data[section] == {"count": 0, "items": []}, section
    admin = UserFactory(role=Role.ADMIN)
    admin_data = api.as_user(admin).get(URL).data
    assert admin_data["notifications"]["count"] == 0  # notifications: the recipient only, whatever the role
    assert admin_data["pending_returns"]["count"] == 1


def test_limit_and_bad_limit(api, employee):
    make_everything(employee, n=3)
    client = api.as_user(employee)
    data = client.get(URL, {"limit": 2}).data
    assert data["notifications"]["count"] == 3
    assert len(data["notifications"]["items"]) == 2
    for bad in ("0", "51", "x"):
        assert client.get(URL, {"limit": bad}).status_code == 400
    client.credentials()
    assert client.get(URL).status_code == 401


def test_constant_queries_for_2_and_40_items(api, employee):
    assert_constant_queries(api.as_user(employee), URL, lambda n: make_everything(employee, n), params={"limit": 50})
