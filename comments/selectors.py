from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from comments import registry
from comments.models import Comment


def comment_list(*, user) -> QuerySet[Comment]:
    """Comments whose target the caller may see; the caller filters by one target."""
    return Comment.objects.select_related("author", "content_type")


def target_is_visible(*, user, content_type: ContentType, object_id: str) -> bool:
    if not registry.is_commentable(content_type):
        return False
    return registry.visible_targets(content_type, user=user).filter(pk=object_id).exists()
