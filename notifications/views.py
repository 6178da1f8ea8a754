from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from crm.api import viewsets
from notifications import selectors, services
from notifications.filters import NotificationFilter
from notifications.kinds import KINDS
from notifications.models import Notification, NotificationPreference
from notifications.serializers import (
    MarkedSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    UnreadCountSerializer,
)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first. They also arrive live on `/ws/notifications/`."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["title", "description"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, user):
        return selectors.notification_list(user=user)

    @extend_schema(filters=False, responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"count": selectors.notification_unread_count(user=request.user)})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def seen(self, request, pk=None):
        notification = services.notification_mark_seen(notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, filters=False, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="seen-all", filter_backends=[], pagination_class=None)
    def seen_all(self, request):
        return Response({"marked": services.notification_mark_all_seen(user=request.user)})


class NotificationPreferenceViewSet(viewsets.GenericViewSet):
    """Whether each kind of notification is also emailed to you. Kinds you never set keep their default."""

    model = NotificationPreference
    serializer_class = PreferenceSerializer
    lookup_field = "kind"
    lookup_value_regex = "[a-z0-9_.]+"
    pagination_class = None
    filter_backends: list = []

    def scoped_queryset(self, user):
        return NotificationPreference.objects.filter(user=user)

    def _get(self, kind):
        preference = selectors.preference_get(user=self.request.user, kind=kind)
        if preference is None:
            raise Http404
        return preference

    @extend_schema(responses=PreferenceSerializer(many=True))
    def list(self, request):
        return Response(PreferenceSerializer(selectors.preference_list(user=request.user), many=True).data)

    def retrieve(self, request, kind=None):
        return Response(PreferenceSerializer(self._get(kind)).data)

    def update(self, request, kind=None):
        if kind not in KINDS:
            self._get(kind)  # a kind the user already has a choice for may be changed; others are 404
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.preference_set(user=request.user, kind=kind, email=serializer.validated_data["email"])
        return Response(PreferenceSerializer(self._get(kind)).data)
