from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_simplejwt import serializers as jwt_serializers

from crm.api import parsing
from crm.files.downloads import DownloadURLField
from users.authentication import JWTAuthentication
from users.models import ApiToken, Department, Invitation, Presence, Status, User, UserGroup


class UserBriefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    presence = serializers.ChoiceField(choices=Presence.choices, read_only=True)
    photo_url = DownloadURLField("photo")

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "photo_url", "role", "presence"]
        read_only_fields = fields

    def to_representation(self, user):
        # Nested in every row of the busy lists: read the attributes directly rather than
        # through each field's generic lookup; the photo keeps its field (a download URL).
        return {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "photo_url": self.fields["photo_url"].to_representation(user),
            "role": user.role,
            "presence": user.presence,
        }


class UserSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    presence = serializers.ChoiceField(choices=Presence.choices, read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)
    photo_url = DownloadURLField("photo")

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "patronymic",
            "full_name",
            "photo_url",
            "birth_date",
            "personal_phone",
            "work_phone",
            "internal_number",
            "role",
            "group",
            "group_name",
            "special_group",
            "chat_nickname",
            "department",
            "department_name",
            "status",
            "presence",
            "last_seen",
            "is_active",
            "is_staff",
            "created_at",
        ]
        read_only_fields = fields


class UserAdminUpdateSerializer(serializers.ModelSerializer):
    """What the owner and admins may change on a colleague's card."""

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "patronymic",
            "birth_date",
            "personal_phone",
            "work_phone",
            "internal_number",
            "role",
            "group",
            "special_group",
            "chat_nickname",
            "department",
            "is_staff",
        ]
        extra_kwargs = {"chat_nickname": {"validators": []}}


class MeUpdateSerializer(serializers.ModelSerializer):
    """What every user may change on their own card."""

    class Meta:
        model = User
        fields = [
            "first_name",
            "last_name",
            "patronymic",
            "photo",
            "birth_date",
            "personal_phone",
            "work_phone",
            "chat_nickname",
        ]
        extra_kwargs = {"chat_nickname": {"validators": []}}


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Status.choices, allow_blank=True, help_text=_("Empty for automatic (online/away/offline).")
    )


class UserGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserGroup
        fields = ["id", "name"]


class DepartmentSerializer(serializers.ModelSerializer):
    parent = parsing.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), allow_null=True, required=False, help_text=_("Empty for a top department.")
    )
    head_detail = UserBriefSerializer(source="head", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "name", "parent", "head", "head_detail", "depth"]
        read_only_fields = ["depth"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if hasattr(instance, "parent_id"):  # annotated by the selector
            data["parent"] = instance.parent_id
        else:
            parent = Department.objects.get_parent(instance)
            data["parent"] = parent.pk if parent else None
        return data


class StructureNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.pk")
    name = serializers.CharField(source="department.name")
    head = UserBriefSerializer(source="department.head", allow_null=True)
    members = UserBriefSerializer(many=True)


StructureNodeSerializer._declared_fields["children"] = StructureNodeSerializer(many=True)


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    invited_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "patronymic",
            "birth_date",
            "personal_phone",
            "work_phone",
            "role",
            "group",
            "department",
            "state",
            "expires_at",
            "invited_by",
            "created_at",
            "accepted_at",
            "revoked_at",
            "user",
        ]
        read_only_fields = ["id", "expires_at", "created_at", "accepted_at", "revoked_at", "user"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    """The prefilled questionnaire an invitee sees."""

    group_name = serializers.CharField(source="group.name", read_only=True, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = [
            "email",
            "first_name",
            "last_name",
            "patronymic",
            "birth_date",
            "personal_phone",
            "work_phone",
            "role",
            "group_name",
            "department_name",
            "expires_at",
        ]
        read_only_fields = fields


class InvitationAcceptSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    patronymic = serializers.CharField(max_length=150, required=False, allow_blank=True)
    birth_date = parsing.DateField(required=False, allow_null=True)
    personal_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    work_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    chat_nickname = serializers.CharField(max_length=64, required=False, allow_blank=True)
    password = serializers.CharField(write_only=True, style={"input_type": "password"}, max_length=128)


class TokenRefreshSerializer(jwt_serializers.TokenRefreshSerializer):
    """A new access token and a new refresh token for a refresh token, which stops working. 401 when the
    token is invalid, expired or used, or its user is gone, deactivated or has changed password."""

    def validate(self, attrs):
        # The checks an access token meets (users.authentication), before simplejwt's rotation, whose own
        # lookup of the user fails with a 500 when the user was deleted.
        JWTAuthentication().get_user(self.token_class(attrs["refresh"]))
        return super().validate(attrs)


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class WsTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(read_only=True)
    expires_in = serializers.IntegerField(read_only=True, help_text=_("Seconds the ticket stays valid."))


class CenterRowsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    items = serializers.ListField(child=serializers.DictField())


class CenterReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()
    count = serializers.IntegerField()


class CenterSerializer(serializers.Serializer):
    """The sections apps register (users.center); calls and others add theirs beside these."""

    notifications = CenterRowsSerializer(required=False, help_text=_("My unread notifications, newest first."))
    leads_and_deals = CenterRowsSerializer(required=False, help_text=_("My open leads and deals, newest first."))
    tasks_this_week = CenterRowsSerializer(required=False, help_text=_("My unfinished tasks planned this week."))
    pending_returns = CenterRowsSerializer(required=False, help_text=_("Pending returns I decide."))
    requests_by_reason = CenterReasonSerializer(
        many=True, required=False, help_text=_("Open customer requests per reason.")
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Sections this serializer does not name (registered later by other apps) pass through as they are.
        data.update({name: value for name, value in instance.items() if name not in self.fields})
        return data


class ApiTokenSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(
        choices=["active", "expired", "revoked"],
        read_only=True,
        help_text=_("active, expired (past expires_at) or revoked; only an active token is accepted."),
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "scope", "expires_at", "state", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "state", "created_at", "last_used_at", "revoked_at"]
        extra_kwargs = {
            "name": {"help_text": _("What the token is for, such as the system that uses it.")},
            "scope": {"help_text": _("read: only safe requests (GET, HEAD, OPTIONS); read_write: as its owner.")},
            "expires_at": {"help_text": _("When the token stops working; none for never.")},
            "prefix": {"help_text": _("The secret's first characters, to tell tokens apart.")},
        }


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_("The token to send as `Authorization: Token <secret>`. Shown this once: it is not stored."),
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
