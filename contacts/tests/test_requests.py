import datetime

import pytest
from django.urls import reverse

from activity.models import Activity
from comments.models import Comment
from contacts.models import CustomerRequest, RequestStatus
from contacts.tests.factories import ContactFactory, CustomerRequestFactory
from crm.tests.support.queries import assert_constant_queries
from deals.tests.factories import DealFactory, OrderFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:customer-request-list")


def act(client, customer_request, action):
    return client.post(reverse(f"contacts:customer-request-{action}", args=[customer_request.pk]))


def test_create_a_request_about_an_order(api, employee):
    contact = ContactFactory(responsible=employee)
    order = OrderFactory(contact=contact, deal=DealFactory(contact=contact, responsible=employee))
    response = api.as_user(employee).post(
        LIST,
        {"contact": contact.pk, "reason": "Wrong size", "channel": "shop", "order": order.pk, "due_date": "2030-01-10"},
    )
    assert response.status_code == 201, response.data
    assert response.data["status"] == "open"
    assert response.data["responsible"] == employee.pk
    assert response.data["created_by"]["id"] == employee.pk
    request = CustomerRequest.objects.get()
    assert Activity.objects.filter(verb="created", target_id=request.pk).exists()


def test_a_request_cannot_concern_another_contacts_order_or_an_unknown_channel(api, admin_user):
    contact = ContactFactory()
    others_order = OrderFactory()
    client = api.as_user(admin_user)
    assert client.post(LIST, {"contact": contact.pk, "reason": "x", "order": others_order.pk}).status_code == 400
    assert client.post(LIST, {"contact": contact.pk, "reason": "x", "channel": "pigeon"}).status_code == 400
    assert client.post(LIST, {"contact": "abc", "reason": "x"}).status_code == 400
    assert not CustomerRequest.objects.exists()


def test_a_deal_the_user_may_not_see_cannot_be_linked(api, employee):
    contact = ContactFactory(responsible=employee)
    hidden_deal = DealFactory(contact=contact, responsible=UserFactory())
    response = api.as_user(employee).post(LIST, {"contact": contact.pk, "reason": "x", "deal": hidden_deal.pk})
    assert response.status_code == 400
    assert "deal" in response.data


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("open", "start", "in_progress"),
        ("open", "resolve", "resolved"),
        ("in_progress", "resolve", "resolved"),
        ("in_progress", "reject", "rejected"),
        ("resolved", "reopen", "open"),
        ("rejected", "reopen", "open"),
    ],
)
def test_valid_transitions_are_recorded(api, admin_user, start, action, end):
    customer_request = CustomerRequestFactory(status=start)
    response = act(api.as_user(admin_user), customer_request, action)
    assert response.status_code == 200, response.data
    assert response.data["status"] == end
    assert (response.data["closed_at"] is not None) == (end in ("resolved", "rejected"))
    assert Activity.objects.filter(verb=action, target_id=customer_request.pk, actor=admin_user).exists()


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("in_progress", "start"),
        ("resolved", "start"),
        ("resolved", "resolve"),
        ("rejected", "reject"),
        ("open", "reopen"),
    ],
)
def test_invalid_transitions_are_409_and_change_nothing(api, admin_user, start, action):
    customer_request = CustomerRequestFactory(status=start)
    response = act(api.as_user(admin_user), customer_request, action)
    assert response.status_code == 409
    customer_request.refresh_from_db()
    assert customer_request.status == start
    assert not Activity.objects.filter(verb=action).exists()


def test_only_admins_and_the_responsible_user_change_a_request(api, employee):
    customer_request = CustomerRequestFactory(responsible=UserFactory())
    client = api.as_user(employee)
    assert client.get(reverse("contacts:customer-request-detail", args=[customer_request.pk])).status_code == 200
    assert act(client, customer_request, "resolve").status_code == 403
    detail = reverse("contacts:customer-request-detail", args=[customer_request.pk])
    assert client.patch(detail, {"reason": "Changed"}).status_code == 403
    assert client.delete(detail).status_code == 403
    customer_request.refresh_from_db()
    assert (customer_request.status, customer_request.reason) == (RequestStatus.OPEN, "Late delivery")


def test_the_responsible_user_edits_and_the_change_is_logged(api, employee):
    customer_request = CustomerRequestFactory(responsible=employee)
    detail = reverse("contacts:customer-request-detail", args=[customer_request.pk])
    response = api.as_user(employee).patch(detail, {"reason": "Broken box"})
    assert response.status_code == 200
    assert response.data["reason"] == "Broken box"
    assert Activity.objects.filter(verb="updated", target_id=customer_request.pk).exists()


def test_filters(api, employee):
    mine = CustomerRequestFactory(responsible=employee, channel="email", reason="Refund", status="resolved")
    CustomerRequestFactory(channel="call", reason="Late delivery")
    old = CustomerRequestFactory(channel="chat", reason="refund")
    CustomerRequest.objects.filter(pk=old.pk).update(created_at=datetime.datetime(2020, 1, 5, tzinfo=datetime.UTC))
    client = api.as_user(employee)

    def ids(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200, response.data
        return {row["id"] for row in response.data["results"]}

    assert ids(status="resolved") == {mine.pk}
    assert ids(channel="email") == {mine.pk}
    assert ids(reason="REFUND") == {mine.pk, old.pk}
    assert ids(responsible=employee.pk) == {mine.pk}
    assert ids(date_before="2020-01-31") == {old.pk}
    assert old.pk not in ids(period="year")
    for garbage in ({"status": "lost"}, {"period": "eon"}, {"responsible": "x"}, {"date_after": "soon"}):
        assert client.get(LIST, garbage).status_code == 400


def test_requests_take_comments(api, employee):
    customer_request = CustomerRequestFactory()
    target = f"contacts.customerrequest:{customer_request.pk}"
    response = api.as_user(employee).post(reverse("comments:comment-list"), {"target": target, "text": "Called back"})
    assert response.status_code == 201, response.data
    assert Comment.objects.filter(object_id=str(customer_request.pk)).exists()


def test_unknown_request_is_404(api, admin_user):
    client = api.as_user(admin_user)
    assert client.post("/api/contacts/requests/999999/resolve/").status_code == 404
    assert client.get("/api/contacts/requests/abc/").status_code == 404


def test_list_queries_are_constant(api, employee):
    def add(n):
        for _ in range(n):
            CustomerRequestFactory(order=OrderFactory(), deal=DealFactory(), responsible=UserFactory())

    assert_constant_queries(api.as_user(employee), LIST, add)
