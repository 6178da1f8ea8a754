from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def optional_reference(to, verbose_name, *, related_name: str = "+") -> models.ForeignKey:
    """An optional link that outlives its target: deleting the target leaves the link empty."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


def user_reference(verbose_name, *, related_name: str = "+") -> models.ForeignKey:
    """An optional link to a staff member that outlives their account (responsible, created by...)."""
    return optional_reference(settings.AUTH_USER_MODEL, verbose_name, related_name=related_name)
