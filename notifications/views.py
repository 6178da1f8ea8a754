from crm import viewsets
from notifications import selectors
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.serializers import NotificationSerializer


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, user):
        return selectors.notification_list(user=user)
