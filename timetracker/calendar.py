"""Work periods in the calendar: a user's working day from the first start to the last pause."""

from django.db.models import DurationField, ExpressionWrapper, F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from calendars.registry import CalendarEvent, day_span
from timetracker.models import WorkPeriod
from users.selectors import scope_to_owners


def work_events(*, user, start, end, mine=False):
    first, last = day_span(start, end)
    queryset = WorkPeriod.objects.filter(day__gte=first, day__lte=last)
    queryset = queryset.filter(user=user) if mine else scope_to_owners(queryset, user=user, fields=("user",))
    worked = ExpressionWrapper(F("segments__end") - F("segments__start"), output_field=DurationField())
    rows = (
        queryset.select_related("user")
        .annotate(first_start=Min("segments__start"), last_end=Max("segments__end"), worked=Sum(worked))
        .filter(first_start__isnull=False)
        .order_by("day", "user_id")
    )
    now = timezone.now()
    for period in rows:
        seconds = int(period.worked.total_seconds()) if period.worked else 0
        running = not period.finished and period.day == timezone.localdate(now)
        yield CalendarEvent(
            kind="work",
            title=_("Work: %(user)s, %(hours)s h")
            % {"user": period.user.get_full_name() or period.user.email, "hours": round(seconds / 3600, 2)},
            start=period.first_start,
            end=max(period.last_end or period.first_start, now) if running else period.last_end or period.first_start,
            link=f"/api/timetracker/periods/{period.pk}/",
            status="finished" if period.finished else ("running" if running else "open"),
            uid=f"work-{period.pk}",
        )
