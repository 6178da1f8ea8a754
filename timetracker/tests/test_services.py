"""The thesis' timer unit tests (create timer, create segment, start, pause, stop) and the rules around them."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.api.exceptions import Conflict
from timetracker.models import Segment, WorkPeriod
from timetracker.selectors import timer_state
from timetracker.services import timer_pause, timer_resume, timer_start, timer_stop
from timetracker.tests.factories import WorkPeriodFactory, add_segment

pytestmark = pytest.mark.django_db


def test_timer_create_makes_todays_period_in_the_project_time_zone(employee):
    state = timer_start(user=employee)
    period = WorkPeriod.objects.get(user=employee)
    assert period.day == timezone.localdate() == state["day"]
    assert not period.finished


def test_segment_create_refuses_a_second_running_segment_in_the_database(employee):
    period = WorkPeriodFactory(user=employee)
    Segment.objects.create(period=period, user=employee, start=timezone.now())

    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(period=period, user=employee, start=timezone.now())


def test_segment_cannot_end_before_it_starts(employee):

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Segment.objects.create(
            period=WorkPeriodFactory(user=employee), user=employee, start=now, end=now - timedelta(1)
        )


def test_timer_start_runs_and_refuses_to_start_twice(employee):
    state = timer_start(user=employee)
    assert state["running"] and state["started_at"] is not None
    with pytest.raises(Conflict):
        timer_start(user=employee)
    assert Segment.objects.filter(user=employee).count() == 1


def test_timer_pause_closes_the_segment_and_resume_opens_another(employee):
    timer_start(user=employee)
    state = timer_pause(user=employee)
    assert not state["running"] and state["segments"][0]["end"] is not None
    with pytest.raises(Conflict):
        timer_pause(user=employee)
    assert timer_resume(user=employee)["running"]
    assert Segment.objects.filter(user=employee).count() == 2


def test_timer_resume_needs_a_started_day(employee):
    with pytest.raises(Conflict):
        timer_resume(user=employee)


def test_timer_stop_closes_the_day_and_stores_the_total(employee):
    period = WorkPeriodFactory(user=employee)
    start = timezone.now() - timedelta(hours=3)
    Segment.objects.create(period=period, user=employee, start=start, end=start + timedelta(hours=1))
    Segment.objects.create(period=period, user=employee, start=timezone.now() - timedelta(minutes=30))
    state = timer_stop(user=employee)
    period.refresh_from_db()
    assert period.finished and not state["running"] and state["finished"]
    assert 5400 - 5 <= period.total_seconds <= 5400 + 5
    assert not Segment.objects.filter(user=employee, end__isnull=True).exists()
    with pytest.raises(Conflict):
        timer_stop(user=employee)
    with pytest.raises(Conflict):
        timer_start(user=employee)


def test_elapsed_counts_closed_segments_and_the_running_one(employee):
    period = WorkPeriodFactory(user=employee)
    add_segment(period, hours=2, start=timezone.now() - timedelta(hours=4))
    Segment.objects.create(period=period, user=employee, start=timezone.now() - timedelta(hours=1))

    assert 3 * 3600 - 5 <= timer_state(user=employee)["elapsed_seconds"] <= 3 * 3600 + 5


def test_today_is_the_day_in_kyiv_not_in_utc(employee):
    late_utc = timezone.datetime(2026, 3, 1, 22, 30, tzinfo=timezone.get_fixed_timezone(0))
    assert timer_state(user=employee, now=late_utc)["day"].isoformat() == "2026-03-02"
