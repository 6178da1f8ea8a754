"""Object rules of SPEC.md section 3 for chats; services enforce them, consumers and views rely on services."""

from django.db.models import Q

from chat.models import ChatMember


def can_manage(membership: ChatMember | None) -> bool:
    """Owner and admins rename a chat and manage its members and admins."""
    return membership is not None and membership.is_admin


def posting() -> Q:
    """The memberships that may post: every member of a group chat; in a channel only the owner and admins."""
    return Q(is_admin=True) | Q(chat__is_channel=False)
