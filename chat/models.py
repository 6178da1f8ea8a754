import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel

# Names of this form belong to direct chats; no group may take one.
DIRECT_NAME = re.compile(r"direct-[0-9]+-[0-9]+(?:-[0-9a-f]+)?")


class Chat(TimeStampedModel):
    """A room. In a channel (`is_channel`) only the owner and admins post; everyone else reads.

    A direct chat is the conversation of a pair: the database keeps one per (lower id, higher id).
    Its name is only a label derived from the pair; nothing looks it up by name.
    """

    class Kind(models.TextChoices):
        GROUP = "group", _("Group")
        DIRECT = "direct", _("Direct")

    name = models.SlugField(_("name"), max_length=64, unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="owned_chats",
    )
    is_channel = models.BooleanField(_("channel"), default=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.GROUP)
    direct_low = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("first of the pair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    direct_high = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("second of the pair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), through="ChatMember", related_name="chats"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        constraints = [
            models.UniqueConstraint(
                fields=["direct_low", "direct_high"], condition=models.Q(kind="direct"), name="chat_direct_unique_pair"
            ),
            # A group has no pair; a direct chat's pair is ordered (a user deleted later leaves a NULL).
            models.CheckConstraint(
                condition=models.Q(kind="group", direct_low__isnull=True, direct_high__isnull=True)
                | models.Q(kind="direct", direct_low__lt=models.F("direct_high")),
                name="chat_direct_pair_ordered",
            ),
        ]

    def __str__(self):
        return self.display_name or self.name

    @property
    def is_direct(self) -> bool:
        return self.kind == self.Kind.DIRECT

    def clean(self):
        super().clean()
        if self.kind == self.Kind.GROUP and DIRECT_NAME.fullmatch(self.name or ""):
            raise ValidationError({"name": _("Names like direct-1-2 are kept for direct chats.")})


class ChatMember(models.Model):
    """Membership: whether the member administers the chat and how far they have read it."""

    chat = models.ForeignKey(Chat, verbose_name=_("chat"), on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="chat_memberships"
    )
    is_admin = models.BooleanField(_("admin"), default=False)
    last_read_id = models.PositiveBigIntegerField(_("last read message"), default=0)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["chat", "joined_at", "id"]
        verbose_name = _("chat member")
        verbose_name_plural = _("chat members")
        constraints = [models.UniqueConstraint(fields=["chat", "user"], name="chat_member_unique")]

    def __str__(self):
        return f"{self.user} in {self.chat}"


class MessageStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    READ = "read", _("Read")


class Message(models.Model):
    chat = models.ForeignKey(Chat, verbose_name=_("chat"), on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="chat_messages",
    )
    text = models.TextField(_("text"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.SENT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["chat", "-id"], name="chat_message_newest_idx")]

    def __str__(self):
        return self.text[:50]


class MessageFile(models.Model):
    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("file"), upload_to=UploadTo("chat"), validators=[validate_upload])
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("message file")
        verbose_name_plural = _("message files")

    def __str__(self):
        return self.name


class ChatInvite(TimeStampedModel):
    """A link that makes whoever opens it a member. Only the token's hash is stored."""

    chat = models.ForeignKey(Chat, verbose_name=_("chat"), on_delete=models.CASCADE, related_name="invites")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chat invite")
        verbose_name_plural = _("chat invites")

    def __str__(self):
        return f"{self.chat} ({self.pk})"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
