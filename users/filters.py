from crm.api.filters import FilterSet
from users.models import Invitation, User


class UserFilter(FilterSet):
    class Meta:
        model = User
        fields = ["role", "department", "group", "is_active"]


class InvitationFilter(FilterSet):
    class Meta:
        model = Invitation
        fields = ["role", "department", "group", "invited_by"]
