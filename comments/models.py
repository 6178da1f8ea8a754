from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel


class Comment(TimeStampedModel):
    """A comment on any registered object (see comments.registry)."""

    content_type = models.ForeignKey(ContentType, verbose_name=_("target type"), on_delete=models.CASCADE)
    object_id = models.CharField(_("target id"), max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    file = models.FileField(_("file"), upload_to=UploadTo("comments"), validators=[validate_upload], blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="comment_target_idx")]

    def __str__(self):
        return self.text[:50]
