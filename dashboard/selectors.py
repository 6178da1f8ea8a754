from decimal import Decimal

from django.db.models import Count, DecimalField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboard.metrics import SUMMED_FIELDS, derived
from dashboard.models import MonthlyAnalytics
from deals.models import Deal, DealStatus
from leads.models import Lead
from tasks.models import Task
from timetracker.models import Segment
from users.models import User
from users.selectors import users_visible_as_owners

ZERO = Decimal("0.00")


# --- Google Analytics months


def analytics_months(*, first_month, last_day) -> QuerySet[MonthlyAnalytics]:
    return MonthlyAnalytics.objects.filter(month__gte=first_month, month__lte=last_day)


def analytics_totals(months: QuerySet[MonthlyAnalytics]) -> dict:
    """Sums over the months, and the ratios recomputed from those sums (never an average of ratios).

    Users are the sum of monthly users: someone active in two months counts twice, as GA's
    monthly report cannot tell them apart.
    """
    sums = months.order_by().aggregate(**{name: Sum(name) for name in SUMMED_FIELDS}, months=Count("pk"))
    figures = {name: sums[name] or 0 for name in SUMMED_FIELDS}
    return {"months": sums["months"], **figures, **derived(figures)}


# --- employees


def employees_visible(*, user) -> QuerySet[User]:
    """Whose figures `user` may see: their own and their subordinates'; everybody's for the owner and admins."""
    visible = users_visible_as_owners(user=user)
    queryset = User.objects.all() if visible is None else visible
    return queryset.select_related("department").order_by("last_name", "first_name", "id")


def _money_sum(condition: Q) -> Coalesce:
    return Coalesce(Sum("amount", filter=condition), ZERO, output_field=DecimalField(max_digits=16, decimal_places=2))


def deal_figures(*, user_ids, start, end) -> dict[int, dict]:
    won, failed = Q(status=DealStatus.WON), Q(status=DealStatus.FAILED)
    rows = (
        Deal.objects.filter(responsible_id__in=user_ids, closed_at__gte=start, closed_at__lt=end)
        .order_by()
        .values("responsible_id")
        .annotate(
            deals_won=Count("pk", filter=won),
            deals_won_amount=_money_sum(won),
            deals_failed=Count("pk", filter=failed),
            deals_failed_amount=_money_sum(failed),
        )
    )
    return {row.pop("responsible_id"): row for row in rows}


def lead_figures(*, user_ids, start, end) -> dict[int, dict]:
    rows = (
        Lead.objects.filter(responsible_id__in=user_ids, converted_at__gte=start, converted_at__lt=end)
        .order_by()
        .values("responsible_id")
        .annotate(leads_converted=Count("pk"))
    )
    return {row["responsible_id"]: {"leads_converted": row["leads_converted"]} for row in rows}


def task_figures(*, user_ids, start, end) -> dict[int, dict]:
    """Tasks finished in the period, and those planned in it, already past and still open, per responsible."""
    today = timezone.localdate()
    first_day, day_after = timezone.localdate(start), timezone.localdate(end)
    # The through table bypasses Task.objects, so trashed tasks are left out here.
    through = Task.responsible.through.objects.filter(user_id__in=user_ids, task__deleted_at__isnull=True)
    done = Q(task__finished=True, task__finished_at__gte=start, task__finished_at__lt=end)
    overdue = Q(task__finished=False, task__date__gte=first_day, task__date__lt=min(day_after, today))
    rows = (
        through.filter(done | overdue)
        .order_by()
        .values("user_id")
        .annotate(tasks_done=Count("task_id", filter=done), tasks_overdue=Count("task_id", filter=overdue))
    )
    return {row.pop("user_id"): row for row in rows}


def work_figures(*, user_ids, start, end) -> dict[int, dict]:
    """Hours of the closed segments of the work periods whose day falls in the period."""
    duration = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    rows = (
        Segment.objects.filter(
            user_id__in=user_ids,
            end__isnull=False,
            period__day__gte=timezone.localdate(start),
            period__day__lt=timezone.localdate(end),
        )
        .order_by()
        .values("user_id")
        .annotate(worked=Sum(duration))
    )
    result = {}
    for row in rows:
        seconds = int(row["worked"].total_seconds()) if row["worked"] else 0
        result[row["user_id"]] = {"seconds_worked": seconds, "hours_worked": round(seconds / 3600, 2)}
    return result
