from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel


class FeedToken(TimeStampedModel):
    """A user's personal iCalendar feed link; only its hash is stored. Revoking deletes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    # Comma-separated calendar sources the feed shows; empty means every source.
    sources = models.CharField(_("sources"), max_length=255, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return str(self.user)
