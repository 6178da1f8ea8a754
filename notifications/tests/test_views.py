import pytest
from django.urls import reverse
from django.utils import timezone

from crm.tests.support.queries import assert_constant_queries
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


def test_unread_count_and_mark_one_and_all_seen(api, employee, owner):
    first = notify(recipient=employee, kind="test", title="1")
    notify(recipient=employee, kind="test", title="2")
    theirs = notify(recipient=owner, kind="test", title="theirs")
    client = api.as_user(employee)
    count_url = reverse("notifications:notification-unread-count")
    assert client.get(count_url).data == {"count": 2}
    response = client.post(reverse("notifications:notification-seen", args=[first.pk]))
    assert response.status_code == 200 and response.data["seen"]
    assert client.get(count_url).data == {"count": 1}
    assert client.post(reverse("notifications:notification-seen", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:notification-seen-all")).data == {"marked": 1}
    assert client.get(count_url).data == {"count": 0}
    theirs.refresh_from_db()
    assert theirs.seen_at is None, "one user's marks never touch another's notifications"


def test_preferences_list_defaults_and_update(api, employee):
    client = api.as_user(employee)
    url = reverse("notifications:preference-list")
    rows = {row["kind"]: row["email"] for row in client.get(url).data}
    assert rows["chat_message"] is False and rows["task_shared"] is True
    detail = reverse("notifications:preference-detail", args=["chat_message"])
    response = client.put(detail, {"email": True}, format="json")
    assert response.status_code == 200 and response.data["email"] is True
    assert client.get(detail).data["email"] is True
    assert client.put(detail, {"email": "perhaps"}, format="json").status_code == 400
    unknown = reverse("notifications:preference-detail", args=["no_such_kind"])
    assert client.put(unknown, {"email": True}, format="json").status_code == 404
    assert client.get(unknown).status_code == 404


def test_preferences_are_per_user(api, employee, owner):
    api.as_user(owner).put(
        reverse("notifications:preference-detail", args=["chat_message"]), {"email": True}, format="json"
    )
    response = api.as_user(employee).get(reverse("notifications:preference-list"))
    rows = {row["kind"]: row["email"] for row in response.data}
    assert rows["chat_message"] is False
