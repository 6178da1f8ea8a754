"""Chat files are downloaded by the chat's members only."""

from chat.models import ChatMember, MessageFile
from crm.files import downloads


def message_files_visible(*, user):
    return MessageFile.objects.filter(message__chat__in=ChatMember.objects.filter(user=user).values("chat"))


downloads.register("chat", MessageFile, visible_to=message_files_visible, download_name=lambda row: row.name)
