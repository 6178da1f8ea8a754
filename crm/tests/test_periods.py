from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crm.api.periods import period_bounds

KYIV = ZoneInfo("Europe/Kyiv")
# 23:30 UTC on Sunday 2026-03-01 is already Monday 01:30 in Kyiv.
NOW = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("today", datetime(2026, 3, 2), datetime(2026, 3, 3)),
        ("yesterday", datetime(2026, 3, 1), datetime(2026, 3, 2)),
        ("week", datetime(2026, 3, 2), datetime(2026, 3, 9)),
        ("month", datetime(2026, 3, 1), datetime(2026, 4, 1)),
        ("year", datetime(2026, 1, 1), datetime(2027, 1, 1)),
    ],
)
def test_periods_are_days_of_kyiv_not_utc(settings, name, start, end):
    settings.TIME_ZONE = "Europe/Kyiv"
    assert period_bounds(name, now=NOW) == (start.replace(tzinfo=KYIV), end.replace(tzinfo=KYIV))


def test_unknown_period_is_refused():
    with pytest.raises(ValueError):
        period_bounds("decade")
