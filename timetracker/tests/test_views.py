import threading
from datetime import date, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse

from crm.tests.support.queries import assert_constant_queries
from timetracker.models import Segment, WorkPeriod
from timetracker.services import timer_start
from timetracker.tests.factories import WorkPeriodFactory, add_segment
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

PERIODS = reverse("timetracker:period-list")
REPORT = reverse("timetracker:period-report")


def timer(action):
    return reverse(f"timetracker:timer-{action}")


def test_timer_over_rest(api, employee):
    client = api.as_user(employee)
    assert client.get(timer("state")).data["running"] is False
    assert client.post(timer("start")).data["running"] is True
    assert client.post(timer("start")).status_code == 409
    assert client.post(timer("pause")).data["running"] is False
    assert client.post(timer("resume")).data["running"] is True
    stopped = client.post(timer("stop"))
    assert stopped.status_code == 200 and stopped.data["finished"] is True
    assert client.post(timer("stop")).status_code == 409
    assert len(stopped.data["segments"]) == 2


def test_timer_is_per_user(api, employee):
    timer_start(user=UserFactory())
    assert api.as_user(employee).get(timer("state")).data["running"] is False
    assert api.as_user(employee).post(timer("start")).status_code == 200


@pytest.fixture
def team():
    """A manager heading Sales with one member, and an outsider in no department."""
    manager = UserFactory(role=Role.MANAGER)
    sales = make_department("Sales", head=manager)
    return manager, UserFactory(department=sales), UserFactory()


def test_periods_visible_to_the_user_and_their_managers_only(api, team):
    manager, member, outsider = team
    member_period = WorkPeriodFactory(user=member)
    outsider_period = WorkPeriodFactory(user=outsider)
    ids = {row["id"] for row in api.as_user(manager).get(PERIODS).data["results"]}
    assert ids == {member_period.pk}
    ids = {row["id"] for row in api.as_user(member).get(PERIODS).data["results"]}
    assert ids == {member_period.pk}
    assert api.as_user(member).get(reverse("timetracker:period-detail", args=[outsider_period.pk])).status_code == 404
    assert api.as_user(outsider).get(PERIODS, {"user": member.pk}).data["results"] == []


def test_report_hours_per_day_week_and_month(api, team):
    manager, member, _outsider = team
    for day, hours in [(date(2026, 3, 2), 8), (date(2026, 3, 3), 6.5), (date(2026, 3, 10), 4), (date(2026, 4, 1), 2)]:
        add_segment(WorkPeriodFactory(user=member, day=day), hours=hours)
    client = api.as_user(manager)
    params = {"user": member.pk, "date_after": "2026-03-01", "date_before": "2026-04-30"}
    by_day = client.get(REPORT, {**params, "group_by": "day"})
    assert by_day.status_code == 200, by_day.data
    assert [(row["start"], row["hours"]) for row in by_day.data][:2] == [("2026-03-02", 8.0), ("2026-03-03", 6.5)]
    by_week = client.get(REPORT, {**params, "group_by": "week"}).data
    assert [(row["start"], row["hours"]) for row in by_week] == [
        ("2026-03-02", 14.5),
        ("2026-03-09", 4.0),
        ("2026-03-30", 2.0),
    ]
    by_month = client.get(REPORT, {**params, "group_by": "month"}).data
    assert [(row["start"], row["seconds"]) for row in by_month] == [("2026-03-01", 66600), ("2026-04-01", 7200)]


def test_report_of_someone_you_do_not_manage_is_404_and_bad_input_400(api, team):
    manager, member, outsider = team
    assert api.as_user(member).get(REPORT, {"user": manager.pk}).status_code == 404
    assert api.as_user(outsider).get(REPORT, {"user": member.pk}).status_code == 404
    assert api.as_user(member).get(REPORT).status_code == 200, "your own by default"
    assert api.as_user(member).get(REPORT, {"group_by": "fortnight"}).status_code == 400
    assert api.as_user(member).get(REPORT, {"date_after": "yesterday-ish"}).status_code == 400
    assert api.as_user(member).get(REPORT, {"user": 2**80}).status_code == 400


def test_period_list_takes_constant_queries(api, employee):
    start = date(2026, 1, 1)
    made = []

    def add_rows(n):
        for _ in range(n):
            period = WorkPeriodFactory(user=employee, day=start + timedelta(days=len(made)))
            add_segment(period, hours=1)
            made.append(period)

    assert (
        assert_constant_queries(api.as_user(employee), PERIODS, add_rows) <= 5
    )  # one more: the ids of the users whose rows the caller sees


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_leave_exactly_one_running_segment(api, employee):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (set DATABASE_URL); SQLite serialises them anyway")
    barrier = threading.Barrier(2)
    outcomes = []

    def press_start():
        try:
            barrier.wait()
            try:
                timer_start(user=employee)
                outcomes.append("started")
            except Exception as error:
                outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press_start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Conflict", "started"]
    assert Segment.objects.filter(user=employee, end__isnull=True).count() == 1
    assert WorkPeriod.objects.filter(user=employee).count() == 1
