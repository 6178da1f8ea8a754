import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.tests.support.queries import assert_constant_queries
from dashboard import employee_figures
from dashboard.models import MonthlyAnalytics
from deals.models import Deal, DealStatus
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from timetracker.tests.factories import WorkPeriodFactory, add_segment
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

METRICS = reverse("dashboard:metrics")
EMPLOYEES = reverse("dashboard:employee-list")
KYIV = ZoneInfo("Europe/Kyiv")


def employee_url(user):
    return reverse("dashboard:employee-detail", args=[user.pk])


def month(day, **figures):
    return MonthlyAnalytics.objects.create(month=day, **figures)


# --- Google Analytics figures


def test_totals_recompute_ratios_from_sums(api, manager):
    # A small month with a high conversion and a big one with a low conversion.
    month(
        datetime.date(2024, 1, 1),
        users=100,
        sessions=150,
        transactions=50,
        add_to_carts=100,
        purchase_revenue=Decimal("5000"),
        ad_cost=Decimal("1000"),
        transactions_per_user=Decimal("0.5"),
    )
    month(
        datetime.date(2024, 2, 1),
        users=900,
        sessions=900,
        transactions=10,
        add_to_carts=400,
        purchase_revenue=Decimal("1000"),
        ad_cost=Decimal("3000"),
        transactions_per_user=Decimal("0.011111"),
    )
    month(datetime.date(2024, 3, 1), users=5, transactions=5)
    response = api.as_user(manager).get(METRICS, {"start_date": "2024-01-15", "end_date": "2024-02-29"})
    assert response.status_code == 200, response.content
    assert [m["month"] for m in response.data["months"]] == ["2024-01", "2024-02"]
    totals = response.data["totals"]
    assert totals["months"] == 2 and totals["users"] == 1000 and totals["transactions"] == 60
    assert totals["transactions_per_user"] == "0.060000"  # 60 / 1000, not the mean of 0.5 and 0.011
    assert totals["roi"] == "0.500000"  # (6000 - 4000) / 4000
    assert totals["failed_purchase_rate"] == "0.880000"  # (500 - 60) / 500
    assert totals["sessions_per_user"] == "1.050000"
    assert totals["purchase_revenue"] == "6000.00"


def test_an_empty_range_has_zero_totals_and_null_ratios(api, admin_user):
    response = api.as_user(admin_user).get(METRICS, {"start_date": "2030-01-01", "end_date": "2030-12-31"})
    assert response.status_code == 200
    assert response.data["months"] == [] and response.data["totals"]["users"] == 0
    assert response.data["totals"]["roi"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2024-03-01", "end_date": "2024-01-01"},
        {"start_date": "2024-02-30", "end_date": "2024-03-01"},
        {"start_date": "soon", "end_date": "2024-03-01"},
        {"start_date": "0001-01-01", "end_date": "9999-12-31"},
        {"end_date": "2024-03-01"},
        {},
    ],
)
def test_a_bad_or_reversed_range_is_a_400(api, owner, params):
    assert api.as_user(owner).get(METRICS, params).status_code == 400


# Digits that are not ASCII (full-width, Arabic-Indic, superscript), and what else only a lax parser reads.
NOT_STRICT_DATES = ["２０２４-０１-０１", "٢٠٢٤-٠١-٠١", "2024-0１-01", "2024-1-1", " 2024-01-01T00:00", "20240101"]


@pytest.mark.parametrize("day", NOT_STRICT_DATES)
def test_dates_are_read_strictly(api, owner, day):
    """README: dates are YYYY-MM-DD in ASCII digits (crm/parsing.py); anything else is a 400 naming the parameter."""
    response = api.as_user(owner).get(METRICS, {"start_date": day, "end_date": "2024-03-01"})
    assert response.status_code == 400
    assert "start_date" in response.json()
    response = api.as_user(owner).get(EMPLOYEES, {"date_after": day, "date_before": "2024-03-01"})
    assert response.status_code == 400
    assert "date_after" in response.json()


def test_employees_do_not_see_the_analytics(api, employee):
    params = {"start_date": "2024-01-01", "end_date": "2024-12-31"}
    assert api.as_user(employee).get(METRICS, params).status_code == 403
    api.credentials()
    assert api.get(METRICS, params).status_code == 401
    for user in (UserFactory(role=Role.OWNER), UserFactory(role=Role.ADMIN), UserFactory(role=Role.MANAGER)):
        assert api.as_user(user).get(METRICS, params).status_code == 200


def test_metrics_query_count_is_constant(api, owner):
    months = iter(datetime.date(2000 + i // 12, i % 12 + 1, 1) for i in range(100))

    def add(n):
        for _ in range(n):
            month(next(months), users=1)

    assert_constant_queries(
        api.as_user(owner), METRICS, add, params={"start_date": "2000-01-01", "end_date": "2010-01-01"}
    )


# --- employee figures

MAY = {"date_after": "2026-05-01", "date_before": "2026-05-31"}


def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=KYIV)


def figures_of(user):
    day = datetime.date(2026, 5, 10)
    won = DealFactory(responsible=user, amount=Decimal("300.50"))
    DealFactory(responsible=user, amount=Decimal("100"))  # still open
    failed = DealFactory(responsible=user, amount=Decimal("70"))
    late = DealFactory(responsible=user, amount=Decimal("1000"))
    Deal.objects.filter(pk=won.pk).update(status=DealStatus.WON, closed_at=at(day))
    Deal.objects.filter(pk=failed.pk).update(status=DealStatus.FAILED, closed_at=at(day))
    Deal.objects.filter(pk=late.pk).update(status=DealStatus.WON, closed_at=at(datetime.date(2026, 6, 1), 0))
    LeadFactory(responsible=user, status="converted", converted_at=at(day))
    LeadFactory(responsible=user)
    TaskFactory(created_by=user, finished=True, finished_at=at(day), date=day)
    TaskFactory(created_by=user, date=datetime.date(2026, 5, 3))  # overdue
    TaskFactory(created_by=UserFactory(), responsible=[user], date=datetime.date(2026, 5, 4))  # overdue too
    add_segment(WorkPeriodFactory(user=user, day=day, finished=True), hours=6.5)
    add_segment(WorkPeriodFactory(user=user, day=datetime.date(2026, 4, 30), finished=True), hours=3)


def test_an_employees_figures_for_a_period(api, employee, settings):
    figures_of(employee)
    response = api.as_user(employee).get(employee_url(employee), MAY)
    assert response.status_code == 200, response.content
    data = response.data
    assert data["user"]["id"] == employee.pk and (data["first"], data["last"]) == ("2026-05-01", "2026-05-31")
    assert (data["deals_won"], data["deals_won_amount"]) == (1, "300.50")
    assert (data["deals_failed"], data["deals_failed_amount"]) == (1, "70.00")
    assert data["leads_converted"] == 1
    assert (data["calls"], data["talk_seconds"]) == (0, 0)
    assert (data["tasks_done"], data["tasks_overdue"]) == (1, 2)
    assert (data["seconds_worked"], data["hours_worked"]) == (6.5 * 3600, 6.5)


def test_a_provider_plugs_in_with_one_line(api, employee):
    def call_figures(*, user_ids, start, end):
        return {user_id: {"calls": 3, "talk_seconds": 240} for user_id in user_ids}

    previous = employee_figures._providers["calls"]
    employee_figures.register("calls", figures=call_figures, defaults={"calls": 0, "talk_seconds": 0})
    try:
        data = api.as_user(employee).get(employee_url(employee), MAY).data
    finally:
        employee_figures._providers["calls"] = previous
    assert (data["calls"], data["talk_seconds"]) == (3, 240)


def test_a_colleagues_figures_are_refused(api, employee):
    colleague = UserFactory()
    assert api.as_user(employee).get(employee_url(colleague), MAY).status_code == 404
    rows = api.as_user(employee).get(EMPLOYEES, MAY).data["results"]
    assert [row["user"]["id"] for row in rows] == [employee.pk]


def test_a_head_sees_the_team_but_the_team_not_the_head(api, manager):
    member = UserFactory(department=make_department("Sales", head=manager))
    figures_of(member)
    client = api.as_user(manager)
    data = client.get(employee_url(member), MAY).data
    assert data["deals_won"] == 1
    rows = {row["user"]["id"]: row for row in client.get(EMPLOYEES, MAY).data["results"]}
    assert set(rows) == {manager.pk, member.pk}
    assert rows[manager.pk]["deals_won"] == 0 and rows[member.pk]["hours_worked"] == 6.5
    assert api.as_user(member).get(employee_url(manager), MAY).status_code == 404


def test_admins_see_everybody(api, admin_user):
    others = {UserFactory().pk, UserFactory().pk}
    rows = api.as_user(admin_user).get(EMPLOYEES, {"period": "year"}).data["results"]
    assert others | {admin_user.pk} <= {row["user"]["id"] for row in rows}


@pytest.mark.parametrize(
    "params",
    [
        {"period": "decade"},
        {"date_after": "2026-05-31", "date_before": "2026-05-01"},
        {"date_after": "2026-05-01"},
        {"date_after": "x", "date_before": "2026-05-01"},
        {"date_after": "2026-05-01", "date_before": "9999-12-31"},
        {"period": "week", **MAY},
    ],
)
def test_bad_periods_are_a_400(api, employee, params):
    assert api.as_user(employee).get(employee_url(employee), params).status_code == 400
    assert api.as_user(employee).get(EMPLOYEES, params).status_code == 400


def test_malformed_ids_are_a_404(api, owner):
    assert api.as_user(owner).get(EMPLOYEES + "abc/").status_code == 404
    assert api.as_user(owner).get(EMPLOYEES + "999999/").status_code == 404


def test_the_default_period_is_this_month(api, employee):
    data = api.as_user(employee).get(employee_url(employee)).data
    today = timezone.localdate()
    assert data["first"] == today.replace(day=1).isoformat()


def test_employee_figures_query_count_is_constant(api, owner):
    def add(n):
        for _ in range(n):
            figures_of(UserFactory())

    assert_constant_queries(api.as_user(owner), EMPLOYEES, add, params=MAY)


def test_one_employees_query_count_does_not_grow_with_the_period(api, owner):
    user = UserFactory()
    figures_of(user)
    client = api.as_user(owner)
    client.get(employee_url(user), MAY)
    counts = []
    for params in (MAY, {"date_after": "2020-01-01", "date_before": "2026-12-31"}, {"period": "today"}):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(employee_url(user), params).status_code == 200
        counts.append(len(captured))
    assert len(set(counts)) == 1, counts


def test_trashed_records_do_not_count(api, employee):
    from crm.trash import move_to_trash

    day = datetime.date(2026, 5, 10)
    task = TaskFactory(created_by=employee, finished=True, finished_at=at(day), date=day)
    deal = DealFactory(responsible=employee)
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=at(day))
    move_to_trash(task, actor=employee)
    move_to_trash(Deal.objects.get(pk=deal.pk), actor=employee)
    data = api.as_user(employee).get(employee_url(employee), MAY).data
    assert (data["tasks_done"], data["deals_won"]) == (0, 0)
