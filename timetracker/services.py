from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.api.exceptions import Conflict, conflict_on_duplicate
from crm.realtime.broadcast import broadcast, user_group
from timetracker.models import Segment, WorkPeriod
from timetracker.selectors import timer_state
from timetracker.serializers import TimerStateSerializer

STREAM = "timer"


def _push(user) -> dict:
    state = timer_state(user=user)
    broadcast(user_group(STREAM, user.pk), "timer.state", {"state": TimerStateSerializer(state).data})
    return state


def _today_period(user, *, create: bool) -> WorkPeriod | None:
    today = timezone.localdate()
    if not create:
        return WorkPeriod.objects.filter(user=user, day=today).first()
    try:
        with transaction.atomic():
            period, _created = WorkPeriod.objects.get_or_create(user=user, day=today)
    except IntegrityError:  # another tab created it a moment ago
        period = WorkPeriod.objects.get(user=user, day=today)
    return period


def _open_segment(user, period: WorkPeriod) -> None:
    if period.finished:
        raise Conflict(_("Today's work is already stopped."))
    # The database refuses a second running segment, so two tabs pressing start at once get one.
    with conflict_on_duplicate(_("The timer is already running.")):
        Segment.objects.create(period=period, user=user, start=timezone.now())


def _close_segment(user) -> bool:
    return bool(Segment.objects.filter(user=user, end__isnull=True).update(end=timezone.now()))


@transaction.atomic
def timer_start(*, user) -> dict:
    """Start work for today (a new segment); 409 while the timer runs or after today was stopped."""
    _open_segment(user, _today_period(user, create=True))
    return _push(user)


@transaction.atomic
def timer_pause(*, user) -> dict:
    if not _close_segment(user):
        raise Conflict(_("The timer is not running."))
    return _push(user)


@transaction.atomic
def timer_resume(*, user) -> dict:
    """Go on after a pause: a new segment in today's period, which must already have one."""
    period = _today_period(user, create=False)
    if period is None or not period.segments.exists():
        raise Conflict(_("There is nothing to resume today; start the timer."))
    _open_segment(user, period)
    return _push(user)


@transaction.atomic
def timer_stop(*, user) -> dict:
    """Finish today's work: close the running segment and store the day's total."""
    period = _today_period(user, create=False)
    if period is None:
        raise Conflict(_("The timer was not started today."))
    period = WorkPeriod.objects.select_for_update().get(pk=period.pk)
    if period.finished:
        raise Conflict(_("Today's work is already stopped."))
    _close_segment(user)
    period.finished = True
    period.total_seconds = sum(segment.seconds for segment in period.segments.all())
    period.save(update_fields=["finished", "total_seconds", "updated_at"])
    return _push(user)
