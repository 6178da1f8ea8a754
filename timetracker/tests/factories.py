from datetime import timedelta

import factory
from django.utils import timezone

from timetracker.models import Segment, WorkPeriod
from users.tests.factories import UserFactory


class WorkPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPeriod

    user = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(timezone.localdate)


def add_segment(period: WorkPeriod, *, hours: float, start=None) -> Segment:
    """A closed segment of `hours` on the period's day (from 09:00 local time unless `start` is given)."""
    start = start or timezone.make_aware(
        timezone.datetime.combine(period.day, timezone.datetime.min.time())
    ) + timedelta(hours=9)
    return Segment.objects.create(period=period, user=period.user, start=start, end=start + timedelta(hours=hours))
