from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.models import Activity
from crm.tests.support.queries import assert_constant_queries
from users.models import Presence, Role, Status, User
from users.tests.factories import UserFactory, UserGroupFactory, make_department

pytestmark = pytest.mark.django_db


def test_create_user_needs_only_an_email():
    user = User.objects.create_user("Only@Example.COM")
    assert user.email == "only@example.com"
    assert not user.has_usable_password()
    assert user.role == Role.EMPLOYEE


def test_create_superuser_can_use_admin():
    user = User.objects.create_superuser("root@example.com", "pw-Long-enough-1")
    assert user.is_staff and user.is_superuser and user.role == Role.ADMIN


def test_user_list_takes_constant_queries(api, employee):
    def add_rows(n):
        group = UserGroupFactory()
        department = make_department(f"D{User.objects.count()}")
        UserFactory.create_batch(n, department=department, group=group)

    # the user behind the token, the count, the page with departments and groups joined
    assert assert_constant_queries(api.as_user(employee), reverse("users:user-list"), add_rows) <= 3


def test_user_list_hides_deactivated_colleagues_from_employees(api, owner, employee):
    gone = UserFactory(is_active=False)
    ids = {row["id"] for row in api.as_user(employee).get(reverse("users:user-list")).data["results"]}
    assert gone.pk not in ids and employee.pk in ids
    assert api.get(reverse("users:user-detail", args=[gone.pk])).status_code == 404
    ids = {row["id"] for row in api.as_user(owner).get(reverse("users:user-list")).data["results"]}
    assert gone.pk in ids


def test_user_list_filters_search_and_ordering(api, employee):
    sales = make_department("Sales")
    anna = UserFactory(last_name="Antonenko", department=sales, role=Role.MANAGER)
    UserFactory(last_name="Zinchenko")
    client = api.as_user(employee)
    rows = client.get(reverse("users:user-list"), {"department": sales.pk}).data["results"]
    assert [row["id"] for row in rows] == [anna.pk]
    rows = client.get(reverse("users:user-list"), {"search": "antonen"}).data["results"]
    assert [row["id"] for row in rows] == [anna.pk]
    rows = client.get(reverse("users:user-list"), {"ordering": "-last_name"}).data["results"]
    assert rows[0]["last_name"] == "Zinchenko"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"department": "abc"}, 400),
        ({"department": "999999"}, 200),  # an unknown id matches nothing, as an invisible one does
        ({"department": "１"}, 400),
        ({"role": "king"}, 400),
        ({"is_active": "maybe"}, 400),
        ({"page": "x"}, 404),
        ({"page_size": "-1"}, 200),
        ({"ordering": "password"}, 400),  # not an ordering field: refused, never used to sort
    ],
)
def test_garbage_filters_are_client_errors(api, employee, params, expected):
    response = api.as_user(employee).get(reverse("users:user-list"), params)
    assert response.status_code == expected


def test_malformed_id_is_404(api, employee):
    assert api.as_user(employee).get("/api/users/abc/").status_code == 404


def test_employee_cannot_edit_a_colleague(api, employee):
    colleague = UserFactory(first_name="Before")
    response = api.as_user(employee).patch(reverse("users:user-detail", args=[colleague.pk]), {"first_name": "After"})
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.first_name == "Before"


def test_employee_cannot_deactivate_anyone(api, employee):
    colleague = UserFactory()
    assert api.as_user(employee).post(reverse("users:user-deactivate", args=[colleague.pk])).status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active


def test_admin_edits_a_card_and_it_is_recorded(api, admin_user):
    colleague = UserFactory()
    sales = make_department("Sales")
    response = api.as_user(admin_user).patch(
        reverse("users:user-detail", args=[colleague.pk]),
        {"role": Role.MANAGER, "department": sales.pk, "work_phone": "+380 44 123 4567"},
    )
    assert response.status_code == 200, response.data
    colleague.refresh_from_db()
    assert colleague.role == Role.MANAGER and colleague.department == sales
    assert colleague.work_phone == "+380441234567"
    entry = Activity.objects.get(actor=admin_user, verb="updated")
    assert entry.changed_fields == ["department", "role", "work_phone"]


def test_admin_cannot_make_an_owner_or_touch_the_owner(api, owner, admin_user):
    colleague = UserFactory()
    client = api.as_user(admin_user)
    assert client.patch(reverse("users:user-detail", args=[colleague.pk]), {"role": Role.OWNER}).status_code == 400
    assert client.patch(reverse("users:user-detail", args=[owner.pk]), {"first_name": "X"}).status_code == 400
    assert client.post(reverse("users:user-deactivate", args=[owner.pk])).status_code == 400
    owner.refresh_from_db()
    colleague.refresh_from_db()
    assert owner.is_active and owner.first_name != "X" and colleague.role == Role.EMPLOYEE


def test_nobody_deactivates_themselves_or_changes_their_own_role(api, owner):
    client = api.as_user(owner)
    assert client.post(reverse("users:user-deactivate", args=[owner.pk])).status_code == 400
    assert client.patch(reverse("users:user-detail", args=[owner.pk]), {"role": Role.EMPLOYEE}).status_code == 400
    owner.refresh_from_db()
    assert owner.is_active and owner.role == Role.OWNER


def test_deactivate_then_activate(api, admin_user, employee):
    client = api.as_user(admin_user)
    assert client.post(reverse("users:user-deactivate", args=[employee.pk])).status_code == 200
    assert client.post(reverse("users:user-deactivate", args=[employee.pk])).status_code == 409
    assert client.post(reverse("users:user-activate", args=[employee.pk])).status_code == 200
    employee.refresh_from_db()
    assert employee.is_active


def test_bad_phone_is_a_400(api, employee):
    response = api.as_user(employee).patch(reverse("users:me"), {"personal_phone": "12"})
    assert response.status_code == 400
    assert "personal_phone" in response.data


def test_me_reads_and_updates_only_own_fields(api, employee):
    client = api.as_user(employee)
    response = client.patch(reverse("users:me"), {"patronymic": "Petrovych", "role": Role.OWNER})
    assert response.status_code == 200
    employee.refresh_from_db()
    assert employee.patronymic == "Petrovych"
    assert employee.role == Role.EMPLOYEE


def test_taken_chat_nickname_is_a_conflict(api, employee):
    UserFactory(chat_nickname="cat")
    assert api.as_user(employee).patch(reverse("users:me"), {"chat_nickname": "cat"}).status_code == 409


def test_explicit_status_holds_until_cleared(api, employee):
    client = api.as_user(employee)
    response = client.patch(reverse("users:me-status"), {"status": Status.DND})
    assert response.status_code == 200
    assert response.data["presence"] == Presence.DND
    assert client.patch(reverse("users:me-status"), {"status": "sleeping"}).status_code == 400
    response = client.patch(reverse("users:me-status"), {"status": ""})
    assert response.data["presence"] == Presence.ONLINE


@pytest.mark.parametrize(
    ("idle", "expected"),
    [(None, Presence.OFFLINE), (10, Presence.ONLINE), (10 * 60, Presence.AWAY), (2 * 60 * 60, Presence.OFFLINE)],
)
def test_presence_derives_from_last_seen(idle, expected):
    user = UserFactory.build(last_seen=None if idle is None else timezone.now() - timedelta(seconds=idle))
    assert user.presence == expected


def test_last_seen_is_written_at_most_once_a_minute(api, employee, django_assert_num_queries):
    client = api.as_user(employee)
    client.get(reverse("users:me"))
    employee.refresh_from_db()
    first = employee.last_seen
    assert first is not None
    # the user behind the token only: no write
    with django_assert_num_queries(1):
        client.get(reverse("users:me"))
    employee.refresh_from_db()
    assert employee.last_seen == first

    User.objects.filter(pk=employee.pk).update(last_seen=timezone.now() - timedelta(minutes=2))
    client.get(reverse("users:me"))
    employee.refresh_from_db()
    assert employee.last_seen > first
