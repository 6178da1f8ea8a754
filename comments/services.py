from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, PermissionDenied

from activity.tracking import tracked_create, tracked_delete, tracked_update
from comments import registry
from comments.models import Comment
from comments.selectors import target_is_visible


def comment_create(*, author, content_type: ContentType, object_id: str, text: str, file=None) -> Comment:
    if not registry.is_commentable(content_type):
        raise ValidationError({"target": [_("This kind of object cannot be commented on.")]})
    if not target_is_visible(user=author, content_type=content_type, object_id=object_id):
        raise NotFound(_("No such object."))
    data = {"content_type": content_type, "object_id": object_id, "text": text, "author": author}
    if file:
        data["file"] = file
    return tracked_create(model=Comment, actor=author, data=data)


def _check_author(comment: Comment, user) -> None:
    if comment.author_id != user.pk:
        raise PermissionDenied(_("Only the author can change or delete a comment."))


@transaction.atomic
def comment_update(*, comment: Comment, actor, data: dict) -> Comment:
    _check_author(comment, actor)
    tracked_update(instance=comment, actor=actor, data=data)
    return comment


def comment_delete(*, comment: Comment, actor) -> None:
    _check_author(comment, actor)
    if comment.file:
        comment.file.delete(save=False)
    tracked_delete(instance=comment, actor=actor)
