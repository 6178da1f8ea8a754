"""The trash: deleting a contact, company, lead, deal or task moves it here instead of erasing it.

A trashable model inherits `TrashableModel`. Its default manager (`objects`)
leaves trashed rows out, so every selector, list, detail, count, related
manager and prefetch built on it hides them without a line of its own;
`all_objects` sees everything and is what the trash, restore and purge use.
Links from other rows (a deal's contact) go through Django's plain base
manager, so they still resolve to a trashed row.
Uniqueness is still enforced over trashed rows (a phone or an EDRPOU held by
a trashed record blocks a new one), so restoring never collides.

Each app registers its trashable models in `AppConfig.ready()` with
`register(kind, model, restorable=...)`, where `restorable(user, queryset)`
keeps the trashed rows that `user` could have deleted: that is what they may
see in the trash and restore (SPEC.md section 3).

A feature above the apps: it may import apps; apps use it through this module and `crm.trash.admin`,
never `crm.trash.views`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.api.relations import generic_foreign_keys, generic_rows
from crm.models import user_reference


class TrashableQuerySet(models.QuerySet):
    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(TrashableQuerySet)):
    """The default manager: rows not in the trash."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class TrashableModel(models.Model):
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False, db_index=True)
    deleted_by = user_reference(_("deleted by"))

    objects = LiveManager()
    all_objects = TrashableQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None


Restorable = Callable[[object, models.QuerySet], models.QuerySet]


@dataclass(frozen=True)
class TrashKind:
    name: str
    model: type[TrashableModel]
    restorable: Restorable
    # How a row of this kind is named in the trash: a field name or an expression.
    title: models.Expression | str

    def restorable_by(self, user) -> models.QuerySet:
        return self.restorable(user, self.model.all_objects.trashed())


_kinds: dict[str, TrashKind] = {}


def restorable_by_responsible(user, queryset: models.QuerySet) -> models.QuerySet:
    """Contacts and companies: the owner and admins restore any; others what they are responsible for."""
    return queryset if user.is_owner_or_admin else queryset.filter(responsible=user)


def register(name: str, model: type[TrashableModel], *, restorable: Restorable, title="name") -> None:
    _kinds[name] = TrashKind(name=name, model=model, restorable=restorable, title=title)


def kinds() -> dict[str, TrashKind]:
    return dict(_kinds)


def kind_of(model: type[models.Model]) -> TrashKind | None:
    return next((kind for kind in _kinds.values() if kind.model is model), None)


def check_deletable(instance: models.Model) -> None:
    """Raise ProtectedError/RestrictedError exactly as a real delete would, without deleting anything."""
    Collector(using=router.db_for_write(type(instance), instance=instance)).collect([instance])


@transaction.atomic
def move_to_trash(instance: TrashableModel, *, actor) -> None:
    check_deletable(instance)
    instance.deleted_at = timezone.now()
    instance.deleted_by = actor if getattr(actor, "pk", None) else None
    type(instance).all_objects.filter(pk=instance.pk).update(
        deleted_at=instance.deleted_at, deleted_by=instance.deleted_by
    )


@transaction.atomic
def restore_from_trash(instance: TrashableModel) -> None:
    instance.deleted_at = None
    instance.deleted_by = None
    type(instance).all_objects.filter(pk=instance.pk).update(deleted_at=None, deleted_by=None)


def purge_window() -> timedelta:
    return timedelta(days=settings.TRASH_DAYS)


def purge_cutoff():
    """Rows trashed before this moment are erased by `purge_trash`."""
    return timezone.now() - purge_window()


def _erase(kind: TrashKind, ids: list) -> None:
    from activity.models import Activity  # the log keeps its entries: they name what was deleted

    for model, field in generic_foreign_keys():
        if model is not Activity:
            generic_rows(model, field, kind.model, ids).delete()
    kind.model.all_objects.filter(pk__in=ids).delete()


def purge(*, before, batch: int = 500) -> dict[str, dict[str, int]]:
    """Erase for good what was trashed before `before`, with what hangs on it (comments included).

    A row that something new protects (a deal made for a trashed contact) stays in the trash and is counted.
    Returns {kind: {"purged": n, "kept": m}}.
    """
    summary = {}
    for kind in _kinds.values():
        ids = list(kind.model.all_objects.filter(deleted_at__lt=before).values_list("pk", flat=True))
        purged = kept = 0
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            try:
                with transaction.atomic():
                    _erase(kind, chunk)
                purged += len(chunk)
            except (ProtectedError, RestrictedError):
                for pk in chunk:
                    try:
                        with transaction.atomic():
                            _erase(kind, [pk])
                        purged += 1
                    except (ProtectedError, RestrictedError):
                        kept += 1
        summary[kind.name] = {"purged": purged, "kept": kept}
    return summary


def trashed_holder_note(model: type[TrashableModel], **lookup) -> str:
    """' (in the trash: #12)' when a trashed row of `model` matches `lookup`, to say where a taken value is."""
    held = model.all_objects.trashed().filter(**lookup).values_list("pk", flat=True).first()
    if held is None:
        return ""
    return " " + str(_("It is held by #%(id)s, which is in the trash: restore it or wait until it is purged.")) % {
        "id": held
    }
