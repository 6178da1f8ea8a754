"""`send_reminders` killed halfway leaves nothing half-written, and its next run finishes the work."""

import datetime
import os
import signal
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from crm.tests.support.sockets import free_port, shared_services_or_skip
from notifications.models import Notification, NotificationPreference
from tasks.models import Task
from tasks.tests.factories import TaskFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def reminded() -> list[tuple[int, int]]:
    """(task, recipient) of every reminder stored, sorted."""
    rows = Notification.objects.filter(kind="task_reminder").values_list("target_id", "recipient_id")
    return sorted((int(task), recipient) for task, recipient in rows)


def blocked_backends() -> list[int]:
    """Sessions of the test database waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else a transaction sees its first snapshot only
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_run_killed_halfway_leaves_whole_reminders_only_and_the_next_run_sends_the_rest(tmp_path):
    env = shared_services_or_skip()  # the command runs in a process of its own, on this test's database
    people = [UserFactory(), UserFactory()]
    due = timezone.now() - datetime.timedelta(hours=1)
    tasks = [
        TaskFactory(responsible=people, remind=True, remind_at=due + datetime.timedelta(minutes=n)) for n in range(4)
    ]
    log = tmp_path / "send_reminders.log"

    # Hold the third task's row: the run sends the first two, then waits on it until it is killed.
    with transaction.atomic():
        Task.objects.select_for_update().get(pk=tasks[2].pk)
        with log.open("wb") as output:
            run = subprocess.Popen(
                [sys.executable, "manage.py", "send_reminders"],
                cwd=settings.BASE_DIR,
                env={**os.environ, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + 60
            while not (blocked_backends() and len(reminded()) == 4):
                assert run.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            run.send_signal(signal.SIGKILL)
            run.wait()
        # The database notices the dead client; its transaction never commits.
        with connection.cursor() as cursor:
            for pid in blocked_backends():
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    first_two = sorted((task.pk, person.pk) for task in tasks[:2] for person in people)
    assert reminded() == first_two
    states = dict(Task.objects.values_list("pk", "reminded_at"))
    assert [states[task.pk] is not None for task in tasks] == [True, True, False, False]

    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 4 reminder(s)." in out.getvalue()
    assert reminded() == sorted((task.pk, person.pk) for task in tasks for person in people)
    assert not Task.objects.filter(reminded_at__isnull=True).exists()


def test_a_run_stopped_by_a_failing_send_keeps_what_it_finished_and_the_next_run_sends_the_rest(settings):
    quiet, wants_email = UserFactory(), UserFactory()
    NotificationPreference.objects.create(user=quiet, kind="task_reminder", email=False)
    NotificationPreference.objects.create(user=wants_email, kind="task_reminder", email=True)
    due = timezone.now() - datetime.timedelta(hours=1)
    first = TaskFactory(responsible=[quiet], remind=True, remind_at=due)
    failing = TaskFactory(responsible=[wants_email], remind=True, remind_at=due + datetime.timedelta(minutes=1))
    last = TaskFactory(responsible=[quiet], remind=True, remind_at=due + datetime.timedelta(minutes=2))
    # The mail server is down: nothing listens on its port.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    with pytest.raises(OSError):
        call_command("send_reminders", stdout=StringIO())
    # Each task's reminder is whole: the two before the failure are stored, the last is untouched.
    assert reminded() == sorted([(first.pk, quiet.pk), (failing.pk, wants_email.pk)])
    states = dict(Task.objects.values_list("pk", "reminded_at"))
    assert (states[first.pk] is not None, states[failing.pk] is not None, states[last.pk]) == (True, True, None)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 1 reminder(s)." in out.getvalue()
    assert reminded() == sorted([(first.pk, quiet.pk), (failing.pk, wants_email.pk), (last.pk, quiet.pk)])
