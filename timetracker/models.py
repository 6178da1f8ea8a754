from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel


class WorkPeriod(TimeStampedModel):
    """One user's working day: the segments they ran the timer for. Stopping finishes the day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="work_periods"
    )
    day = models.DateField(_("day"))
    finished = models.BooleanField(_("finished"), default=False)
    total_seconds = models.PositiveIntegerField(_("total seconds"), default=0)

    class Meta:
        ordering = ["-day", "user"]
        verbose_name = _("work period")
        verbose_name_plural = _("work periods")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="work_period_one_per_user_day")]
        indexes = [models.Index(fields=["day"], name="work_period_day_idx")]

    def __str__(self):
        return f"{self.user} {self.day}"


class Segment(models.Model):
    """A stretch of work between a start and a pause; `end` is empty while the timer runs."""

    period = models.ForeignKey(
        WorkPeriod, verbose_name=_("work period"), on_delete=models.CASCADE, related_name="segments"
    )
    # Repeated from the period so that the database itself allows one running segment per user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="work_segments"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(end__isnull=True), name="segment_one_running_per_user"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="segment_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.start:%H:%M}-{self.end:%H:%M}" if self.end else f"{self.start:%H:%M}-"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds()) if self.end else 0
