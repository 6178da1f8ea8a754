from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from chat.models import Chat, ChatInvite, ChatMember, Message

PAGE_SIZE = 50


def chat_list(*, user) -> QuerySet[Chat]:
    """The user's chats, most recently active first, each with its last message and the user's unread count.

    Everything comes from one query plus one for the members, whatever the number of chats.
    """
    newest = Message.objects.filter(chat=OuterRef("pk")).order_by("-id")
    my_last_read = ChatMember.objects.filter(chat=OuterRef("pk"), user=user).values("last_read_id")[:1]
    unread = (
        Message.objects.filter(chat=OuterRef("pk"), pk__gt=OuterRef("my_last_read_id"))
        .exclude(author=user)
        .order_by()
        .values("chat")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Chat.objects.filter(Exists(ChatMember.objects.filter(chat=OuterRef("pk"), user=user)))
        .annotate(
            my_last_read_id=Subquery(my_last_read),
            last_message_id=Subquery(newest.values("pk")[:1]),
            last_message_text=Subquery(newest.values("text")[:1]),
            last_message_author_id=Subquery(newest.values("author_id")[:1]),
            last_message_created_at=Subquery(newest.values("created_at")[:1]),
            unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_activity=Coalesce(Subquery(newest.values("created_at")[:1]), "created_at"),
        )
        .prefetch_related(Prefetch("memberships", queryset=ChatMember.objects.select_related("user")))
        .order_by("-last_activity", "-id")
    )


def chat_membership(*, chat_id: int, user) -> tuple[Chat | None, ChatMember | None]:
    """The chat and the user's membership of it; (None, None) when there is no such chat."""
    chat = Chat.objects.filter(pk=chat_id).first()
    if chat is None:
        return None, None
    return chat, ChatMember.objects.filter(chat=chat, user=user).first()


def message_list(*, user) -> QuerySet[Message]:
    """Messages of the chats the user is a member of."""
    return (
        Message.objects.filter(chat__in=ChatMember.objects.filter(user=user).values("chat"))
        .select_related("author")
        .prefetch_related("files")
    )


def message_page(
    *, chat: Chat, before: int | None = None, after: int | None = None, size: int = PAGE_SIZE
) -> tuple[list[Message], bool]:
    """Up to `size` messages and whether more exist beyond them.

    Newest first, older than `before` if given; with `after`, the oldest ones after
    that message, oldest first (what a client missed while it was away).
    """
    queryset = Message.objects.filter(chat=chat).select_related("author").prefetch_related("files")
    queryset = queryset.filter(pk__gt=after).order_by("id") if after is not None else queryset.order_by("-id")
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    rows = list(queryset[: size + 1])
    return rows[:size], len(rows) > size


def invite_list(*, chat: Chat) -> QuerySet[ChatInvite]:
    return ChatInvite.objects.filter(chat=chat)
