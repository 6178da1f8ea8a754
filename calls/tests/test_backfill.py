import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from calls.binotel import RateLimited, RestClient, windows
from calls.models import Call, ListenerState
from calls.sync import BACKFILL, backfill
from calls.tests import samples
from calls.tests.fakes import API_KEY, API_SECRET, FakeRest
from contacts.models import ContactEvent
from contacts.tests.factories import ContactFactory, PhoneFactory

pytestmark = pytest.mark.django_db

SINCE = datetime(2023, 12, 8, 0, 0, tzinfo=UTC)


def record(call_id: str, started: datetime, **changes) -> dict:
    return samples.rest_record(
        generalCallID=call_id, callID=call_id, startTime=str(int(started.timestamp())), **changes
    )


@pytest.fixture
def configured(settings, httpserver):
    def configure(fake: FakeRest):
        settings.BINOTEL_API_URL = fake.base_url
        settings.BINOTEL_API_KEY, settings.BINOTEL_API_SECRET = API_KEY, API_SECRET
        return fake

    return configure


def sync(since: datetime, until: datetime) -> None:
    call_command("sync_binotel_calls", "--since", since.isoformat(), "--until", until.isoformat())


def client_for(fake: FakeRest, **options) -> RestClient:
    return RestClient(base_url=fake.base_url, key=API_KEY, secret=API_SECRET, timeout=5, **options)


def test_windows_never_exceed_the_limit_and_cover_the_period():
    until = SINCE + timedelta(hours=50)
    parts = list(windows(SINCE, until))
    assert len(parts) == 3 and parts[0][0] == SINCE and parts[-1][1] == until - timedelta(seconds=1)
    assert all(stop - start < timedelta(hours=24) for start, stop in parts)
    assert all(b[0] - a[1] == timedelta(seconds=1) for a, b in itertools.pairwise(parts))


@pytest.mark.parametrize("as_list", [False, True], ids=["object-keyed", "list"])
def test_backfill_over_more_than_a_day_stores_every_call_once(configured, httpserver, as_list):
    contact = ContactFactory()
    PhoneFactory(contact=contact, number="+380501234567")
    records = [record(str(100 + i), SINCE + timedelta(hours=7 * i)) for i in range(8)]
    fake = configured(FakeRest(httpserver, records, as_list=as_list))
    sync(SINCE, SINCE + timedelta(hours=56))
    assert len(fake.periods) == 3 and all(stop - start < 24 * 3600 for start, stop in fake.periods)
    assert Call.objects.count() == 8 and Call.objects.filter(contact=contact).count() == 8
    assert ContactEvent.objects.filter(contact=contact).count() == 8
    checkpoint = ListenerState.objects.get(name=BACKFILL).checkpoint
    assert checkpoint == SINCE + timedelta(hours=56)


def test_a_rerun_changes_nothing(configured, httpserver, capsys):
    fake = configured(FakeRest(httpserver, [record("1", SINCE + timedelta(hours=1)), record("2", SINCE)]))
    sync(SINCE, SINCE + timedelta(hours=5))
    before = list(Call.objects.order_by("binotel_id").values())
    sync(SINCE, SINCE + timedelta(hours=5))
    assert list(Call.objects.order_by("binotel_id").values()) == before
    assert "2 received, 0 stored or updated, 2 unchanged, 0 skipped" in capsys.readouterr().out
    assert len(fake.periods) == 2


def test_without_since_it_resumes_from_the_checkpoint(configured, httpserver):
    fake = configured(FakeRest(httpserver))
    ListenerState.objects.create(name=BACKFILL, checkpoint=SINCE)
    call_command("sync_binotel_calls", "--until", (SINCE + timedelta(hours=2)).isoformat())
    assert fake.periods == [(int(SINCE.timestamp()), int(SINCE.timestamp()) + 7199)]


def test_a_bad_record_is_skipped_and_reported(configured, httpserver, capsys):
    broken = record("", SINCE)
    configured(FakeRest(httpserver, [broken, record("3", SINCE)]))
    sync(SINCE, SINCE + timedelta(hours=1))
    assert list(Call.objects.values_list("binotel_id", flat=True)) == ["3"]
    assert "1 skipped" in capsys.readouterr().out


def test_the_rate_limit_error_is_waited_out_and_retried(httpserver):
    fake = FakeRest(httpserver, [record("5", SINCE)], rate_limited=2)
    waits = []
    summary = backfill(client=client_for(fake, sleep=waits.append), since=SINCE, until=SINCE + timedelta(hours=1))
    assert summary.changed == 1 and Call.objects.count() == 1
    assert len(waits) == 2 and all(10 <= wait <= 10.5 for wait in waits), "the seconds Binotel names, plus jitter"


def test_a_rate_limit_that_does_not_end_fails_after_the_attempts(httpserver):
    fake = FakeRest(httpserver, rate_limited=10)
    with pytest.raises(RateLimited):
        client_for(fake, sleep=lambda _s: None, rate_limit_attempts=3).calls_for_period(SINCE, SINCE)


def test_the_command_refuses_without_keys_or_with_a_reversed_period(settings, configured, httpserver):
    settings.BINOTEL_API_KEY = ""
    with pytest.raises(CommandError):
        call_command("sync_binotel_calls")
    configured(FakeRest(httpserver))
    with pytest.raises(CommandError):
        call_command("sync_binotel_calls", "--since", "2024-01-02", "--until", "2024-01-01")


def test_binotel_failing_stops_the_run_with_a_clear_error(configured, httpserver, settings):
    fake = configured(FakeRest(httpserver))
    settings.BINOTEL_API_KEY = "wrong"
    with pytest.raises(CommandError, match="Wrong data"):
        sync(SINCE, SINCE + timedelta(hours=1))
    assert fake.periods == []


def test_two_runs_never_overlap(configured, httpserver):
    from django.db import connection, connections

    from calls.management.commands.sync_binotel_calls import LOCK
    from crm.workers.locks import _lock_key as lock_key

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    fake = configured(FakeRest(httpserver, [record("1", SINCE)]))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [lock_key(LOCK)])
        with pytest.raises(CommandError, match="Another"):
            sync(SINCE, SINCE + timedelta(hours=1))
        assert fake.periods == [] and not Call.objects.exists()
    finally:
        other.close()


TOO_MANY = "99999999999" if connection.vendor == "postgresql" else "9" * 20  # SQLite's integers are 64-bit
CALL_REFUSALS = {
    # what Binotel says of call 1001 (in the first window of three), and whether the call is skipped
    "out of range": ({"waitsec": TOO_MANY}, True),
    "NUL": ({"disposition": "ANS\x00WER", "internalNumber": "9\x0001"}, False),
    "too long an id": ({"generalCallID": "1" * 65}, True),
    "wrong type": ({"waitsec": "many", "employeeData": "nobody"}, False),
    "check constraint": ({"disposition": "REFUSED"}, True),
    "unique index": ({"externalNumber": "0991112233"}, True),
}


@pytest.mark.parametrize("kind", list(CALL_REFUSALS))
def test_a_call_refused_on_the_way_in_is_skipped_and_recorded_while_the_rest_is_stored(
    configured, httpserver, capsys, kind
):
    from django.db.models import CheckConstraint, Q, UniqueConstraint

    from crm.tests.test_records import database_refuses

    changes, skipped = CALL_REFUSALS[kind]
    records = [record(str(1000 + i), SINCE + timedelta(hours=7 * i)) for i in range(8)]
    records[0]["externalNumber"] = "0991112233"
    records[1].update(changes)
    configured(FakeRest(httpserver, records))
    constraint = {
        "check constraint": (Call, CheckConstraint(condition=~Q(disposition="REFUSED"), name="test_refused")),
        "unique index": (
            Call,
            UniqueConstraint(fields=["external_number"], condition=Q(external_number="+380991112233"), name="t_u"),
        ),
    }.get(kind)
    if constraint and connection.vendor != "postgresql":
        pytest.skip("SQLite cannot add a constraint inside the test's transaction")

    with database_refuses(*constraint) if constraint else contextlib.nullcontext():
        sync(SINCE, SINCE + timedelta(hours=56))

    out, err = capsys.readouterr()
    stored = set(Call.objects.values_list("binotel_id", flat=True))
    others = {str(1000 + i) for i in range(8) if i != 1}
    state = ListenerState.objects.get(name=BACKFILL)
    if skipped:
        assert stored == others
        assert "8 received, 7 stored or updated, 0 unchanged, 1 skipped" in out and "skipped 1" in err
        assert "1 call(s) skipped" in state.detail
    else:
        assert stored == others | {"1001"}
        assert Call.objects.get(binotel_id="1001").disposition == "ANSWER" or kind == "wrong type"
        assert state.detail == ""
    assert state.checkpoint == SINCE + timedelta(hours=56)


def test_the_listener_batch_skips_a_refused_call_and_records_it(db):
    from calls.sync import LISTENER, handle_events

    events = [
        samples.event("callStop", generalCallID="2001", billsec=17, disposition="ANSWER"),
        samples.event("callStop", generalCallID="2002", billsec=int(TOO_MANY), disposition="ANSWER"),
        samples.event("callStop", generalCallID="2" * 65, billsec=1, disposition="ANSWER"),
        samples.event("callStop", generalCallID="2003", billsec=5, disposition="NO\x00ANSWER"),
    ]

    summary = handle_events(events)

    assert set(Call.objects.values_list("binotel_id", "disposition")) == {("2001", "ANSWER"), ("2003", "NOANSWER")}
    assert len(summary.skipped) == 2 and summary.skipped[0].startswith("2002: talk_seconds")
    assert "2 call(s) skipped" in ListenerState.objects.get(name=LISTENER).detail


@pytest.mark.parametrize("since", ["2024-13-01", "9999-12-31T23:30:00", "yesterday"])
def test_a_bad_since_on_the_command_line_is_a_usage_error_not_a_traceback(configured, httpserver, capsys, since):
    from django.core.management import ManagementUtility

    configured(FakeRest(httpserver, []))
    with pytest.raises(CommandError, match="--since"):
        call_command("sync_binotel_calls", since=since)
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "sync_binotel_calls", "--since", since]).execute()

    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--since" in err and "Traceback" not in err
