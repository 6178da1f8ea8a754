from django.db.models import QuerySet

from notifications.models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    """A user's own notifications; nobody else's, whatever their role."""
    return Notification.objects.filter(recipient=user).select_related("target_type")
