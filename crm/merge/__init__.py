"""Merging duplicates: one record keeps everything of another, which goes to the trash.

Every relation is found from the model graph (`_meta.related_objects` and every
generic foreign key), so a model added later that points at a contact or a
company is moved without anyone remembering to list it here.

A feature above the apps: it may import apps; apps use `crm.merge.duplicates` and
`crm.merge.actions` (`MergeDuplicatesMixin`).
"""

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from activity.services import activity_record
from crm.api.exceptions import Conflict
from crm.api.relations import generic_foreign_keys, generic_rows, reverse_relations
from crm.trash import TrashableModel, move_to_trash


def _move_reverse_many_to_many(relation, kept, other) -> int:
    through = relation.through
    to_ours = relation.field.m2m_reverse_field_name()
    to_theirs = relation.field.m2m_field_name()
    # A row that would repeat one the kept record already has is dropped instead of moved.
    already = through._base_manager.filter(**{to_ours: kept}).values(to_theirs)
    through._base_manager.filter(**{to_ours: other, f"{to_theirs}__in": already}).delete()
    return through._base_manager.filter(**{to_ours: other}).update(**{to_ours: kept})


def _move_reverse_foreign_key(relation, kept, other) -> int:
    field = relation.field
    rows = relation.related_model._base_manager.filter(**{field.name: other})
    if (
        relation.one_to_one
        and rows.exists()
        and relation.related_model._base_manager.filter(**{field.name: kept}).exists()
    ):
        raise Conflict(
            _("Both records have a %(what)s; only one can be kept.")
            % {"what": relation.related_model._meta.verbose_name}
        )
    return rows.update(**{field.name: kept})


def _move_many_to_many(kept, other) -> int:
    moved = 0
    for field in other._meta.many_to_many:
        related = list(getattr(other, field.name).all())
        getattr(kept, field.name).add(*related)
        moved += len(related)
    return moved


def _fill_empty_fields(kept, other) -> list[str]:
    filled = []
    for field in kept._meta.concrete_fields:
        if field.primary_key or not field.editable or isinstance(field, models.ManyToManyField):
            continue
        if getattr(kept, field.attname) in (None, "") and getattr(other, field.attname) not in (None, ""):
            setattr(kept, field.attname, getattr(other, field.attname))
            filled.append(field.name)
    return filled


def _unique_field_names(model) -> set[str]:
    names = {field.name for field in model._meta.concrete_fields if field.unique and not field.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
    return names


def _release_unique_values(kept, other, filled: list[str]) -> None:
    """A unique value passing to the kept record is emptied on the other one first."""
    passing = [name for name in filled if name in _unique_field_names(type(kept))]
    if passing:
        empty = {name: (None if kept._meta.get_field(name).null else "") for name in passing}
        type(other)._base_manager.filter(pk=other.pk).update(**empty)


def moved_counts(kept, other) -> dict[str, int]:
    """Move to `kept` every row that points at `other`; return how many moved, per related model."""
    counts: dict[str, int] = {}

    def add(model, n):
        if n:
            label = model._meta.label_lower
            counts[label] = counts.get(label, 0) + n

    for relation in reverse_relations(type(other)):
        if relation.many_to_many:
            add(relation.related_model, _move_reverse_many_to_many(relation, kept, other))
        else:
            add(relation.related_model, _move_reverse_foreign_key(relation, kept, other))
    for model, field in generic_foreign_keys():
        add(model, generic_rows(model, field, type(other), [other.pk]).update(**{field.fk_field: str(kept.pk)}))
    add(type(other), _move_many_to_many(kept, other))
    return counts


def merge_records(*, kept: TrashableModel, other: TrashableModel, actor, combine=None) -> dict:
    """Move everything of `other` to `kept`, fill `kept`'s empty fields from `other`, and trash `other`.

    `combine(kept, other)` lets a model add what is not a plain field copy (a contact's loyalty balance).
    One transaction: a conflict anywhere leaves both records as they were.
    """
    if type(kept) is not type(other):
        raise TypeError("Only records of one model merge.")
    if kept.pk == other.pk:
        raise Conflict(_("A record cannot be merged with itself."))
    try:
        with transaction.atomic():
            moved = moved_counts(kept, other)
            filled = _fill_empty_fields(kept, other)
            if combine is not None:
                filled += combine(kept, other)
            _release_unique_values(kept, other, filled)
            move_to_trash(other, actor=actor)
            if filled:
                kept.save(
                    update_fields=[*filled, *(f.name for f in kept._meta.fields if getattr(f, "auto_now", False))]
                )
            activity_record(
                actor=actor,
                verb="merged",
                target=kept,
                changed_fields=filled,
                description=_("Merged with %(other)s (#%(id)s).") % {"other": other, "id": other.pk},
            )
            activity_record(
                actor=actor, verb="deleted", target=other, description=_("Merged into #%(id)s.") % {"id": kept.pk}
            )
    except IntegrityError:
        raise Conflict(_("These records cannot be merged: a value of one is held elsewhere.")) from None
    return {"kept": kept.pk, "merged": other.pk, "moved": moved, "filled": filled}
