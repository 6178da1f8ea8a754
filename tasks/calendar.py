"""Tasks in the calendar: each on its day, and a repeated task on its coming days too."""

import datetime

from django.db.models import Q
from django.utils import timezone

from calendars.registry import CalendarEvent, day_span
from tasks.selectors import mine_condition, tasks_visible


def _status(task, day, today) -> str:
    if task.finished:
        return "finished"
    if day != task.date:
        return "planned"
    return "overdue" if day < today else "open"


def task_events(*, user, start, end, mine=False):
    """Visible tasks planned inside the range, plus the future occurrences of open repeated tasks.

    A repeated task stores only its current occurrence (the next one is created when it is
    finished), so the days after it, every `repeat_every_days`, are computed, never stored.
    """
    first, last = day_span(start, end)
    queryset = tasks_visible(user=user)
    if mine:
        queryset = queryset.filter(mine_condition(user=user))
    in_range = Q(date__gte=first, date__lte=last)
    repeating = Q(repeated=True, finished=False, repeat_every_days__gte=1, date__lt=first)
    today = timezone.localdate()
    for task in (
        queryset.filter(in_range | repeating)
        .order_by("date", "id")
        .values_list("id", "name", "date", "finished", "repeated", "repeat_every_days", named=True)
    ):
        days = []
        if first <= task.date <= last:
            days.append(task.date)
        if task.repeated and not task.finished and task.repeat_every_days:
            step = task.repeat_every_days
            # The first occurrence after the task's own day that falls on or after `first`.
            skip = max(1, -(-(first - task.date).days // step))
            day = task.date + datetime.timedelta(days=skip * step)
            while day <= last:
                days.append(day)
                day += datetime.timedelta(days=step)
        for day in days:
            yield CalendarEvent(
                kind="task",
                title=task.name,
                start=day,
                end=day + datetime.timedelta(days=1),
                link=f"/api/tasks/{task.id}/",
                status=_status(task, day, today),
                uid=f"task-{task.id}-{day.isoformat()}",
            )
