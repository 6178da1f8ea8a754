from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from chat.models import Chat, ChatInvite, ChatMember, Message, MessageFile
from crm.api import parsing
from crm.api.ids import MAX_ID
from crm.files.downloads import DownloadURLField
from users.serializers import UserBriefSerializer


class MessageFileSerializer(serializers.ModelSerializer):
    download_url = DownloadURLField("chat")

    class Meta:
        model = MessageFile
        fields = ["id", "name", "size", "download_url"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    author = UserBriefSerializer(read_only=True, allow_null=True)
    files = MessageFileSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "chat", "author", "text", "status", "created_at", "files"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    chat = parsing.IntegerField(min_value=1, max_value=MAX_ID)
    text = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True)
    file = serializers.FileField(required=False, allow_empty_file=False)


class ChatMemberSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = ChatMember
        fields = ["user", "is_admin", "joined_at"]
        read_only_fields = fields


class LastMessageSerializer(serializers.Serializer):
    """The newest message of a chat, from the list selector's annotations (it never queries)."""

    id = serializers.IntegerField(source="last_message_id")
    text = serializers.CharField(source="last_message_text")
    author = serializers.IntegerField(source="last_message_author_id", allow_null=True)
    created_at = serializers.DateTimeField(source="last_message_created_at")

    def to_representation(self, instance):
        if getattr(instance, "last_message_id", None) is None:
            return None
        return super().to_representation(instance)


CHAT_NAME_HELP = _(
    "The chat's short unique name (a slug: Latin letters, digits, “-” and “_”), set once at creation; a "
    "name already taken is a 409. The staff chat page opens a chat by it (`/chat/?open=<name>`). A direct "
    "chat's name is `direct-<id>-<id>`, a form no other chat may take."
)
CHAT_DISPLAY_NAME_HELP = _("What people see as the chat's title; any text, and it may be changed.")


class ChatSerializer(serializers.ModelSerializer):
    members = ChatMemberSerializer(source="memberships", many=True, read_only=True)
    last_message = LastMessageSerializer(source="*", read_only=True, allow_null=True)
    unread_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Chat
        fields = [
            "id",
            "name",
            "display_name",
            "owner",
            "is_channel",
            "is_direct",
            "members",
            "last_message",
            "unread_count",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"name": {"help_text": CHAT_NAME_HELP}, "display_name": {"help_text": CHAT_DISPLAY_NAME_HELP}}


class ChatCreateSerializer(serializers.Serializer):
    name = serializers.SlugField(max_length=64, help_text=CHAT_NAME_HELP)
    display_name = serializers.CharField(max_length=150, help_text=CHAT_DISPLAY_NAME_HELP)
    is_channel = parsing.BooleanField(default=False)
    members = serializers.ListField(
        child=parsing.IntegerField(min_value=1, max_value=MAX_ID), required=False, default=list
    )


class ChatUpdateSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=150, required=False, help_text=CHAT_DISPLAY_NAME_HELP)
    is_channel = parsing.BooleanField(required=False)


class ChatUserSerializer(serializers.Serializer):
    user = parsing.IntegerField(min_value=1, max_value=MAX_ID, help_text=_("The id of a user."))


class InviteSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)

    class Meta:
        model = ChatInvite
        fields = ["id", "chat", "created_by", "created_at", "expires_at", "revoked_at", "state"]
        read_only_fields = fields


class InviteCreatedSerializer(InviteSerializer):
    token = serializers.CharField(read_only=True, help_text=_("Shown once: pass it to POST /api/chat/chats/join/."))

    class Meta(InviteSerializer.Meta):
        fields = [*InviteSerializer.Meta.fields, "token"]
        read_only_fields = fields


class InviteCreateSerializer(serializers.Serializer):
    expires_at = parsing.DateTimeField(required=False, allow_null=True, default=None)

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("Must be in the future."))
        return value


class JoinSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
