import pytest
from django.urls import reverse

from activity.models import Activity
from contacts.models import Return, ReturnStatus
from contacts.tests.factories import ContactFactory, ReturnFactory, ReturnItemFactory
from crm.tests.files import EXE, PDF, upload
from crm.tests.support.queries import assert_constant_queries
from notifications.models import Notification
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:return-list")


def act(client, return_request, action):
    return client.post(reverse(f"contacts:return-{action}", args=[return_request.pk]))


def test_create_a_return_with_its_items(api, employee):
    contact = ContactFactory()
    response = api.as_user(employee).post(
        LIST,
        {
            "contact": contact.pk,
            "order_reference": "A-100",
            "reason": "Too small",
            "items": [{"sku": "SH-42", "name": "Shoes", "quantity": 2}],
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["status"] == "pending"
    assert response.data["items"][0]["sku"] == "SH-42"
    assert response.data["responsible"] == employee.pk


def test_a_return_needs_items_with_positive_quantities(api, employee):
    contact = ContactFactory()
    client = api.as_user(employee)
    assert client.post(LIST, {"contact": contact.pk, "reason": "x", "items": []}).status_code == 400
    bad_item = {"contact": contact.pk, "reason": "x", "items": [{"sku": "A", "name": "A", "quantity": 0}]}
    assert client.post(LIST, bad_item).status_code == 400
    assert not Return.objects.exists()


def test_admin_approves_and_the_responsible_user_is_told(api, admin_user, employee):
    return_request = ReturnFactory(responsible=employee)
    response = act(api.as_user(admin_user), return_request, "approve")
    assert response.status_code == 200
    assert response.data["status"] == "approved"
    assert response.data["decided_by"]["id"] == admin_user.pk
    note = Notification.objects.get(recipient=employee)
    assert note.kind == "return_decided" and note.target == return_request
    entry = Activity.objects.get(verb="approved")
    assert entry.actor == admin_user and "status" in entry.changed_fields


@pytest.mark.parametrize(
    ("start", "action", "expected"),
    [
        (ReturnStatus.PENDING, "approve", 200),
        (ReturnStatus.PENDING, "reject", 200),
        (ReturnStatus.PENDING, "cancel", 200),
        (ReturnStatus.APPROVED, "cancel", 200),
        (ReturnStatus.APPROVED, "approve", 409),
        (ReturnStatus.APPROVED, "reject", 409),
        (ReturnStatus.REJECTED, "approve", 409),
        (ReturnStatus.REJECTED, "cancel", 409),
        (ReturnStatus.CANCELLED, "approve", 409),
        (ReturnStatus.CANCELLED, "cancel", 409),
    ],
)
def test_transitions(api, employee, start, action, expected):
    return_request = ReturnFactory(responsible=employee, status=start)
    response = act(api.as_user(employee), return_request, action)
    assert response.status_code == expected
    return_request.refresh_from_db()
    if expected == 409:
        assert return_request.status == start
        assert not Activity.objects.exists()


def test_an_employee_cannot_decide_a_return_they_are_not_responsible_for(api, employee):
    return_request = ReturnFactory(responsible=UserFactory())
    client = api.as_user(employee)
    assert client.get(reverse("contacts:return-detail", args=[return_request.pk])).status_code == 200
    for action in ("approve", "reject", "cancel"):
        assert act(client, return_request, action).status_code == 403
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.PENDING
    assert not Notification.objects.exists()


def test_attach_a_file_checked_by_content(api, employee):
    return_request = ReturnFactory(responsible=employee)
    client = api.as_user(employee)
    url = reverse("contacts:return-file", args=[return_request.pk])
    refused = client.put(url, {"file": upload("receipt.pdf", EXE)}, format="multipart")
    assert refused.status_code == 400
    return_request.refresh_from_db()
    assert not return_request.file
    accepted = client.put(url, {"file": upload("receipt.pdf", PDF)}, format="multipart")
    assert accepted.status_code == 200, accepted.data
    assert accepted.data["download_url"].endswith(f"/api/files/return/{return_request.pk}/")
    return_request.refresh_from_db()
    assert return_request.file.name.endswith(".pdf") and "receipt" not in return_request.file.name


def test_someone_elses_return_file_cannot_be_replaced(api, employee):
    return_request = ReturnFactory(responsible=UserFactory())
    url = reverse("contacts:return-file", args=[return_request.pk])
    response = api.as_user(employee).put(url, {"file": upload("receipt.pdf", PDF)}, format="multipart")
    assert response.status_code == 403


def test_filters(api, employee):
    pending = ReturnFactory(responsible=employee)
    ReturnFactory(status=ReturnStatus.APPROVED)
    client = api.as_user(employee)
    rows = client.get(LIST, {"status": "pending", "responsible": employee.pk}).data["results"]
    assert [row["id"] for row in rows] == [pending.pk]
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_return_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for _ in range(n):
            item = ReturnItemFactory(return_request__responsible=UserFactory())
            ReturnItemFactory(return_request=item.return_request)

    # the user behind the token, the count, the page with contact and users joined, the items
    assert assert_constant_queries(api.as_user(employee), LIST, add_rows) <= 4
