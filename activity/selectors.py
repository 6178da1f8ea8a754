from django.db.models import QuerySet

from activity.models import Activity
from users.selectors import scope_to_owners


def activity_list(*, user) -> QuerySet[Activity]:
    """Entries by `user` and their subordinates; the owner and admins see all."""
    queryset = Activity.objects.select_related("actor", "target_type")
    return scope_to_owners(queryset, user=user, fields=("actor",))
