import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from activity.tracking import tracked_create, tracked_delete, tracked_transition, tracked_update
from crm.api.exceptions import Conflict, conflict_on_duplicate
from crm.api.permissions import check_handover
from notifications.services import notify, notify_many
from tasks.models import Project, ShareStatus, Tag, Task, TaskShare
from tasks.permissions import can_hand_over_task
from tasks.selectors import tasks_visible

# Which fields a next occurrence of a repeated task takes over from the one just finished.
CARRIED_OVER = [
    "name",
    "description",
    "priority",
    "project",
    "remind",
    "remind_text",
    "repeated",
    "repeat_every_days",
    "related_task",
    "company",
    "contact",
    "created_by",
]


def task_link(task: Task) -> str:
    return reverse("tasks:task-detail", args=[task.pk])


def _check_rules(*, actor, task: Task | None, data: dict) -> None:
    """Rules across fields; a broken one is a 400 that names the field, before anything is written."""

    def value(name):
        return data[name] if name in data else getattr(task, name, None)

    errors = {}
    if value("repeated") and not value("repeat_every_days"):
        errors["repeat_every_days"] = [_("Say every how many days the task repeats.")]
    if value("remind") and value("remind_at") is None:
        errors["remind_at"] = [_("Say when to remind.")]
    if "responsible" in data and not data["responsible"]:
        errors["responsible"] = [_("A task needs at least one responsible person.")]
    related_task = data.get("related_task")
    if related_task is not None and (task is None or related_task.pk != task.related_task_id):
        if task is not None and related_task.pk == task.pk:
            errors["related_task"] = [_("A task cannot be related to itself.")]
        elif not tasks_visible(user=actor).filter(pk=related_task.pk).exists():
            errors["related_task"] = [_("No such task.")]
    if errors:
        raise ValidationError(errors)


def _share_with(*, task: Task, users, actor) -> int:
    """Invite each of `users` not invited yet; each is told once, with a link to the task. Returns how many."""
    invited = set(task.shares.values_list("user_id", flat=True))
    newcomers = list({user.pk: user for user in users if user.pk not in invited}.values())
    TaskShare.objects.bulk_create([TaskShare(task=task, user=user) for user in newcomers])
    notify_many(
        recipients=newcomers,
        kind="task_shared",
        title=_("%(actor)s shared a task with you: %(task)s") % {"actor": actor, "task": task},
        description=_("Open %(link)s to accept or decline it.") % {"link": task_link(task)},
        target=task,
    )
    return len(newcomers)


def _set_related_people(*, task: Task, users, actor) -> bool:
    """Make the shares match `users`: invite the new ones, drop the removed ones. Returns whether anything changed."""
    wanted = {user.pk for user in users}
    removed = task.shares.exclude(user__in=wanted).delete()[0]
    invited = _share_with(task=task, users=users, actor=actor)
    return bool(removed or invited)


@transaction.atomic
def task_create(*, actor, data: dict) -> Task:
    data = {"responsible": [actor], **data}
    related_people = data.pop("related_people", [])
    _check_rules(actor=actor, task=None, data=data)
    task = tracked_create(
        model=Task,
        actor=actor,
        data={**data, "created_by": actor, "updated_by": actor},
        also_changed=["related_people"] if related_people else [],
    )
    _share_with(task=task, users=related_people, actor=actor)
    return task


def _check_hand_over(*, task: Task, actor, data: dict, related_people) -> None:
    """Who is responsible and whom the task is shared with change only by those it belongs to (403), and a head
    hands a subordinate's task only within their departments (400); the same people sent back change nothing."""
    responsible = {person.pk for person in task.responsible.all()}
    changes_responsible = "responsible" in data and {person.pk for person in data["responsible"]} != responsible
    changes_shares = related_people is not None and {person.pk for person in related_people} != set(
        task.shares.values_list("user_id", flat=True)
    )
    if (changes_responsible or changes_shares) and not can_hand_over_task(actor, task):
        raise PermissionDenied(
            _(
                "A task shared with you is not handed over: only its creator, its responsible people and their heads "
                "change who is responsible for it and whom it is shared with."
            )
        )
    if changes_responsible:
        check_handover(actor=actor, people_ids=[*responsible, task.created_by_id], new_people=data["responsible"])


@transaction.atomic
def task_update(*, task: Task, actor, data: dict) -> Task:
    data = dict(data)
    related_people = data.pop("related_people", None)
    _check_hand_over(task=task, actor=actor, data=data, related_people=related_people)
    _check_rules(actor=actor, task=task, data=data)
    if "remind_at" in data and data["remind_at"] != task.remind_at:
        data["reminded_at"] = None  # a new time, a new reminder
    shares_changed = related_people is not None and _set_related_people(task=task, users=related_people, actor=actor)
    also_changed = ["related_people"] if shares_changed else []
    if tracked_update(instance=task, actor=actor, data=data, also_changed=also_changed):
        Task.objects.filter(pk=task.pk).update(updated_by=actor)
    return task


@transaction.atomic
def task_delete(*, task: Task, actor) -> None:
    file_name, storage = task.file.name, task.file.storage
    tracked_delete(instance=task, actor=actor)
    if file_name:
        # Only once the row is gone for good: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(file_name))


def task_attach_file(*, task: Task, actor, file) -> Task:
    tracked_update(instance=task, actor=actor, data={"file": file, "updated_by": actor})
    return task


def _lock(task: Task) -> Task:
    return Task.objects.select_for_update().get(pk=task.pk)


@transaction.atomic
def task_finish(*, task: Task, actor) -> Task:
    """Finish the task; a repeated task gets its next occurrence, once, however often it is finished."""
    locked = _lock(task)
    if locked.finished:
        raise Conflict(_("The task is finished already."))
    locked.finished, locked.finished_at, locked.updated_by = True, timezone.now(), actor
    tracked_transition(instance=locked, actor=actor, verb="finished", fields=["finished", "finished_at", "updated_by"])
    if locked.repeated and not Task.objects.filter(previous=locked).exists():
        _create_next_occurrence(previous=locked, actor=actor)
    return locked


@transaction.atomic
def task_reopen(*, task: Task, actor) -> Task:
    locked = _lock(task)
    if not locked.finished:
        raise Conflict(_("The task is not finished."))
    locked.finished, locked.finished_at, locked.updated_by = False, None, actor
    tracked_transition(instance=locked, actor=actor, verb="reopened", fields=["finished", "finished_at", "updated_by"])
    return locked


def _create_next_occurrence(*, previous: Task, actor) -> Task:
    step = datetime.timedelta(days=previous.repeat_every_days)
    try:
        date = previous.date + step
        remind_at = previous.remind_at + step if previous.remind_at else None
        if remind_at is not None:
            timezone.localtime(remind_at)  # must still be shown in the project's time zone
    except OverflowError:
        raise ValidationError({"date": [_("The next occurrence would fall beyond the calendar.")]}) from None
    data = {name: getattr(previous, name) for name in CARRIED_OVER}
    data.update(
        date=date,
        remind_at=remind_at,
        previous=previous,
        updated_by=actor,
        responsible=list(previous.responsible.all()),
        tags=list(previous.tags.all()),
    )
    following = tracked_create(model=Task, actor=actor, data=data)
    # Who accepted the series has accepted its occurrences: they are not asked again.
    now = timezone.now()
    TaskShare.objects.bulk_create(
        TaskShare(task=following, user_id=share.user_id, status=ShareStatus.ACCEPTED, responded_at=now)
        for share in previous.shares.filter(status=ShareStatus.ACCEPTED)
    )
    return following


@transaction.atomic
def task_share_respond(*, task: Task, user, accept: bool) -> TaskShare:
    """The invited person accepts or declines; only a pending invitation can be answered (else 409)."""
    try:
        share = (
            TaskShare.objects.select_for_update(of=("self",))
            .select_related("task__created_by")
            .get(task=task, user=user)
        )
    except TaskShare.DoesNotExist:
        raise Conflict(_("This task was not shared with you.")) from None
    if share.status != ShareStatus.PENDING:
        raise Conflict(_("You have answered already: %(status)s.") % {"status": share.get_status_display()})
    share.status = ShareStatus.ACCEPTED if accept else ShareStatus.DECLINED
    share.responded_at = timezone.now()
    tracked_transition(instance=share, actor=user, verb=share.status, fields=["status", "responded_at"])
    creator = share.task.created_by
    if not accept and creator is not None and creator.pk != user.pk:
        notify(
            recipient=creator,
            kind="task_declined",
            title=_("%(user)s declined the task %(task)s") % {"user": user, "task": share.task},
            description=task_link(share.task),
            target=share.task,
        )
    return share


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the responsible people of every unfinished task whose time has come; returns how many were told.

    Each task is claimed with a conditional UPDATE before anyone is told, so two runs at
    once, or a run after a crash, never send the same reminder twice.
    """
    now = now or timezone.now()
    due = Task.objects.filter(remind=True, finished=False, reminded_at__isnull=True, remind_at__lte=now)
    sent = 0
    for task_id in list(due.order_by("remind_at", "pk").values_list("pk", flat=True)):
        with transaction.atomic():
            if not Task.objects.filter(pk=task_id, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run took it
            task = Task.objects.get(pk=task_id)
            told = notify_many(
                recipients=task.responsible.filter(is_active=True),
                kind="task_reminder",
                title=_("Reminder: %(task)s") % {"task": task},
                description=task.remind_text or task_link(task),
                target=task,
            )
            sent += len(told)
    return sent  # the command prints the one summary line


def _unique_name(model):
    """A name taken already, in any letter case, is a 409; the database's constraint decides, so races lose too."""
    return conflict_on_duplicate(_("A %(kind)s of this name exists already.") % {"kind": model._meta.verbose_name})


def tag_create(*, actor, data: dict) -> Tag:
    with _unique_name(Tag):
        return tracked_create(model=Tag, actor=actor, data=data)


def tag_update(*, tag: Tag, actor, data: dict) -> Tag:
    with _unique_name(Tag):
        tracked_update(instance=tag, actor=actor, data=data)
    return tag


def tag_delete(*, tag: Tag, actor) -> None:
    tracked_delete(instance=tag, actor=actor)


def project_create(*, actor, data: dict) -> Project:
    with _unique_name(Project):
        return tracked_create(model=Project, actor=actor, data=data)


def project_update(*, project: Project, actor, data: dict) -> Project:
    with _unique_name(Project):
        tracked_update(instance=project, actor=actor, data=data)
    return project


def project_delete(*, project: Project, actor) -> None:
    tracked_delete(instance=project, actor=actor)
