import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from activity.models import Activity
from crm.api.exceptions import Conflict
from notifications.models import Notification
from tasks import services
from tasks.models import ShareStatus, Task, TaskShare
from tasks.selectors import tasks_visible
from tasks.tests.factories import ProjectFactory, TagFactory, TaskFactory, TaskShareFactory
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def test_task_create_shares_with_each_related_person_once(employee):
    colleague, other = UserFactory(), UserFactory()
    task = services.task_create(
        actor=employee,
        data={"name": "Call back", "date": TOMORROW, "related_people": [colleague, other, colleague]},
    )
    assert set(task.responsible.all()) == {employee}
    assert set(task.shares.values_list("user_id", "status")) == {
        (colleague.pk, ShareStatus.PENDING),
        (other.pk, ShareStatus.PENDING),
    }
    notes = Notification.objects.filter(kind="task_shared")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted([colleague.pk, other.pk])
    assert all(f"/api/tasks/{task.pk}/" in note.description and note.target == task for note in notes)
    entry = Activity.objects.get(verb="created")
    assert entry.actor == employee and "related_people" in entry.changed_fields


def test_task_update_invites_only_new_people_and_drops_removed_ones(employee):
    kept, dropped, added = UserFactory(), UserFactory(), UserFactory()
    task = services.task_create(
        actor=employee, data={"name": "Report", "date": TOMORROW, "related_people": [kept, dropped]}
    )
    services.task_update(task=task, actor=employee, data={"related_people": [kept, added]})
    assert set(task.shares.values_list("user_id", flat=True)) == {kept.pk, added.pk}
    assert Notification.objects.filter(kind="task_shared", recipient=kept).count() == 1
    assert Notification.objects.filter(kind="task_shared", recipient=added).count() == 1


def test_task_share_respond_accept_makes_the_task_visible(employee):
    share = TaskShareFactory(user=employee)
    assert not tasks_visible(user=employee).filter(pk=share.task.pk).exists()
    services.task_share_respond(task=share.task, user=employee, accept=True)
    share.refresh_from_db()
    assert share.status == ShareStatus.ACCEPTED and share.responded_at is not None
    assert tasks_visible(user=employee).filter(pk=share.task.pk).exists()
    assert not Notification.objects.filter(kind="task_declined").exists()


def test_task_share_respond_twice_is_a_conflict(employee):
    share = TaskShareFactory(user=employee)
    services.task_share_respond(task=share.task, user=employee, accept=True)
    with pytest.raises(Conflict):
        services.task_share_respond(task=share.task, user=employee, accept=False)
    share.refresh_from_db()
    assert share.status == ShareStatus.ACCEPTED


def test_task_share_respond_decline_tells_the_creator(employee):
    share = TaskShareFactory(user=employee)
    services.task_share_respond(task=share.task, user=employee, accept=False)
    note = Notification.objects.get(kind="task_declined")
    assert note.recipient == share.task.created_by and note.target == share.task
    assert not tasks_visible(user=employee).filter(pk=share.task.pk).exists()


def test_tasks_visible_to_heads_up_the_tree_but_not_through_pending_shares():
    head, member, deep_member, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    sales = make_department("Sales", head=head)
    member.department = sales
    member.save()
    deep_member.department = make_department("Retail", parent=sales)
    deep_member.save()
    own = TaskFactory(created_by=member)
    deep = TaskFactory(created_by=deep_member)
    pending_for_member = TaskShareFactory(user=member, task=TaskFactory(created_by=outsider)).task
    assert set(tasks_visible(user=head)) == {own, deep}
    assert set(tasks_visible(user=outsider)) == {pending_for_member}
    assert set(tasks_visible(user=member)) == {own}


def test_task_create_refuses_a_repeated_task_without_days_and_a_reminder_without_time(employee):
    with pytest.raises(ValidationError) as error:
        services.task_create(actor=employee, data={"name": "x", "date": TOMORROW, "repeated": True, "remind": True})
    assert set(error.value.message_dict) == {"repeat_every_days", "remind_at"}
    assert not Task.objects.exists()


def test_task_constraints_hold_in_the_database(employee):
    with pytest.raises(IntegrityError):
        Task.objects.create(name="x", date=TOMORROW, repeated=True, repeat_every_days=0)


def test_task_finish_creates_the_next_occurrence_once(employee):
    tag, project = TagFactory(), ProjectFactory()
    colleague = UserFactory()
    remind_at = timezone.now() + datetime.timedelta(hours=2)
    task = TaskFactory(
        created_by=employee,
        responsible=[employee, colleague],
        tags=[tag],
        project=project,
        repeated=True,
        repeat_every_days=7,
        remind=True,
        remind_at=remind_at,
    )
    accepted = TaskShareFactory(task=task, status=ShareStatus.ACCEPTED, responded_at=timezone.now())
    services.task_finish(task=task, actor=employee)
    following = Task.objects.get(previous=task)
    assert following.date == task.date + datetime.timedelta(days=7)
    assert following.remind_at == remind_at + datetime.timedelta(days=7) and following.reminded_at is None
    assert set(following.responsible.all()) == {employee, colleague}
    assert list(following.tags.all()) == [tag] and following.project == project
    assert not following.finished and following.repeated
    assert TaskShare.objects.get(task=following).user == accepted.user

    with pytest.raises(Conflict):
        services.task_finish(task=task, actor=employee)
    services.task_reopen(task=task, actor=employee)
    services.task_finish(task=task, actor=employee)
    assert Task.objects.filter(previous=task).count() == 1
    assert Task.objects.count() == 2
    assert Activity.objects.filter(verb="finished").count() == 2


def test_task_finish_of_a_plain_task_creates_nothing(employee):
    task = TaskFactory(created_by=employee)
    services.task_finish(task=task, actor=employee)
    task.refresh_from_db()
    assert task.finished and task.finished_at is not None
    assert Task.objects.count() == 1


def test_task_update_with_a_new_remind_time_reminds_again(employee):
    task = TaskFactory(created_by=employee, remind=True, remind_at=timezone.now(), reminded_at=timezone.now())
    services.task_update(task=task, actor=employee, data={"remind_at": timezone.now() + datetime.timedelta(hours=1)})
    task.refresh_from_db()
    assert task.reminded_at is None


def test_reminders_send_tells_each_responsible_person_once(employee):
    colleague = UserFactory()
    due = TaskFactory(responsible=[employee, colleague], remind=True, remind_at=timezone.now(), remind_text="Ring")
    TaskFactory(responsible=[employee], remind=True, remind_at=timezone.now() + datetime.timedelta(hours=1))
    TaskFactory(
        responsible=[employee],
        remind=True,
        remind_at=timezone.now(),
        finished=True,
        finished_at=timezone.now(),
    )
    assert services.reminders_send() == 2
    assert services.reminders_send() == 0
    notes = Notification.objects.filter(kind="task_reminder")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted([employee.pk, colleague.pk])
    assert all(note.target == due and note.description == "Ring" for note in notes)


def test_task_finish_refuses_a_next_reminder_beyond_the_calendar(employee):
    remind_at = datetime.datetime(9999, 12, 28, 22, 30, tzinfo=datetime.UTC)  # Kyiv is ahead of UTC
    task = TaskFactory(
        created_by=employee, date=TOMORROW, repeated=True, repeat_every_days=3, remind=True, remind_at=remind_at
    )
    with pytest.raises(ValidationError):
        services.task_finish(task=task, actor=employee)
    task.refresh_from_db()
    assert not task.finished and Task.objects.count() == 1
