"""Object rules of SPEC.md section 3 for chats; services enforce them, consumers and views rely on services."""

from chat.models import Chat, ChatMember


def can_manage(membership: ChatMember | None) -> bool:
    """Owner and admins rename a chat and manage its members and admins."""
    return membership is not None and membership.is_admin


def can_post(chat: Chat, membership: ChatMember | None) -> bool:
    """Every member posts in a group chat; in a channel only the owner and admins do."""
    return membership is not None and (not chat.is_channel or membership.is_admin)
