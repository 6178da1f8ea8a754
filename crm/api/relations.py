"""What points at a row, found from the model graph, so that no helper keeps its own list of relations."""

from collections.abc import Iterator

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


def reverse_relations(model: type[models.Model]) -> list:
    """Every relation from another model to `model`, hidden ones (`related_name="+"`) included.

    A many-to-many appears once: as its relation when Django makes its table, as the table's foreign key
    when the project declares the table (`through=`).
    """

    def counts(relation) -> bool:
        if relation.many_to_many:
            return relation.through._meta.auto_created
        return not relation.related_model._meta.auto_created

    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and counts(relation)
    ]


def generic_foreign_keys() -> Iterator[tuple[type[models.Model], GenericForeignKey]]:
    """Every (model, generic foreign key) of the project: comments, the activity log, and whatever comes later."""
    for model in apps.get_models():
        for field in model._meta.private_fields:
            if isinstance(field, GenericForeignKey):
                yield model, field


def generic_rows(model: type[models.Model], field: GenericForeignKey, target_model, ids) -> models.QuerySet:
    """Rows of `model` whose generic key `field` points at any of `ids` of `target_model`."""
    content_type = ContentType.objects.get_for_model(target_model)
    return model._base_manager.filter(**{field.ct_field: content_type, f"{field.fk_field}__in": [str(i) for i in ids]})
