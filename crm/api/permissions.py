from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission

# `subordinates(user=...)`: the users below `user` in the department tree, as a queryset. The accounts
# app plugs it in (`plug_subordinates`, from its `ready()`): the kernel imports no app.
_subordinates: list = []


def plug_subordinates(function) -> None:
    _subordinates[:] = [function]


def subordinates():
    if not _subordinates:
        raise ImproperlyConfigured("No accounts app plugged into crm.api.permissions (plug_subordinates).")
    return _subordinates[0]


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


def is_admin_or_responsible(user, responsible_id) -> bool:
    return bool(user.is_owner_or_admin or (responsible_id is not None and responsible_id == user.pk))


def _resolve(obj, path: str):
    for name in path.split("."):
        obj = getattr(obj, name)
        if obj is None:
            return None
    return obj


class StaffReadResponsibleWrite(BasePermission):
    """All staff read; the owner, admins and the object's responsible user write (SPEC.md section 3).

    A view whose objects carry the responsible user elsewhere names the path in
    `responsible_path`, e.g. "company.responsible_id" for a knowledge base folder.
    """

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        path = getattr(view, "responsible_path", "responsible_id")
        return is_admin_or_responsible(request.user, _resolve(obj, path))


def is_head_of_any(user, people_ids) -> bool:
    """Whether `user` heads (up the department tree) one of the users with `people_ids`."""
    user_subordinates = subordinates()
    ids = {pk for pk in people_ids if pk is not None}
    return bool(ids) and user_subordinates(user=user).filter(pk__in=ids).exists()


def check_handover(*, actor, people_ids, new_people, field: str = "responsible") -> None:
    """A head acting on a subordinate's record hands it only to themselves or to their subordinates.

    `people_ids` are whose record it is now (responsible, creator); when the actor is one of them,
    or an admin, the record's own rules apply and nothing is checked here.
    """
    if actor.is_owner_or_admin or actor.pk in set(people_ids):
        return
    user_subordinates = subordinates()
    ids = {person.pk for person in new_people if person is not None} - {actor.pk}
    if ids and user_subordinates(user=actor).filter(pk__in=ids).count() != len(ids):
        raise ValidationError({field: [_("You can hand this only to yourself or to people of your departments.")]})
