import pytest
from django.db import connection
from django.urls import reverse

from contacts.tests.factories import ContactFactory

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
