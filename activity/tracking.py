"""Writes that leave a trace in the activity log.

A domain's services call these instead of `save()`/`delete()`; that one call
is all it takes for a model's changes to be recorded, with the changed fields.
"""

from django.db import models, transaction

from activity.services import activity_record
from crm.trash import TrashableModel, move_to_trash, restore_from_trash

NO_UNIQUENESS_CHECKS = {"validate_unique": False, "validate_constraints": False}


def _is_many_to_many(model: models.Model | type[models.Model], name: str) -> bool:
    return model._meta.get_field(name).many_to_many


@transaction.atomic
def tracked_create(*, model: type[models.Model], actor, data: dict, also_changed: list[str] = ()) -> models.Model:
    plain = {name: value for name, value in data.items() if not _is_many_to_many(model, name)}
    instance = model(**plain)
    # Field validators run here; uniqueness is left to the database, whose error the caller turns into a 409.
    instance.full_clean(exclude=[name for name in data if name not in plain], **NO_UNIQUENESS_CHECKS)
    instance.save()
    for name, value in data.items():
        if name not in plain:
            getattr(instance, name).set(value)
    activity_record(actor=actor, verb="created", target=instance, changed_fields=[*data, *also_changed])
    return instance


@transaction.atomic
def tracked_update(*, instance: models.Model, actor, data: dict, also_changed: list[str] = ()) -> list[str]:
    """Apply `data`, save only what changed and record it; return the changed field names.

    `also_changed` names what the caller changed beside the row (related rows such as phones).
    """
    changed, many = [], {}
    for name, value in data.items():
        if _is_many_to_many(instance, name):
            if {obj.pk for obj in getattr(instance, name).all()} != {obj.pk for obj in value}:
                many[name] = value
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if not changed and not many and not also_changed:
        return []
    if changed:
        unchanged = [f.name for f in instance._meta.fields if f.name not in changed]
        instance.full_clean(exclude=unchanged, **NO_UNIQUENESS_CHECKS)
        auto_now = [f.name for f in instance._meta.fields if getattr(f, "auto_now", False)]
        instance.save(update_fields=[*changed, *auto_now])
    for name, value in many.items():
        getattr(instance, name).set(value)
    changed_fields = [*changed, *many, *also_changed]
    activity_record(actor=actor, verb="updated", target=instance, changed_fields=changed_fields)
    return changed_fields


@transaction.atomic
def tracked_delete(*, instance: models.Model, actor) -> None:
    """Delete `instance`; a trashable one goes to the trash (refused as a real delete would be)."""
    activity_record(actor=actor, verb="deleted", target=instance)
    if isinstance(instance, TrashableModel):
        move_to_trash(instance, actor=actor)
    else:
        instance.delete()


@transaction.atomic
def tracked_restore(*, instance: TrashableModel, actor) -> None:
    restore_from_trash(instance)
    activity_record(actor=actor, verb="restored", target=instance)


def tracked_transition(*, instance: models.Model, actor, verb: str, fields: list[str], description: str = ""):
    """Save a state change (approve, move, win...) that the caller has already applied to `instance`."""
    auto_now = [f.name for f in instance._meta.fields if getattr(f, "auto_now", False)]
    instance.save(update_fields=[*fields, *auto_now])
    activity_record(actor=actor, verb=verb, target=instance, changed_fields=fields, description=description)
