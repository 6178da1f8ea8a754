"""A department head may do to a subordinate's leads, deals and tasks what the responsible user may (SPEC.md 3),
including handing them to another of their subordinates, but not to someone outside their departments."""

import pytest
from django.urls import reverse

from deals.models import DealStatus
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    head = UserFactory(role=Role.MANAGER)
    sales = make_department("Sales", head=head)
    seller, other_seller = UserFactory(department=sales), UserFactory(department=sales)
    outsider = UserFactory()
    return head, seller, other_seller, outsider


def test_a_head_edits_reassigns_and_fails_a_subordinates_lead(api, team):
    head, seller, other_seller, outsider = team
    lead = LeadFactory(responsible=seller)
    client = api.as_user(head)
    url = reverse("leads:lead-detail", args=[lead.pk])
    assert client.patch(url, {"notes": "Call back"}).status_code == 200
    refused = client.patch(url, {"responsible": outsider.pk})
    assert refused.status_code == 400 and "responsible" in refused.json()
    assert client.patch(url, {"responsible": other_seller.pk}).status_code == 200
    assert client.post(reverse("leads:lead-fail", args=[lead.pk]), {"reason": "No budget"}).status_code == 200


def test_a_head_edits_reassigns_and_wins_a_subordinates_deal(api, team):
    head, seller, other_seller, outsider = team
    deal = DealFactory(responsible=seller)
    client = api.as_user(head)
    url = reverse("deals:deal-detail", args=[deal.pk])
    assert client.patch(url, {"title": "Bigger order"}).status_code == 200
    assert client.patch(url, {"responsible": outsider.pk}).status_code == 400
    assert client.patch(url, {"responsible": other_seller.pk}).status_code == 200
    assert client.post(reverse("deals:deal-win", args=[deal.pk])).status_code == 200
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON and deal.responsible == other_seller


def test_a_head_edits_reassigns_and_finishes_a_subordinates_task(api, team):
    """Finding 7: the head could win a subordinate's deal but got 403 on their task."""
    head, seller, other_seller, outsider = team
    task = TaskFactory(created_by=outsider, responsible=[seller])
    client = api.as_user(head)
    url = reverse("tasks:task-detail", args=[task.pk])
    assert client.patch(url, {"name": "Changed"}).status_code == 200
    assert client.patch(url, {"responsible": [outsider.pk]}).status_code == 400
    assert client.patch(url, {"responsible": [other_seller.pk]}).status_code == 200
    assert client.post(reverse("tasks:task-finish", args=[task.pk])).status_code == 200


def test_a_colleague_who_is_not_the_head_still_cannot(api, team):
    _head, seller, other_seller, _outsider = team
    task = TaskFactory(created_by=seller, responsible=[seller])
    lead, deal = LeadFactory(responsible=seller), DealFactory(responsible=seller)
    client = api.as_user(other_seller)
    assert client.patch(reverse("tasks:task-detail", args=[task.pk]), {"name": "x"}).status_code == 404
    assert client.patch(reverse("leads:lead-detail", args=[lead.pk]), {"notes": "x"}).status_code == 404
    assert client.patch(reverse("deals:deal-detail", args=[deal.pk]), {"title": "x"}).status_code == 404
