from django.db.models import Prefetch, Q, QuerySet

from contacts.selectors import CONTACT_BRIEF_FIELDS
from tasks.models import Project, ShareStatus, Tag, Task, TaskShare
from users.selectors import (
    USER_BRIEF_FIELDS,
    owner_ids_read_once,
    scope_to_owners,
    unshown,
    user_briefs,
    visible_owner_ids,
)


def accepted_shares() -> QuerySet[TaskShare]:
    return TaskShare.objects.filter(status=ShareStatus.ACCEPTED)


def tasks_visible(*, user) -> QuerySet[Task]:
    """Tasks `user` may see (SPEC.md section 3).

    Those whose responsible people, creator or accepted related people are `user` or their
    subordinates; every task for the owner and admins. Only accepted shares count, so the
    shares are scoped on their own and joined back through a subquery.
    """
    with owner_ids_read_once():
        if visible_owner_ids(user=user) is None:
            return Task.objects.all()
        by_people = scope_to_owners(Task.objects.all(), user=user, fields=("responsible", "created_by"))
        by_shares = scope_to_owners(accepted_shares(), user=user, fields=("user",))
    return by_people | Task.objects.filter(pk__in=by_shares.values("task_id"))


def tasks_restorable(user, queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Trashed tasks `user` may restore: those they could delete (`tasks.permissions.can_delete_task`)."""
    return queryset if user.is_owner_or_admin else queryset.filter(created_by=user)


def tasks_shared_with(*, user) -> QuerySet[Task]:
    """Tasks someone shared with `user`, whatever their answer: what they may accept or decline."""
    return Task.objects.filter(pk__in=TaskShare.objects.filter(user=user).values("task_id"))


def task_list(*, user) -> QuerySet[Task]:
    return tune(tasks_visible(user=user))


def tune(queryset: QuerySet[Task]) -> QuerySet[Task]:
    """Everything a task's representation shows, in a fixed number of queries."""
    shares = TaskShare.objects.select_related("user").only(
        "task", "status", "responded_at", *(f"user__{name}" for name in USER_BRIEF_FIELDS)
    )
    return queryset.select_related("project", "company", "contact", "created_by", "updated_by").prefetch_related(
        Prefetch("responsible", queryset=user_briefs()), "tags", Prefetch("shares", queryset=shares)
    )


def task_rows(*, user) -> QuerySet[Task]:
    """`task_list` for a list's page: of the rows joined to each task, what the row shows."""
    return task_list(user=user).defer(
        *unshown("project", Project, ("id", "name")),
        *unshown("company", Task.company.field.related_model, ("id", "name")),
        *unshown("contact", Task.contact.field.related_model, CONTACT_BRIEF_FIELDS),
        *unshown("created_by"),
        *unshown("updated_by"),
    )


def mine_condition(*, user) -> Q:
    """The condition "responsible for it, created it, or accepted it"."""
    return (
        Q(pk__in=Task.responsible.through.objects.filter(user=user).values("task_id"))
        | Q(created_by=user)
        | Q(pk__in=accepted_shares().filter(user=user).values("task_id"))
    )


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.all()


def project_list() -> QuerySet[Project]:
    return Project.objects.all()


def center_this_week(*, user, limit: int) -> dict:
    """The communication centre's unfinished tasks of `user` planned for this week (in the project's time zone)."""
    from crm.api.periods import period_bounds
    from users.center import first_rows

    start, end = period_bounds("week")
    week = tasks_visible(user=user).filter(
        mine_condition(user=user), finished=False, date__gte=start.date(), date__lt=end.date()
    )
    return first_rows(week.order_by("date", "-priority", "id"), "id", "name", "date", "priority", limit=limit)
