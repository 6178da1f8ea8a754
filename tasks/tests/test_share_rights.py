"""A share is not a hand-over: who a task is shared with works on it, the people it belongs to decide whose it is."""

import pytest
from django.urls import reverse

from tasks.models import ShareStatus, Task
from tasks.tests.factories import TaskFactory, TaskShareFactory
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db


def detail(task, action=None):
    return reverse(f"tasks:task-{action or 'detail'}", args=[task.pk])


def accepted_share(api, sharee, **task):
    task = TaskFactory(**task)
    TaskShareFactory(task=task, user=sharee)
    client = api.as_user(sharee)
    assert client.post(detail(task, "accept")).status_code == 200
    return task, client


def responsible_ids(task):
    return set(Task.objects.get(pk=task.pk).responsible.values_list("pk", flat=True))


def test_a_sharee_cannot_take_the_task_over(api, employee):
    task, client = accepted_share(api, employee)
    creator = task.created_by
    response = client.patch(detail(task), {"responsible": [employee.pk]}, format="json")
    assert response.status_code == 403, response.data
    assert responsible_ids(task) == {creator.pk}


def test_a_sharee_cannot_add_themselves_or_others_beside_the_creator(api, employee):
    task, client = accepted_share(api, employee)
    other = UserFactory()
    for people in ([task.created_by.pk, employee.pk], [task.created_by.pk, other.pk]):
        assert client.patch(detail(task), {"responsible": people}, format="json").status_code == 403
    assert responsible_ids(task) == {task.created_by.pk}


def test_a_sharee_cannot_change_who_the_task_is_shared_with(api, employee):
    task, client = accepted_share(api, employee)
    response = client.patch(detail(task), {"related_people": [UserFactory().pk]}, format="json")
    assert response.status_code == 403
    assert list(task.shares.values_list("user_id", "status")) == [(employee.pk, ShareStatus.ACCEPTED)]


def test_a_sharee_still_works_on_the_task(api, employee):
    task, client = accepted_share(api, employee)
    creator = task.created_by
    # Sending the whole record back unchanged is not a hand-over either.
    response = client.patch(
        detail(task), {"name": "Called back", "priority": 4, "responsible": [creator.pk]}, format="json"
    )
    assert response.status_code == 200, response.data
    assert client.post(detail(task, "finish")).status_code == 200
    assert responsible_ids(task) == {creator.pk}


def test_the_creator_a_responsible_person_a_head_and_an_admin_reassign(api, employee, admin_user, manager):
    member = UserFactory(department=make_department("Sales", head=manager))
    helper = UserFactory(department=member.department)
    task = TaskFactory(created_by=member, responsible=[employee])
    assert api.as_user(member).patch(detail(task), {"responsible": [member.pk]}, format="json").status_code == 200
    task = TaskFactory(created_by=member, responsible=[employee])
    assert api.as_user(employee).patch(detail(task), {"responsible": [member.pk]}, format="json").status_code == 200
    assert api.as_user(manager).patch(detail(task), {"responsible": [helper.pk]}, format="json").status_code == 200
    assert api.as_user(admin_user).patch(detail(task), {"responsible": [employee.pk]}, format="json").status_code == 200
    assert responsible_ids(task) == {employee.pk}


def test_a_line_break_in_a_task_name_does_not_break_the_email_it_is_shared_by(
    api, employee, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(employee).post(
            reverse("tasks:task-list"),
            {"name": "Call\r\nBcc: everyone@example.com", "date": "2030-01-01", "related_people": [colleague.pk]},
            format="json",
        )
    assert response.status_code == 201, response.data
    (message,) = mailoutbox
    assert message.subject.endswith("Call Bcc: everyone@example.com")
    assert message.recipients() == [colleague.email] and message.message()["Bcc"] is None
