from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from crm.files.uploads import UploadTo, validate_upload
from crm.models import TimeStampedModel, optional_reference, user_reference
from crm.trash import TrashableModel

# A repeated task comes back at most every ten years: further would overflow the calendar soon enough.
MAX_REPEAT_EVERY_DAYS = 3650


class Priority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class ShareStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")


class Tag(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Lower("name"), name="task_tag_unique_name")]

    def __str__(self):
        return self.name


class Project(TimeStampedModel):
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [models.UniqueConstraint(Lower("name"), name="task_project_unique_name")]

    def __str__(self):
        return self.name


class Task(TrashableModel, TimeStampedModel):
    """A piece of work planned for a day (thesis 3.12); `created_at`/`updated_at` are its created and updated."""

    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible"), related_name="responsible_tasks"
    )
    date = models.DateField(_("planned for"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    project = optional_reference(Project, _("project"), related_name="tasks")
    remind = models.BooleanField(_("remind"), default=False)
    remind_text = models.CharField(_("reminder text"), max_length=250, blank=True)
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    # Set when the reminder is claimed for sending, so that it goes out once.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    repeated = models.BooleanField(_("repeated"), default=False)
    repeat_every_days = models.PositiveIntegerField(
        _("repeat every N days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REPEAT_EVERY_DAYS)],
    )
    related_task = optional_reference("self", _("related task"), related_name="related_tasks")
    # The occurrence of a repeated task that this one follows; one-to-one, so a task has one next occurrence.
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous occurrence"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_occurrence",
        editable=False,
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tasks")
    related_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("related people"),
        through="TaskShare",
        blank=True,
        related_name="shared_tasks",
    )
    created_by = user_reference(_("created by"), related_name="created_tasks")
    updated_by = user_reference(_("updated by"))
    file = models.FileField(_("file"), upload_to=UploadTo("tasks"), validators=[validate_upload], blank=True)
    finished = models.BooleanField(_("finished"), default=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    company = optional_reference("companies.Company", _("company"), related_name="tasks")
    contact = optional_reference("contacts.Contact", _("contact"), related_name="tasks")

    class Meta:
        ordering = ["date", "-priority", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(repeated=False) | Q(repeat_every_days__gte=1), name="task_repeated_has_positive_days"
            ),
            models.CheckConstraint(condition=Q(remind=False) | Q(remind_at__isnull=False), name="task_remind_has_time"),
            models.CheckConstraint(
                condition=Q(finished=False, finished_at__isnull=True) | Q(finished=True, finished_at__isnull=False),
                name="task_finished_has_time",
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=Priority.LOW) & Q(priority__lte=Priority.URGENT), name="task_priority_known"
            ),
        ]
        indexes = [
            models.Index(fields=["date", "priority"], name="task_date_idx"),
            models.Index(fields=["date", "-priority", "id"], name="task_list_order_idx"),
            models.Index(fields=["finished", "date"], name="task_finished_date_idx"),
            models.Index(
                fields=["remind_at"],
                condition=Q(remind=True, finished=False, reminded_at__isnull=True),
                name="task_due_reminder_idx",
            ),
        ]

    def __str__(self):
        return self.name


class TaskShare(models.Model):
    """A task shared with a colleague: it becomes theirs once they accept (thesis 3.12)."""

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="task_shares"
    )
    status = models.CharField(_("status"), max_length=16, choices=ShareStatus.choices, default=ShareStatus.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("task share")
        verbose_name_plural = _("task shares")
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="task_share_unique_user"),
            models.CheckConstraint(
                condition=Q(status=ShareStatus.PENDING, responded_at__isnull=True)
                | (~Q(status=ShareStatus.PENDING) & Q(responded_at__isnull=False)),
                name="task_share_responded_has_time",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="task_share_user_status_idx")]

    def __str__(self):
        return f"{self.task} → {self.user} ({self.get_status_display()})"
