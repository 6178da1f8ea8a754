"""Calls take their place beside everything else: calendar, employee figures, search, contact timeline, centre."""

import datetime

import pytest
from django.utils import timezone

from calls.tests.factories import CallFactory
from contacts.tests.factories import ContactFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    contact = ContactFactory()
    mine = CallFactory(employee=employee, contact=contact, external_number="+380501234567", talk_seconds=90)
    theirs = CallFactory(employee=colleague, contact=contact, external_number="+380671112233", talk_seconds=30)
    return mine, theirs, contact


def test_the_calendar_shows_my_calls_only(api, employee, calls):
    mine, theirs, _ = calls
    today = timezone.localdate().isoformat()
    days = api.as_user(employee).get("/api/calendars/", {"source": "calls", "period": "week", "date": today}).data
    links = [event["link"] for day in days["days"] for event in day["events"]]
    assert f"/api/calls/{mine.pk}/" in links and f"/api/calls/{theirs.pk}/" not in links


def test_employee_figures_count_calls_and_talk_time(api, employee, calls):
    today = timezone.localdate()
    params = {"date_after": (today - datetime.timedelta(days=1)).isoformat(), "date_before": today.isoformat()}
    data = api.as_user(employee).get(f"/api/dashboard/employees/{employee.pk}/", params).data
    assert (data["calls"], data["talk_seconds"]) == (1, 90)


def test_search_finds_my_call_by_any_spelling_of_the_number(api, employee, calls):
    mine, _, _ = calls
    client = api.as_user(employee)
    groups = {group["type"]: group for group in client.get("/api/search/", {"q": "050 123 45 67"}).data}
    assert [hit["id"] for hit in groups["calls"]["results"]] == [mine.pk]
    groups = {group["type"]: group for group in client.get("/api/search/", {"q": "0671112233"}).data}
    assert groups.get("calls", {"results": []})["results"] == []


def test_the_contact_timeline_has_the_calls_i_may_see(api, employee, calls):
    mine, _, contact = calls
    rows = api.as_user(employee).get(f"/api/contacts/{contact.pk}/timeline/", {"kind": "calls"}).data["results"]
    assert [row["id"] for row in rows] == [mine.pk]


def test_the_centre_lists_my_recent_calls(api, employee, calls):
    mine, _, _ = calls
    section = api.as_user(employee).get("/api/users/me/center/").data["recent_calls"]
    assert section["count"] == 1 and section["items"][0]["id"] == mine.pk
