from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import TimeStampedModel
from crm.uploads import UploadTo, validate_upload


class Chat(TimeStampedModel):
    """A room. In a channel (`is_channel`) only the owner and admins post; everyone else reads."""

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
    # A conversation of two; its name is derived from the pair, so the unique name keeps one per pair.
    is_direct = models.BooleanField(_("direct"), default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), through="ChatMember", related_name="chats"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("chat")
        verbose_name_plural = _("chats")

    def __str__(self):
        return self.display_name or self.name


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
