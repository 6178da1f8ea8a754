"""Who a chat message notifies, how often, and at what cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import NotFound, PermissionDenied

from chat.models import ChatMember, Message
from chat.services import chat_direct, chat_mark_read, message_create
from chat.tests.factories import chat_with
from notifications.models import Notification
from notifications.services import preference_set
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post as in production: the push and the notifications run once the message's transaction commits."""

    def post(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return message_create(**kwargs)

    return post


def notes(**filters):
    return list(Notification.objects.filter(**filters).values_list("recipient_id", "kind"))


def test_a_group_message_without_mentions_notifies_nobody(post):
    author, member = UserFactory(), UserFactory()
    chat = chat_with(member, owner=author)
    post(chat=chat, author=author, text="morning, all")
    assert notes() == []


def test_a_mention_notifies_the_member_named_and_nobody_else(post, mailoutbox):
    author, named, other = UserFactory(), UserFactory(chat_nickname="Olena"), UserFactory(chat_nickname="petro")
    UserFactory(chat_nickname="ivan")  # not a member
    chat = chat_with(named, other, owner=author)
    post(chat=chat, author=author, text="@olena, look; mail me at boss@petro or ask @ivan.")
    assert notes() == [(named.pk, "chat_mention")], (
        "a nickname is case-insensitive; an address and a non-member are not"
    )
    assert [mail.to for mail in mailoutbox] == [[named.email]], "a mention is emailed unless its kind is turned off"


def test_mentioning_oneself_notifies_nobody(post):
    author = UserFactory(chat_nickname="me")
    chat = chat_with(UserFactory(), owner=author)
    post(chat=chat, author=author, text="note to @me")
    assert notes() == []


def test_a_direct_message_notifies_the_other_once_until_they_read_the_chat(post, mailoutbox):
    alice, bob = UserFactory(), UserFactory()
    chat, _created = chat_direct(user=alice, other=bob)
    first = post(chat=chat, author=alice, text="one")
    post(chat=chat, author=alice, text="two")
    assert notes() == [(bob.pk, "chat_message")], "one unseen notification per member per chat"
    assert mailoutbox == [], "direct messages are not emailed by default"

    chat_mark_read(chat=chat, user=bob, up_to=first.pk)
    assert notes(seen_at__isnull=True) == [], "reading the chat sees its notification"
    preference_set(user=bob, kind="chat_message", email=True)
    post(chat=chat, author=alice, text="three")
    assert notes(seen_at__isnull=True) == [(bob.pk, "chat_message")]
    assert [mail.to for mail in mailoutbox] == [[bob.email]], "the user's preference is followed"


def test_an_unseen_notification_elsewhere_does_not_hold_back_this_chats(post):
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    with_bob, _created = chat_direct(user=alice, other=bob)
    carol_and_bob, _created = chat_direct(user=carol, other=bob)
    post(chat=with_bob, author=alice, text="hi")
    post(chat=carol_and_bob, author=carol, text="hi")
    assert notes() == [(bob.pk, "chat_message"), (bob.pk, "chat_message")]


def _queries_to_post(post, members: int, text) -> int:
    author = UserFactory()
    people = [UserFactory(chat_nickname=f"member{members}x{n}") for n in range(members - 1)]
    chat = chat_with(*people, owner=author)
    body = text(people)
    with CaptureQueriesContext(connection) as captured:
        post(chat=chat, author=author, text=body)
    return len(captured)


@pytest.mark.parametrize(
    "text",
    [lambda people: "plain words", lambda people: " ".join(f"@{person.chat_nickname}" for person in people)],
    ids=["plain", "mentioning everyone"],
)
def test_posting_costs_the_same_queries_for_3_members_and_for_50(post, text):
    for_3, for_50 = _queries_to_post(post, 3, text), _queries_to_post(post, 50, text)
    assert for_3 == for_50, f"{for_3} queries for 3 members, {for_50} for 50"
    assert for_50 <= 8


def test_a_plain_group_message_is_one_insert(post):
    author = UserFactory()
    chat = chat_with(*[UserFactory() for _ in range(5)], owner=author)
    with CaptureQueriesContext(connection) as captured:
        post(chat=chat, author=author, text="just this")
    statements = [query["sql"] for query in captured if not query["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert sum(statement.count("INSERT INTO") for statement in statements) == 1, statements
    # the author's membership, the message, the author's read mark: one statement on PostgreSQL
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3), statements


def test_only_a_member_who_may_post_stores_a_message(post):
    """The one statement that stores a message checks the right to post: nothing is stored for a non-member
    (a socket of someone removed a moment ago) or a plain member of a channel, and each gets its own refusal."""
    owner, member, outsider = UserFactory(), UserFactory(), UserFactory()
    group, channel = chat_with(member, owner=owner), chat_with(member, owner=owner, is_channel=True)
    with pytest.raises(NotFound):
        post(chat=group, author=outsider, text="let me in")
    with pytest.raises(PermissionDenied):
        post(chat=channel, author=member, text="may I?")
    assert not Message.objects.exists()
    assert post(chat=channel, author=owner, text="announcement").pk
    assert ChatMember.objects.get(chat=channel, user=owner).last_read_id == Message.objects.get().pk
