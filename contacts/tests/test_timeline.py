import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from contacts.models import Contact, CustomerRequest, LoyaltyTransaction, Return
from contacts.tests.factories import (
    ContactActivityFactory,
    ContactEventFactory,
    ContactFactory,
    CustomerRequestFactory,
    LetterFactory,
    ReturnFactory,
)
from crm.tests.support.queries import assert_constant_queries
from deals.tests.factories import DealFactory, OrderFactory
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def url(contact):
    return reverse("contacts:contact-timeline", args=[contact.pk])


def ago(hours):
    return NOW - datetime.timedelta(hours=hours)


def backdate(model, row, hours):
    model.objects.filter(pk=row.pk).update(created_at=ago(hours))


def one_of_each(contact, user, start=0):
    """An entry of every kind for `contact`, `kind` k made k+start hours ago; returns [(kind, id)], newest first."""
    made = []
    order = OrderFactory(
        contact=contact, deal=DealFactory(contact=contact, responsible=user), ordered_at=ago(start + 1)
    )
    made.append(("orders", order.pk))
    made.append(("events", ContactEventFactory(contact=contact, occurred_at=ago(start + 2)).pk))
    made.append(("letters", LetterFactory(contact=contact, sent_at=ago(start + 3)).pk))
    made.append(("activities", ContactActivityFactory(contact=contact, occurred_at=ago(start + 4)).pk))
    request = CustomerRequestFactory(contact=contact)
    backdate(CustomerRequest, request, start + 5)
    made.append(("requests", request.pk))
    return_request = ReturnFactory(contact=contact)
    backdate(Return, return_request, start + 6)
    made.append(("returns", return_request.pk))
    task = TaskFactory(contact=contact, created_by=user)
    backdate(Task, task, start + 7)
    made.append(("tasks", task.pk))
    comment = Comment.objects.create(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        text="Likes blue",
        author=user,
    )
    backdate(Comment, comment, start + 8)
    made.append(("comments", comment.pk))
    loyalty = LoyaltyTransaction.objects.create(contact=contact, kind="accrued", amount=5, balance_after=5)
    backdate(LoyaltyTransaction, loyalty, start + 9)
    made.append(("loyalty", loyalty.pk))
    return made


def test_every_kind_newest_first_with_links(api, employee):
    contact = ContactFactory()
    made = one_of_each(contact, employee)
    ContactEventFactory()  # another contact's
    response = api.as_user(employee).get(url(contact))
    assert response.status_code == 200, response.data
    assert response.data["count"] == len(made)
    assert [(row["kind"], row["id"]) for row in response.data["results"]] == made
    by_kind = {row["kind"]: row for row in response.data["results"]}
    assert by_kind["requests"]["status"] == "open"
    assert by_kind["requests"]["url"] == reverse("contacts:customer-request-detail", args=[made[4][1]])
    assert by_kind["tasks"]["status"] == "open"
    assert by_kind["comments"]["title"] == "Likes blue"
    assert by_kind["events"]["url"] is None


def test_kinds_interleave_by_time(api, employee):
    contact = ContactFactory()
    LetterFactory(contact=contact, sent_at=ago(1), subject="newest")
    ContactEventFactory(contact=contact, occurred_at=ago(2))
    LetterFactory(contact=contact, sent_at=ago(3), subject="oldest")
    rows = api.as_user(employee).get(url(contact)).data["results"]
    assert [row["kind"] for row in rows] == ["letters", "events", "letters"]
    assert [rows[0]["title"], rows[2]["title"]] == ["newest", "oldest"]


def test_filter_by_kind_and_paginate(api, employee):
    contact = ContactFactory()
    one_of_each(contact, employee)
    client = api.as_user(employee)
    rows = client.get(url(contact), {"kind": "letters,tasks"}).data["results"]
    assert [row["kind"] for row in rows] == ["letters", "tasks"]
    page = client.get(url(contact), {"page_size": 4, "page": 2}).data
    assert page["count"] == 9
    assert [row["kind"] for row in page["results"]] == ["requests", "returns", "tasks", "comments"]
    assert client.get(url(contact), {"kind": "letters,gossip"}).status_code == 400


def test_what_the_user_may_not_see_is_left_out(api, employee):
    contact = ContactFactory()
    colleague = UserFactory()
    TaskFactory(contact=contact, created_by=colleague, name="Colleague's task")
    OrderFactory(contact=contact, deal=DealFactory(contact=contact, responsible=colleague))
    OrderFactory(contact=contact)  # no deal: admins only
    own = TaskFactory(contact=contact, created_by=employee)
    rows = api.as_user(employee).get(url(contact)).data["results"]
    assert [(row["kind"], row["id"]) for row in rows] == [("tasks", own.pk)]
    admin_rows = api.as_user(UserFactory(role=Role.ADMIN)).get(url(contact)).data["results"]
    assert sorted(row["kind"] for row in admin_rows) == ["orders", "orders", "tasks", "tasks"]


def test_unknown_contact_is_404(api, employee):
    assert api.as_user(employee).get("/api/contacts/999999/timeline/").status_code == 404
    api.credentials()
    assert api.get(url(ContactFactory())).status_code == 401


def test_queries_are_constant_for_2_and_40_entries(api, employee):
    contact = ContactFactory()
    made = {"count": 0}

    def add(n):
        for _ in range(n):
            kinds = one_of_each(contact, employee, start=made["count"] * 10)
            made["count"] += 1
            assert kinds

    assert_constant_queries(api.as_user(employee), url(contact), add, few=1, many=5)
