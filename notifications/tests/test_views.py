import pytest
from django.urls import reverse
from django.utils import timezone

from crm.testing import assert_constant_queries
from notifications.services import notify
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ids(response):
    return {row["id"] for row in response.data["results"]}


def test_notify_stores_a_notification_with_its_target(employee, owner):
    note = notify(recipient=employee, kind="test", title="Hello", target=owner)
    assert note.target == owner
    assert not note.seen


def test_recipient_sees_own_notifications_only(api, employee, owner):
    mine = notify(recipient=employee, kind="test", title="Mine", target=owner)
    theirs = notify(recipient=owner, kind="test", title="Theirs")
    client = api.as_user(employee)
    response = client.get(reverse("notifications:notification-list"))
    assert ids(response) == {mine.pk}
    assert response.data["results"][0]["target"] == f"users.user:{owner.pk}"
    assert client.get(reverse("notifications:notification-detail", args=[theirs.pk])).status_code == 404


def test_not_even_the_owner_reads_someone_elses_notifications(api, employee, owner):
    theirs = notify(recipient=employee, kind="test", title="Private")
    client = api.as_user(owner)
    assert ids(client.get(reverse("notifications:notification-list"))) == set()
    assert client.get(reverse("notifications:notification-detail", args=[theirs.pk])).status_code == 404


def test_filter_by_seen_and_kind(api, employee):
    seen = notify(recipient=employee, kind="a", title="Seen")
    seen.seen_at = timezone.now()
    seen.save()
    unseen = notify(recipient=employee, kind="b", title="New")
    client = api.as_user(employee)
    url = reverse("notifications:notification-list")
    assert ids(client.get(url, {"seen": "false"})) == {unseen.pk}
    assert ids(client.get(url, {"seen": "true"})) == {seen.pk}
    assert ids(client.get(url, {"kind": "a"})) == {seen.pk}
    assert client.get(url, {"seen": "maybe"}).status_code == 400


def test_notification_list_takes_constant_queries(api, employee):
    def add_rows(n):
        for _ in range(n):
            notify(recipient=employee, kind="test", title="x", target=UserFactory())

    # the user behind the token, the count, the page with content types joined
    client = api.as_user(employee)
    assert assert_constant_queries(client, reverse("notifications:notification-list"), add_rows) <= 3
