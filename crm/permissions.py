from rest_framework.permissions import SAFE_METHODS, BasePermission


class IsOwnerOrAdmin(BasePermission):
    """Owner and admins: invitations, deactivation, the company structure."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_owner_or_admin)


class ReadOnlyOrOwnerOrAdmin(BasePermission):
    """All staff read; owner and admins write."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_owner_or_admin
