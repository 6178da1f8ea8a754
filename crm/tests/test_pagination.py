import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.tests.factories import ContactFactory
from deals.tests.factories import DealFactory
from leads.models import Lead
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:contact-list")


def test_a_count_within_the_limit_is_exact(api, employee, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 5
    ContactFactory.create_batch(5)
    response = api.as_user(employee).get(LIST)
    assert response.data["count"] == 5
    assert "X-Count-Estimated" not in response


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL's planner")
def test_a_count_past_the_limit_is_the_planner_estimate_and_says_so(api, employee, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    ContactFactory.create_batch(6)
    response = api.as_user(employee).get(LIST, {"page_size": 2})
    assert response.status_code == 200
    assert response["X-Count-Estimated"] == "true"
    assert response.data["count"] >= 4  # never below what was counted
    assert len(response.data["results"]) == 2


def test_no_limit_counts_everything_exactly(api, employee, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 0
    ContactFactory.create_batch(4)
    response = api.as_user(employee).get(LIST)
    assert response.data["count"] == 4
    assert "X-Count-Estimated" not in response


WORK = reverse("deals:work-item-list")


def _work_of(user, *, leads=None):
    """Leads and deals merged newest first, as "my work" lists them."""
    from deals.selectors import deals_visible, work_items
    from leads.selectors import leads_visible

    return work_items(leads=leads_visible(user=user) if leads is None else leads, deals=deals_visible(user=user))


def test_merged_rows_page_through_every_part_in_order(owner):
    LeadFactory.create_batch(3)
    DealFactory.create_batch(4)
    rows = _work_of(owner)
    everything = list(rows.union())
    assert [(row["created_at"], row["id"]) for row in everything] == sorted(
        ((row["created_at"], row["id"]) for row in everything), reverse=True
    )
    assert {row["type"] for row in everything} == {"lead", "deal"}
    assert [row for start in range(0, 8, 3) for row in rows[start : start + 3]] == everything
    assert rows.count() == 7
    assert list(rows[0:0]) == []  # the page of an empty list
    assert list(_work_of(owner, leads=Lead.objects.none())[0:3]) == [r for r in everything if r["type"] == "deal"][:3]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no LIMIT inside a compound statement")
def test_a_page_of_merged_rows_is_asked_of_each_part_as_far_as_its_end(owner):
    """So that each part can walk an index in order instead of the union sorting every row of every part."""
    with CaptureQueriesContext(connection) as queries:
        list(_work_of(owner)[2:4])
    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert sql.count("LIMIT 4") == 2
    assert sql.endswith("LIMIT 2 OFFSET 2")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates come from PostgreSQL's planner")
def test_a_merged_list_past_the_limit_counts_as_the_planner_estimates(api, employee, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 3
    LeadFactory.create_batch(3, responsible=employee)
    DealFactory.create_batch(3, responsible=employee)
    response = api.as_user(employee).get(WORK, {"page_size": 2})
    assert (response.status_code, response["X-Count-Estimated"]) == (200, "true")
    assert response.data["count"] >= 4
    settings.LIST_EXACT_COUNT_LIMIT = 10
    response = api.as_user(employee).get(WORK, {"page_size": 2})
    assert (response.data["count"], "X-Count-Estimated" in response) == (6, False)


def test_no_page_of_my_work_shows_a_colleagues_leads_or_deals(api, employee):
    """Each part of a merged page is its own list's scoped queryset: the colleague's rows are on no page."""
    colleague = UserFactory(role=Role.EMPLOYEE)
    mine = {("lead", lead.pk) for lead in LeadFactory.create_batch(3, responsible=employee)}
    mine |= {("deal", deal.pk) for deal in DealFactory.create_batch(3, responsible=employee)}
    LeadFactory.create_batch(2, responsible=colleague, created_by=colleague)
    DealFactory.create_batch(2, responsible=colleague, created_by=colleague)
    client = api.as_user(employee)
    seen = []
    for page in (1, 2, 3):
        response = client.get(WORK, {"page_size": 2, "page": page})
        assert (response.status_code, response.data["count"]) == (200, 6)
        seen += [(row["type"], row["id"]) for row in response.data["results"]]
    assert sorted(seen) == sorted(mine)
    assert client.get(WORK, {"page_size": 2, "page": 4}).status_code == 404
