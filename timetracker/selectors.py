from datetime import datetime

from django.db.models import DurationField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from timetracker.models import Segment, WorkPeriod
from users.selectors import scope_to_owners

GROUPINGS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def timer_state(*, user, now: datetime | None = None) -> dict:
    """What every tab of the user shows: today's segments, whether one runs, and the seconds worked today."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    period = WorkPeriod.objects.filter(user=user, day=today).first()
    running = Segment.objects.filter(user=user, end__isnull=True).first()
    segments = list(period.segments.all()) if period else []
    elapsed = sum(segment.seconds for segment in segments)
    if running is not None and running.period_id == getattr(period, "pk", None):
        elapsed += int((now - running.start).total_seconds())
    return {
        "day": today,
        "running": running is not None,
        "started_at": running.start if running else None,
        "finished": bool(period and period.finished),
        "elapsed_seconds": max(elapsed, 0),
        "segments": [{"start": segment.start, "end": segment.end} for segment in segments],
    }


def work_period_list(*, user) -> QuerySet[WorkPeriod]:
    """Periods of the user and their subordinates; the owner and admins see all."""
    queryset = WorkPeriod.objects.select_related("user").prefetch_related("segments")
    return scope_to_owners(queryset, user=user, fields=("user",))


def hours_report(*, periods: QuerySet[WorkPeriod], group_by: str) -> list[dict]:
    """Seconds worked per day, week or month, summed over the closed segments of `periods`."""
    duration = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    rows = (
        Segment.objects.filter(period__in=periods.values("pk"), end__isnull=False)
        .annotate(bucket=GROUPINGS[group_by]("period__day"))
        .order_by("bucket")
        .values("bucket")
        .annotate(worked=Sum(duration))
    )
    result = []
    for row in rows:
        bucket = row["bucket"]
        seconds = int(row["worked"].total_seconds()) if row["worked"] else 0
        result.append(
            {
                "start": bucket.date() if isinstance(bucket, datetime) else bucket,
                "seconds": seconds,
                "hours": round(seconds / 3600, 2),
            }
        )
    return result
