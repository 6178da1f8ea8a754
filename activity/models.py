from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import user_reference


class Verb(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    DELETED = "deleted", _("deleted")
    # State changes (approved, moved, won, ...) use their own verbs; these are the common ones.


class Activity(models.Model):
    """One change a user made: who did what to which object, and which fields it touched."""

    actor = user_reference(_("actor"), related_name="activities")
    verb = models.CharField(_("verb"), max_length=32, db_index=True)
    target_type = models.ForeignKey(
        ContentType, verbose_name=_("target type"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Kept so that the log still reads well after the target is deleted.
    target_repr = models.CharField(_("target"), max_length=255, blank=True)
    changed_fields = models.JSONField(_("changed fields"), default=list, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="activity_actor_newest_idx"),
            models.Index(fields=["target_type", "target_id", "-created_at"], name="activity_target_idx"),
            models.Index(fields=["-created_at"], name="activity_newest_idx"),
        ]

    def __str__(self):
        return f"{self.actor} {self.verb} {self.target_repr}"
