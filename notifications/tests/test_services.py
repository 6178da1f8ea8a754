import pytest

from notifications.models import NotificationPreference
from notifications.services import notify, preference_set

pytestmark = pytest.mark.django_db


def test_notify_emails_a_kind_that_is_emailed_by_default(employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=employee, kind="task_shared", title="A task for you", description="Call the client")
    (message,) = mailoutbox
    assert message.to == [employee.email] and message.subject == "A task for you"
    assert "Call the client" in message.body
    assert message.alternatives[0][1] == "text/html"


def test_notify_does_not_email_chat_messages_unless_asked(employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=employee, kind="chat_message", title="Hi")
    assert mailoutbox == []
    preference_set(user=employee, kind="chat_message", email=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=employee, kind="chat_message", title="Hi again")
    assert len(mailoutbox) == 1


def test_preference_turns_email_off(employee, mailoutbox, django_capture_on_commit_callbacks):
    preference_set(user=employee, kind="task_shared", email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=employee, kind="task_shared", title="Quiet")
    assert mailoutbox == []
    assert NotificationPreference.objects.get(user=employee).email is False


def test_nothing_is_emailed_when_the_transaction_rolls_back(employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient=employee, kind="task_shared", title="Maybe")
    assert mailoutbox == [] and callbacks, "the email waits for the commit"
