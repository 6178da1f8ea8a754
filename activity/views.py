from activity import selectors
from activity.filters import ActivityFilter
from activity.models import Activity
from activity.serializers import ActivitySerializer
from crm.api import viewsets


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """The activity log: your own changes and your subordinates'; the owner and admins see all."""

    model = Activity
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["target_repr", "description"]
    ordering_fields = ["created_at"]

    def scoped_queryset(self, user):
        return selectors.activity_list(user=user)
