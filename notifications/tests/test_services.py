import pytest
from django.contrib.contenttypes.models import ContentType

from notifications.models import NotificationPreference
from notifications.services import notify, notify_many, preference_set
from users.tests.factories import UserFactory

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


def test_notify_many_takes_the_same_queries_for_two_people_and_for_twenty(
    mailoutbox, django_capture_on_commit_callbacks, django_assert_num_queries
):
    def notify_group(size):
        people = UserFactory.create_batch(size)
        preference_set(user=people[0], kind="return_decided", email=False)
        # the content type is cached; the insert, the preferences
        with django_assert_num_queries(2), django_capture_on_commit_callbacks(execute=True):
            notes = notify_many(recipients=people, kind="return_decided", title="Decided", target=people[0])
        assert [note.recipient_id for note in notes] == [person.pk for person in people]
        return people

    ContentType.objects.get_for_model(UserFactory._meta.model)
    people = notify_group(2)
    assert [message.to for message in mailoutbox] == [[people[1].email]]
    mailoutbox.clear()
    people = notify_group(20)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(person.email for person in people[1:])


def test_a_title_with_line_breaks_is_emailed_on_one_line(employee, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=employee, kind="task_shared", title="Call\r\nBcc: everyone@example.com\u2028now")
    (message,) = mailoutbox
    assert message.subject == "Call Bcc: everyone@example.com now"
    assert message.recipients() == [employee.email]
