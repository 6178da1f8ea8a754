import datetime
import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Notification
from tasks.tests.factories import TaskFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_send_reminders_twice_sends_one_notification_per_responsible_person(employee):
    colleague, former = UserFactory(), UserFactory(is_active=False)
    task = TaskFactory(
        responsible=[employee, colleague, former], remind=True, remind_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert "Sent 2 reminder(s)." in run()
    assert "Sent 0 reminder(s)." in run()
    notes = Notification.objects.filter(kind="task_reminder")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted([employee.pk, colleague.pk])
    task.refresh_from_db()
    assert task.reminded_at is not None


def test_send_reminders_leaves_future_and_finished_tasks_alone(employee):
    later = TaskFactory(responsible=[employee], remind=True, remind_at=timezone.now() + datetime.timedelta(minutes=5))
    TaskFactory(
        responsible=[employee],
        remind=True,
        remind_at=timezone.now() - datetime.timedelta(hours=1),
        finished=True,
        finished_at=timezone.now(),
    )
    TaskFactory(responsible=[employee], remind=False)
    assert "Sent 0 reminder(s)." in run()
    later.refresh_from_db()
    assert later.reminded_at is None
    assert not Notification.objects.exists()


def test_send_reminders_prints_one_summary_line_and_logs_none(caplog):
    with caplog.at_level(logging.INFO):
        output = run()
    assert output == "Sent 0 reminder(s).\n"
    assert not [record for record in caplog.records if "reminder" in record.getMessage()]
