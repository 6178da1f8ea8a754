from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from activity.services import activity_record
from crm.tests.support.queries import assert_constant_queries
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    head = UserFactory(role=Role.MANAGER)
    department = make_department("Sales", head=head)
    member = UserFactory(department=department)
    outsider = UserFactory()
    return head, member, outsider


def ids(response):
    return {row["id"] for row in response.data["results"]}


def test_record_names_the_target_and_changed_fields(employee):
    entry = activity_record(actor=employee, verb="updated", target=employee, changed_fields=["b", "a"])
    assert entry.target == employee
    assert entry.changed_fields == ["a", "b"]
    assert entry.target_repr == str(employee)


def test_employee_sees_only_own_activity(api, team):
    _head, member, outsider = team
    own = activity_record(actor=member, verb="updated", target=member)
    others = activity_record(actor=outsider, verb="updated", target=outsider)
    response = api.as_user(member).get(reverse("activity:activity-list"))
    assert ids(response) == {own.pk}
    assert api.get(reverse("activity:activity-detail", args=[others.pk])).status_code == 404


def test_head_sees_subordinates_activity_but_not_outsiders(api, team):
    head, member, outsider = team
    subordinate = activity_record(actor=member, verb="updated", target=member)
    activity_record(actor=outsider, verb="updated", target=outsider)
    assert ids(api.as_user(head).get(reverse("activity:activity-list"))) == {subordinate.pk}


def test_admin_sees_all(api, admin_user, team):
    _head, member, outsider = team
    activity_record(actor=member, verb="updated", target=member)
    activity_record(actor=outsider, verb="updated", target=outsider)
    assert len(ids(api.as_user(admin_user).get(reverse("activity:activity-list")))) == 2


def test_filters_by_actor_verb_target_and_period(api, admin_user, team):
    _head, member, outsider = team
    old = activity_record(actor=member, verb="created", target=member)
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    new = activity_record(actor=member, verb="updated", target=outsider)
    client = api.as_user(admin_user)
    url = reverse("activity:activity-list")
    assert ids(client.get(url, {"actor": member.pk})) == {old.pk, new.pk}
    assert ids(client.get(url, {"verb": "created"})) == {old.pk}
    assert ids(client.get(url, {"target": f"users.user:{outsider.pk}"})) == {new.pk}
    assert ids(client.get(url, {"period": "today"})) == {new.pk}
    assert ids(client.get(url, {"date_before": (timezone.localdate() - timedelta(days=1)).isoformat()})) == {old.pk}


@pytest.mark.parametrize(
    "params",
    [{"target": "nonsense"}, {"target": "users.nomodel:1"}, {"period": "century"}, {"actor": "x"}, {"date_after": "2"}],
)
def test_garbage_filters_are_400(api, admin_user, params):
    assert api.as_user(admin_user).get(reverse("activity:activity-list"), params).status_code == 400


def test_activity_is_read_only(api, admin_user):
    entry = activity_record(actor=admin_user, verb="updated", target=admin_user)
    client = api.as_user(admin_user)
    assert client.delete(reverse("activity:activity-detail", args=[entry.pk])).status_code == 405
    assert client.post(reverse("activity:activity-list"), {"verb": "x"}).status_code == 405


def test_activity_list_takes_constant_queries(api, team):
    head, member, outsider = team

    def add_rows(n):
        for _ in range(n):
            activity_record(actor=UserFactory(department=member.department), verb="updated", target=outsider)

    # the user behind the token, the count, the page with actors and content types joined
    assert (
        assert_constant_queries(api.as_user(head), reverse("activity:activity-list"), add_rows) <= 4
    )  # one more: the ids of the users whose rows the caller sees
