from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel, optional_reference, user_reference


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    EMPLOYEE = "employee", _("Employee")


class Status(models.TextChoices):
    """What a user sets by hand in the side menu; it holds until changed."""

    AUTO = "", _("Automatic")
    DND = "dnd", _("Do not disturb")
    WORKING = "working", _("Working")
    AWAY = "away", _("Away")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    DND = "dnd", _("Do not disturb")
    WORKING = "working", _("Working")
    OFFLINE = "offline", _("Offline")


class UserGroup(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("user group")
        verbose_name_plural = _("user groups")

    def __str__(self):
        return self.name


class Department(MP_Node):
    """A node of the company structure. Its head sees the members of it and of every department below."""

    name = models.CharField(_("name"), max_length=150)
    head = user_reference(_("head"), related_name="headed_departments")

    node_order_by = ["name"]

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        return super().normalize_email(email).strip().lower()

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("The email must be set.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)  # None leaves an unusable password until the invitation is accepted.
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    email = models.EmailField(_("email"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    photo = models.ImageField(_("photo"), upload_to=UploadTo("photos"), validators=[validate_upload], blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    personal_phone = models.CharField(_("personal phone"), max_length=20, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True)
    internal_number = models.CharField(
        _("internal number"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("The extension of this employee in the telephony (Binotel); calls are matched by it."),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE, db_index=True)
    group = optional_reference(UserGroup, _("group"), related_name="users")
    special_group = models.CharField(_("special group"), max_length=150, blank=True)
    chat_nickname = models.CharField(_("chat nickname"), max_length=64, null=True, blank=True, unique=True)
    department = optional_reference(Department, _("department"), related_name="members")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.AUTO, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"), default=False, help_text=_("Whether the user can log into the admin site.")
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(Lower("last_name"), name="user_last_name_lower_idx")]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def full_name(self) -> str:
        # An attribute, so serializers read it without inspecting a callable on every row.
        return self.get_full_name()

    def get_short_name(self):
        return self.first_name or self.email

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_replaced = True

    def save(self, *args, **kwargs):
        """Saving a new password ends what the old one opened (`users.services.user_password_changed`).

        Every way to change a password (the admin's forms, `manage.py changepassword`, any later one)
        goes through `set_password` or `set_unusable_password` and then here, so none can miss it.
        `set_password` leaves the raw password in `_password` until the save; the rehash of a password
        at login clears it first, as that is not a change.
        """
        update_fields = kwargs.get("update_fields")
        replaced = (
            not self._state.adding
            and (self._password is not None or getattr(self, "_password_replaced", False))
            and (update_fields is None or "password" in update_fields)
        )
        super().save(*args, **kwargs)
        if replaced:
            from users.services import user_password_changed

            self._password_replaced = False
            user_password_changed(user=self)

    @property
    def is_owner_or_admin(self) -> bool:
        return self.is_active and self.role in (Role.OWNER, Role.ADMIN)

    @property
    def presence(self) -> str:
        """The explicit status while one holds, else online/away/offline from the last request."""
        if self.status:
            return self.status
        if self.last_seen is None:
            return Presence.OFFLINE
        idle = (timezone.now() - self.last_seen).total_seconds()
        if idle < settings.PRESENCE_ONLINE_SECONDS:
            return Presence.ONLINE
        if idle < settings.PRESENCE_ONLINE_SECONDS + settings.PRESENCE_OFFLINE_AFTER * 60:
            return Presence.AWAY
        return Presence.OFFLINE


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(TimeStampedModel):
    """An invitation to join; the token itself is only ever in the email, the table keeps its hash."""

    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    personal_phone = models.CharField(_("personal phone"), max_length=20, blank=True)
    work_phone = models.CharField(_("work phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    group = optional_reference(UserGroup, _("group"))
    department = optional_reference(Department, _("department"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="sent_invitations",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return self.email

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class WebSocketTicket(models.Model):
    """A single-use, short-lived ticket that lets a browser open a WebSocket as a user."""

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["expires_at"]
        verbose_name = _("WebSocket ticket")
        verbose_name_plural = _("WebSocket tickets")

    def __str__(self):
        return f"{self.user_id} until {self.expires_at:%H:%M:%S}"


class ApiTokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        """Neither revoked nor expired (the owner's account is checked where the token is used)."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class ApiToken(TimeStampedModel):
    """A personal API token: another system acting as its owner, narrowed by its scope.

    The secret is shown once, when the token is made; the table keeps its hash and a short prefix to tell
    tokens apart. It ends when revoked, at its expiry, or when its owner is deactivated or changes password.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(_("scope"), max_length=16, choices=ApiTokenScope.choices, default=ApiTokenScope.READ)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "active"
