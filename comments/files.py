"""A comment's file is downloaded by whoever may see the comment's target."""

from comments.models import Comment
from comments.selectors import comment_list, target_is_visible
from crm.files import downloads


def _target_visible(user, comment: Comment) -> bool:
    return target_is_visible(user=user, content_type=comment.content_type, object_id=comment.object_id)


downloads.register("comment", Comment, visible_to=comment_list, allowed=_target_visible)
