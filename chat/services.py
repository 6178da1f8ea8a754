import contextlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from activity.services import activity_record
from chat.models import DIRECT_NAME, Chat, ChatInvite, ChatMember, Message, MessageFile, MessageStatus
from chat.permissions import can_manage, posting
from chat.serializers import MessageSerializer
from crm.api.exceptions import Conflict, DomainError, Gone, conflict_on_duplicate
from crm.files.uploads import validate_upload
from crm.realtime.broadcast import broadcast
from notifications.selectors import unseen_notifications_about
from notifications.services import notification_mark_seen_for, notify_many
from users.models import User
from users.tokens import hash_token, new_token

# "@nickname" not preceded by a word character (an email address is not a mention).
MENTION = re.compile(r"(?<![\w@])@([\w.-]{1,64})")
CHAT_NOTIFICATION_KINDS = ("chat_message", "chat_mention")


def unseen_chat_notifications(*, chat: Chat):
    return unseen_notifications_about(target=chat, kinds=CHAT_NOTIFICATION_KINDS)


def chat_group(chat_id: int) -> str:
    return f"chat.{chat_id}"


def _membership(chat: Chat, user) -> ChatMember:
    membership = ChatMember.objects.filter(chat=chat, user=user).first()
    if membership is None:
        raise NotFound(_("No such chat."))
    return membership


def _check_manages(chat: Chat, actor) -> None:
    membership = _membership(chat, actor)
    if chat.is_direct:
        raise Conflict(_("A direct chat stays between its two people."))
    if not can_manage(membership):
        raise PermissionDenied(_("Only the chat's owner and admins can do this."))


def _check_not_owner(chat: Chat, user, message: str) -> None:
    if user.pk == chat.owner_id:
        raise Conflict(message)


@transaction.atomic
def chat_create(*, owner, name: str, display_name: str, is_channel: bool = False, members=()) -> Chat:
    if DIRECT_NAME.fullmatch(name):
        raise ValidationError({"name": _("Names like direct-1-2 are kept for direct chats.")})
    with conflict_on_duplicate(_("A chat with this name already exists.")):
        chat = Chat.objects.create(name=name, display_name=display_name, owner=owner, is_channel=is_channel)
    ChatMember.objects.create(chat=chat, user=owner, is_admin=True)
    ChatMember.objects.bulk_create(
        [ChatMember(chat=chat, user=member) for member in members if member.pk != owner.pk and member.is_active],
        ignore_conflicts=True,
    )
    activity_record(actor=owner, verb="created", target=chat)
    return chat


def chat_update(*, chat: Chat, actor, data: dict) -> Chat:
    """Rename the chat or turn it into a channel and back."""
    _check_manages(chat, actor)
    changed = [
        field for field in ("display_name", "is_channel") if field in data and getattr(chat, field) != data[field]
    ]
    for field in changed:
        setattr(chat, field, data[field])
    if changed:
        chat.save(update_fields=[*changed, "updated_at"])
        activity_record(actor=actor, verb="updated", target=chat, changed_fields=changed)
        broadcast(chat_group(chat.pk), "chat.updated", {"chat": chat.pk, **{field: data[field] for field in changed}})
    return chat


@transaction.atomic
def chat_add_member(*, chat: Chat, actor, user, is_admin: bool = False) -> ChatMember:
    """Add `user` to the chat, or make a member an admin when `is_admin` is set."""
    _check_manages(chat, actor)
    if not user.is_active:
        raise DomainError(_("This user is deactivated."))
    membership, created = ChatMember.objects.get_or_create(chat=chat, user=user, defaults={"is_admin": is_admin})
    if not created and is_admin and not membership.is_admin:
        membership.is_admin = True
        membership.save(update_fields=["is_admin"])
    elif not created:
        return membership
    verb = "made admin" if is_admin else "added member"
    activity_record(actor=actor, verb=verb, target=chat, description=str(user))
    broadcast(chat_group(chat.pk), "chat.member_added", {"chat": chat.pk, "user": user.pk, "is_admin": is_admin})
    return membership


@transaction.atomic
def chat_remove_admin(*, chat: Chat, actor, user) -> None:
    _check_manages(chat, actor)
    _check_not_owner(chat, user, _("The owner stays an admin of their chat."))
    membership = _membership(chat, user)
    if membership.is_admin:
        membership.is_admin = False
        membership.save(update_fields=["is_admin"])
        activity_record(actor=actor, verb="removed admin", target=chat, description=str(user))
        broadcast(chat_group(chat.pk), "chat.admin_removed", {"chat": chat.pk, "user": user.pk})


def _remove(chat: Chat, user) -> None:
    ChatMember.objects.filter(chat=chat, user=user).delete()
    # Its sockets hear this and close: a former member reads nothing more.
    broadcast(chat_group(chat.pk), "chat.member_removed", {"chat": chat.pk, "user": user.pk})


@transaction.atomic
def chat_remove_member(*, chat: Chat, actor, user) -> None:
    _check_manages(chat, actor)
    _check_not_owner(chat, user, _("The owner cannot be removed from their chat."))
    _membership(chat, user)
    _remove(chat, user)
    activity_record(actor=actor, verb="removed member", target=chat, description=str(user))


@transaction.atomic
def chat_leave(*, chat: Chat, user) -> None:
    _membership(chat, user)
    _check_not_owner(chat, user, _("The owner cannot leave their chat."))
    _remove(chat, user)
    activity_record(actor=user, verb="left", target=chat)


def _check_file(upload) -> None:
    try:
        validate_upload(upload)
    except ValidationError as error:
        raise ValidationError({"file": [f"{upload.name}: {message}" for message in error.messages]}) from None


# What a pushed message looks like. One instance for every push: DRF builds a serializer's fields
# anew for each instance, and a chat pushes every message it stores.
_PUSHED = MessageSerializer()


def message_create(*, chat: Chat, author, text: str = "", files=()) -> Message:
    """Store the message, push it to the room, then notify whoever should hear of it.

    The push leaves only after the commit, so whoever receives it can fetch it again;
    the notifications are stored (in one insert) only after the push has left.
    """
    text = (text or "").strip()
    if not text and not files:
        raise DomainError(_("A message needs text or a file."))
    if len(text) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("A message may be at most %(limit)s characters.") % {"limit": settings.CHAT_MESSAGE_MAX_LENGTH}
        )
    for upload in files:
        _check_file(upload)
    # A text message is one statement on PostgreSQL, atomic on its own: no transaction round trips.
    with transaction.atomic() if files else contextlib.nullcontext():
        message = _insert_if_allowed(chat, author, text)
        if message is None:
            _membership(chat, author)  # NotFound for a non-member
            raise PermissionDenied(_("Only the owner and admins post in a channel."))
        for upload in files:
            MessageFile.objects.create(message=message, file=upload, name=upload.name[:255], size=upload.size)
        if files:
            prefetch_related_objects([message], "files")
        else:
            message._prefetched_objects_cache = {"files": MessageFile.objects.none()}
        broadcast(chat_group(chat.pk), "chat.message", {"message": _PUSHED.to_representation(message)})
        # Registered after the push, so it runs after it; a failure there is logged and loses no message.
        transaction.on_commit(lambda: _notify_about(message), robust=True)
    return message


# The message, inserted only if the poster's membership (the subquery) allows it, and the poster's read
# mark moved past it (the author has read what they wrote): one round trip and one commit.
_INSERT_IF_ALLOWED = """
WITH poster (id) AS ({poster}),
message AS (
    INSERT INTO {message} (chat_id, author_id, text, status, created_at)
    SELECT %s, %s, %s, %s, %s FROM poster
    RETURNING id
),
read_mark AS (
    UPDATE {member} SET last_read_id = message.id FROM poster, message
    WHERE {member}.id = poster.id AND {member}.last_read_id < message.id
)
SELECT id FROM message
"""


def _insert_if_allowed(chat: Chat, author, text: str) -> Message | None:
    """The new message, or None when `author` may not post in `chat`."""
    poster = ChatMember.objects.filter(posting(), chat=chat, user=author).order_by().values("pk")
    message = Message(chat=chat, author=author, text=text, status=MessageStatus.SENT, created_at=timezone.now())
    if connection.vendor != "postgresql":  # no INSERT inside a WITH: the same three steps, in a transaction
        with transaction.atomic():
            membership_id = poster.first()
            if membership_id is None:
                return None
            message.save(force_insert=True)
            ChatMember.objects.filter(pk=membership_id["pk"], last_read_id__lt=message.pk).update(
                last_read_id=message.pk
            )
        return message
    poster_sql, poster_params = poster.query.sql_with_params()
    sql = _INSERT_IF_ALLOWED.format(poster=poster_sql, message=Message._meta.db_table, member=ChatMember._meta.db_table)
    values = [chat.pk, author.pk, text, message.status, message.created_at]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*poster_params, *values])
        row = cursor.fetchone()
    if row is None:
        return None
    message.pk = row[0]
    message._state.adding = False
    return message


def _mentioned_nicknames(text: str) -> set[str]:
    return {match.rstrip(".").lower() for match in MENTION.findall(text)}


def _notify_about(message: Message) -> None:
    """Notify the other person of a direct chat, and anyone mentioned by their @nickname.

    Someone who still has an unseen notification about this chat gets no second one;
    everybody else's are created by one insert.
    """
    chat, author = message.chat, message.author
    nicknames = _mentioned_nicknames(message.text)
    if not chat.is_direct and not nicknames:
        return
    addressed = Q() if chat.is_direct else Q(nickname__in=nicknames)
    recipients = (
        User.objects.filter(chat_memberships__chat=chat, is_active=True)
        .exclude(pk=author.pk)
        .annotate(nickname=Lower("chat_nickname"))
        .filter(addressed)
        .exclude(Exists(unseen_chat_notifications(chat=chat).filter(recipient=OuterRef("pk"))))
    )
    title = _("%(author)s in %(chat)s") % {"author": author, "chat": chat}
    kind = "chat_message" if chat.is_direct else "chat_mention"
    notify_many(recipients=recipients, kind=kind, title=title, description=message.text[:500], target=chat)


@transaction.atomic
def chat_mark_read(*, chat: Chat, user, up_to: int) -> int:
    """Record that `user` has read the chat up to message `up_to`; returns how far they have read now."""
    membership = _membership(chat, user)
    newest = Message.objects.filter(chat=chat, pk__lte=up_to).order_by("-pk").values_list("pk", flat=True).first()
    if newest is None or newest <= membership.last_read_id:
        return membership.last_read_id
    ChatMember.objects.filter(pk=membership.pk).update(last_read_id=newest)
    # Having read the chat, its notification is seen too: the next message may notify again.
    notification_mark_seen_for(user=user, notifications=unseen_chat_notifications(chat=chat))
    Message.objects.filter(chat=chat, pk__lte=newest, status=MessageStatus.SENT).exclude(author=user).update(
        status=MessageStatus.READ
    )
    broadcast(chat_group(chat.pk), "chat.read", {"chat": chat.pk, "user": user.pk, "up_to": newest})
    return newest


def chat_direct(*, user, other) -> tuple[Chat, bool]:
    """The direct chat of the pair, created on first use; returns (chat, created)."""
    if user.pk == other.pk:
        raise DomainError(_("A direct chat needs another person."))
    if not other.is_active:
        raise DomainError(_("This user is deactivated."))
    low, high = sorted([user, other], key=lambda person: person.pk)
    pair = Chat.objects.filter(kind=Chat.Kind.DIRECT, direct_low=low, direct_high=high)
    chat = pair.first()
    if chat is not None:
        return chat, False
    name = f"direct-{low.pk}-{high.pk}"
    if Chat.objects.filter(name=name).exists():  # a group named so before such names were kept for pairs
        name = f"{name}-{secrets.token_hex(4)}"
    try:
        with transaction.atomic():
            chat = Chat.objects.create(
                name=name,
                display_name=f"{user} / {other}",
                owner=user,
                kind=Chat.Kind.DIRECT,
                direct_low=low,
                direct_high=high,
            )
            ChatMember.objects.bulk_create([ChatMember(chat=chat, user=user), ChatMember(chat=chat, user=other)])
    except IntegrityError:  # the other person opened it at the same moment
        return pair.get(), False
    return chat, True


def invite_create(*, chat: Chat, actor, expires_at=None) -> tuple[ChatInvite, str]:
    """A new invite link; the token is returned once and only its hash is kept."""
    _check_manages(chat, actor)
    token, token_hash = new_token()
    invite = ChatInvite.objects.create(chat=chat, token_hash=token_hash, created_by=actor, expires_at=expires_at)
    return invite, token


def invite_revoke(*, invite: ChatInvite, actor) -> ChatInvite:
    _check_manages(invite.chat, actor)
    if invite.revoked_at is None:
        invite.revoked_at = timezone.now()
        invite.save(update_fields=["revoked_at", "updated_at"])
    return invite


@transaction.atomic
def invite_accept(*, token: str, user) -> Chat:
    """Join the chat of an active invite; opening it again as a member changes nothing."""
    invite = ChatInvite.objects.select_related("chat").filter(token_hash=hash_token(token or "")).first()
    if invite is None:
        raise NotFound(_("This invite link is not valid."))
    if invite.state != "active":
        raise Gone(_("This invite link has expired or was revoked."))
    _membership, joined = ChatMember.objects.get_or_create(chat=invite.chat, user=user)
    if joined:
        activity_record(actor=user, verb="joined", target=invite.chat)
        payload = {"chat": invite.chat.pk, "user": user.pk, "is_admin": False}
        broadcast(chat_group(invite.chat.pk), "chat.member_added", payload)
    return invite.chat
