import django_filters

from users.models import Invitation, User


class UserFilter(django_filters.FilterSet):
    class Meta:
        model = User
        fields = ["role", "department", "group", "is_active"]


class InvitationFilter(django_filters.FilterSet):
    class Meta:
        model = Invitation
        fields = ["role", "department", "group", "invited_by"]
