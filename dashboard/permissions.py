from rest_framework.permissions import BasePermission

from users.models import Role


class AnalyticsViewer(BasePermission):
    """The analytics dashboard: the owner, admins and managers (SPEC.md section 3)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.role in (Role.OWNER, Role.ADMIN, Role.MANAGER))
