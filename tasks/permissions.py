from rest_framework.permissions import SAFE_METHODS, BasePermission

from crm.api.permissions import is_head_of_any
from tasks.models import ShareStatus, Task


def _is_responsible_or_creator(user, task: Task) -> bool:
    # Read from the prefetched rows when the selector has loaded them.
    return task.created_by_id == user.pk or any(person.pk == user.pk for person in task.responsible.all())


def can_delete_task(user, task: Task) -> bool:
    """The creator, their heads, owner, admins."""
    return user.is_owner_or_admin or task.created_by_id == user.pk or is_head_of_any(user, [task.created_by_id])


def can_hand_over_task(user, task: Task) -> bool:
    """Change who is responsible for the task and whom it is shared with: creator, responsible people, owner,
    admins, and the heads of the creator or of a responsible person. Not a related person: a share is not a
    hand-over."""
    if user.is_owner_or_admin or _is_responsible_or_creator(user, task):
        return True
    return is_head_of_any(user, [task.created_by_id, *(person.pk for person in task.responsible.all())])


def can_change_task(user, task: Task) -> bool:
    """Edit, finish, reopen, attach a file: whoever may hand it over (`can_hand_over_task`) and the related people
    who accepted it (SPEC.md section 3)."""
    if any(share.user_id == user.pk and share.status == ShareStatus.ACCEPTED for share in task.shares.all()):
        return True
    return can_hand_over_task(user, task)


class TaskPermission(BasePermission):
    """Whoever sees a task reads it; changing and deleting follow `can_change_task` and `can_delete_task`.

    Accepting and declining are the invited person's: the view only finds tasks shared with them.
    """

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS or view.action in ("accept", "decline"):
            return True
        if view.action == "destroy":
            return can_delete_task(request.user, obj)
        return can_change_task(request.user, obj)


class StaffCreateAdminChange(BasePermission):
    """Tags and projects: all staff read and create; the owner and admins rename and delete."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or request.method == "POST" or user.is_owner_or_admin
