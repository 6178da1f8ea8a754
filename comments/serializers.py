from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from comments.models import Comment
from crm.api.serializers import TargetField
from crm.api.targets import parse_target
from crm.files.downloads import DownloadURLField
from users.serializers import UserBriefSerializer


class CommentSerializer(serializers.ModelSerializer):
    """`target` is written once, as `app_label.model:id`; content type and object id are never writable."""

    target = TargetField(type_field="content_type", id_field="object_id")
    author = UserBriefSerializer(read_only=True, allow_null=True)
    download_url = DownloadURLField("comment")

    class Meta:
        model = Comment
        fields = ["id", "target", "text", "download_url", "author", "created_at", "updated_at"]
        read_only_fields = ["id", "author", "created_at", "updated_at"]


class CommentCreateSerializer(serializers.ModelSerializer):
    target = serializers.CharField(help_text=_("What the comment is about, as app_label.model:id."))

    class Meta:
        model = Comment
        fields = ["target", "text", "file"]

    def validate_target(self, value):
        try:
            return parse_target(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class CommentUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Comment
        fields = ["text", "file"]
