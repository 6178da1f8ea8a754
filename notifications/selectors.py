from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from notifications.kinds import KINDS, email_by_default, kind_label
from notifications.models import Notification, NotificationPreference


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's own notifications; nobody else's, whatever their role."""
    return Notification.objects.filter(recipient=user).select_related("target_type")


def unseen_notifications_about(*, target, kinds) -> QuerySet[Notification]:
    """Everybody's unseen notifications of these kinds about `target`."""
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        kind__in=kinds,
        seen_at__isnull=True,
    )


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, seen_at__isnull=True).count()


def preference_list(*, user) -> list[dict]:
    """Every known kind, plus any other the user has a choice for, with the choice or the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    kinds = [*KINDS, *sorted(set(chosen) - set(KINDS))]
    return [
        {"kind": kind, "label": kind_label(kind), "email": chosen.get(kind, email_by_default(kind))} for kind in kinds
    ]


def preference_get(*, user, kind: str) -> dict | None:
    return next((row for row in preference_list(user=user) if row["kind"] == kind), None)


def recipients_wanting_email(*, users, kind: str) -> set[int]:
    """The ids of `users` who want `kind` by email: their own choice, else the kind's default."""
    ids = {user.pk for user in users}
    if not ids:
        return set()
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "email"))
    default = email_by_default(kind)
    return {user_id for user_id in ids if chosen.get(user_id, default)}


def center_unread(*, user, limit: int) -> dict:
    """The communication centre's unread notifications of `user`, newest first."""
    from users.center import first_rows

    unread = notification_list(user=user).filter(seen_at__isnull=True).order_by("-created_at", "-id")
    return first_rows(unread, "id", "kind", "title", "description", "created_at", limit=limit)
