"""Which models can be commented on, and how to tell whether a user may see one of their rows.

An app registers its models in its AppConfig.ready() (and declares with `not_commentable`
those with a detail endpoint that take no comments; a test checks every model is one or the other):

    comments.registry.register(Contact, visible_to=contact_list)

`visible_to(user=...)` is the app's selector returning the rows `user` may see.
"""

from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models

_visible_to: dict[str, Callable[..., models.QuerySet]] = {}


def register(model: type[models.Model], *, visible_to: Callable[..., models.QuerySet]) -> None:
    _visible_to[model._meta.label_lower] = visible_to


def is_commentable(content_type: ContentType) -> bool:
    return f"{content_type.app_label}.{content_type.model}" in _visible_to


def visible_targets(content_type: ContentType, *, user) -> models.QuerySet:
    return _visible_to[f"{content_type.app_label}.{content_type.model}"](user=user)


_not_commentable: dict[str, str] = {}


def not_commentable(*models_: type[models.Model], reason: str) -> None:
    """Declare models that have a detail endpoint but take no comments, and why (checked by the suite)."""
    for model in models_:
        _not_commentable[model._meta.label_lower] = reason


def commentable_labels() -> list[str]:
    return sorted(_visible_to)


def not_commentable_labels() -> list[str]:
    return sorted(_not_commentable)
