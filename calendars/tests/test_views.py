import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from calendars.models import FeedToken
from contacts.tests.factories import ContactFactory
from crm.tests.support.queries import assert_constant_queries
from deals.models import Deal, DealStatus
from deals.tests.factories import DealFactory
from tasks.tests.factories import TaskFactory, TaskShareFactory
from timetracker.tests.factories import WorkPeriodFactory, add_segment
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

URL = reverse("calendars:calendar")
KYIV = ZoneInfo("Europe/Kyiv")


def get(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.data


def events(data, kind=None):
    return [
        (day["date"], event["title"])
        for day in data["days"]
        for event in day["events"]
        if kind is None or event["kind"] == kind
    ]


def day_range(first, last):
    return {"date_after": first.isoformat(), "date_before": last.isoformat()}


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=KYIV)


# --- tasks


def test_tasks_show_on_their_day_and_never_a_colleagues(api, employee):
    day = datetime.date(2026, 5, 12)
    mine = TaskFactory(created_by=employee, date=day, name="Mine")
    TaskFactory(date=day, name="A colleague's")
    data = get(api.as_user(employee), source="tasks", **day_range(day, day + datetime.timedelta(days=6)))
    assert events(data) == [("2026-05-12", "Mine")]
    event = data["days"][0]["events"][0]
    assert event["kind"] == "task" and event["all_day"] is True
    assert event["link"] == f"/api/tasks/{mine.pk}/" and event["start"] == "2026-05-12" and event["end"] == "2026-05-13"
    assert event["status"] in ("open", "overdue")


def test_a_pending_share_stays_out_and_an_accepted_one_comes_in(api, employee):
    day = datetime.date(2026, 5, 12)
    share = TaskShareFactory(user=employee, task=TaskFactory(date=day, name="Shared"))
    client = api.as_user(employee)
    assert events(get(client, source="tasks", **day_range(day, day))) == []
    share.status, share.responded_at = "accepted", timezone.now()
    share.save()
    assert events(get(client, source="tasks", **day_range(day, day))) == [("2026-05-12", "Shared")]


def test_mine_leaves_out_subordinates_tasks(api, manager):
    member = UserFactory(department=make_department("Sales", head=manager))
    day = datetime.date(2026, 5, 12)
    TaskFactory(created_by=member, date=day, name="Member's")
    TaskFactory(created_by=manager, date=day, name="Head's")
    client = api.as_user(manager)
    assert sorted(t for _, t in events(get(client, source="tasks", **day_range(day, day)))) == ["Head's", "Member's"]
    assert events(get(client, source="tasks", mine="1", **day_range(day, day))) == [("2026-05-12", "Head's")]
    # The member never sees the head's task.
    assert events(get(api.as_user(member), source="tasks", **day_range(day, day))) == [("2026-05-12", "Member's")]


def test_a_repeated_task_shows_its_future_occurrences_without_storing_them(api, employee):
    TaskFactory(created_by=employee, date=datetime.date(2026, 5, 1), repeated=True, repeat_every_days=3, name="Water")
    data = get(
        api.as_user(employee), source="tasks", **day_range(datetime.date(2026, 5, 6), datetime.date(2026, 5, 12))
    )
    assert [d for d, _ in events(data)] == ["2026-05-07", "2026-05-10"]
    assert {e["status"] for day in data["days"] for e in day["events"]} == {"planned"}
    from tasks.models import Task

    assert Task.objects.count() == 1


def test_a_finished_repeated_task_is_not_projected(api, employee):
    TaskFactory(
        created_by=employee,
        date=datetime.date(2026, 5, 1),
        repeated=True,
        repeat_every_days=1,
        finished=True,
        finished_at=timezone.now(),
    )
    data = get(api.as_user(employee), source="tasks", **day_range(datetime.date(2026, 5, 2), datetime.date(2026, 5, 4)))
    assert events(data) == []


# --- deals


def test_deals_show_when_opened_and_when_won_never_a_colleagues(api, employee):
    deal = DealFactory(responsible=employee, title="Shoes")
    hidden = DealFactory(title="Not mine")
    Deal.objects.filter(pk__in=[deal.pk, hidden.pk]).update(created_at=at(datetime.date(2026, 5, 4), 10))
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=at(datetime.date(2026, 5, 6), 15))
    data = get(
        api.as_user(employee), source="deals", **day_range(datetime.date(2026, 5, 4), datetime.date(2026, 5, 10))
    )
    assert events(data) == [("2026-05-04", "Deal opened: Shoes"), ("2026-05-06", "Deal won: Shoes")]
    won = data["days"][2]["events"][0]
    assert won["status"] == "won" and won["link"] == f"/api/deals/{deal.pk}/"
    assert won["start"] == "2026-05-06T15:00:00+03:00" and won["all_day"] is False


# --- work


def test_work_periods_show_their_hours_only_to_the_user_and_their_head(api, manager):
    member = UserFactory(department=make_department("Sales", head=manager), first_name="Ann", last_name="Lee")
    day = datetime.date(2026, 5, 5)
    add_segment(WorkPeriodFactory(user=member, day=day, finished=True), hours=7.5)
    outsider = UserFactory()
    add_segment(WorkPeriodFactory(user=outsider, day=day), hours=2)
    data = get(api.as_user(manager), source="work", **day_range(day, day))
    assert events(data) == [("2026-05-05", "Work: Lee Ann, 7.5 h")]
    event = data["days"][0]["events"][0]
    assert event["start"] == "2026-05-05T09:00:00+03:00" and event["end"] == "2026-05-05T16:30:00+03:00"
    assert event["status"] == "finished"
    assert events(get(api.as_user(outsider), source="work", **day_range(day, day))) == [
        ("2026-05-05", "Work: " + (outsider.get_full_name()) + ", 2.0 h")
    ]
    assert events(get(api.as_user(UserFactory()), source="work", **day_range(day, day))) == []


# --- birthdays


def test_birthdays_come_back_every_year_and_29_february_on_the_28th(api, employee):
    ContactFactory(first_name="Ivan", last_name="Franko", birth_date=datetime.date(1990, 5, 8))
    ContactFactory(first_name="Leap", last_name="Day", birth_date=datetime.date(2000, 2, 29))
    ContactFactory(first_name="No", last_name="Date")
    client = api.as_user(employee)
    may = get(client, source="birthdays", period="month", date="2026-05-20")
    assert events(may) == [("2026-05-08", "Birthday: Franko Ivan (36)")]
    february = get(client, source="birthdays", period="month", date="2026-02-10")
    assert events(february) == [("2026-02-28", "Birthday: Day Leap (26)")]
    leap_year = get(client, source="birthdays", period="month", date="2028-02-10")
    assert events(leap_year) == [("2028-02-29", "Birthday: Day Leap (28)")]


def test_mine_birthdays_are_of_my_contacts(api, employee):
    ContactFactory(last_name="Mine", first_name="A", birth_date=datetime.date(1990, 5, 8), responsible=employee)
    ContactFactory(last_name="Other", first_name="B", birth_date=datetime.date(1990, 5, 9))
    data = get(api.as_user(employee), source="birthdays", mine="1", period="week", date="2026-05-08")
    assert events(data) == [("2026-05-08", "Birthday: Mine A (36)")]


# --- sources, ranges, time zone


def test_sources_combine_and_hiding_is_leaving_out(api, employee):
    day = datetime.date(2026, 5, 8)
    TaskFactory(created_by=employee, date=day, name="Task")
    ContactFactory(last_name="Born", first_name="C", birth_date=datetime.date(1990, 5, 8))
    client = api.as_user(employee)
    both = get(client, source="tasks,birthdays", **day_range(day, day))
    assert {e["kind"] for e in events_of(both)} == {"task", "birthday"}
    assert both["sources"] == ["tasks", "birthdays"]
    everything = get(client, **day_range(day, day))
    assert {"tasks", "deals", "work", "birthdays"} <= set(everything["sources"])
    assert {e["kind"] for e in events_of(everything)} == {"task", "birthday"}
    only_tasks = get(client, source="tasks", **day_range(day, day))
    assert {e["kind"] for e in events_of(only_tasks)} == {"task"}


def events_of(data):
    return [event for day in data["days"] for event in day["events"]]


@pytest.mark.parametrize("source", ["contacts", "tasks,products", "nonsense"])
def test_a_source_without_dates_is_a_400_naming_it(api, employee, source):
    response = api.as_user(employee).get(URL, {"source": source})
    assert response.status_code == 400
    message = str(response.data["source"])
    assert "this data has no date" in message and source.split(",")[-1] in message


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": "2026-05-10", "date_before": "2026-05-01"},
        {"date_after": "2026-05-10"},
        {"date_after": "yesterday", "date_before": "2026-05-01"},
        {"period": "fortnight"},
        {"period": "week", "date": "2026-13-01"},
        {"period": "week", "date_after": "2026-05-01", "date_before": "2026-05-02"},
        {"date_after": "2020-01-01", "date_before": "2026-01-01"},
        {"mine": "perhaps"},
        {"period": "week", "date": "0001-01-01"},
        {"date_after": "9999-12-30", "date_before": "9999-12-31"},
    ],
)
def test_bad_ranges_and_flags_are_a_400(api, employee, params):
    assert api.as_user(employee).get(URL, params).status_code == 400


def test_anonymous_is_refused(api):
    assert api.get(URL).status_code == 401


def test_the_week_lists_every_day_from_monday(api, employee):
    data = get(api.as_user(employee), period="week", date="2026-05-14")
    assert [d["date"] for d in data["days"]] == [f"2026-05-{n:02d}" for n in range(11, 18)]
    assert data["first"] == "2026-05-11" and data["last"] == "2026-05-17" and data["time_zone"] == "Europe/Kyiv"


def test_an_event_at_2330_kyiv_is_on_that_kyiv_day(api, employee):
    deal = DealFactory(responsible=employee, title="Late")
    late = at(datetime.date(2026, 5, 4), 23, 30)  # 20:30 UTC
    Deal.objects.filter(pk=deal.pk).update(created_at=late)
    data = get(api.as_user(employee), source="deals", **day_range(datetime.date(2026, 5, 4), datetime.date(2026, 5, 5)))
    assert events(data) == [("2026-05-04", "Deal opened: Late")]
    early = at(datetime.date(2026, 5, 5), 0, 30)  # still 4 May in UTC
    Deal.objects.filter(pk=deal.pk).update(created_at=early)
    data = get(api.as_user(employee), source="deals", **day_range(datetime.date(2026, 5, 4), datetime.date(2026, 5, 5)))
    assert events(data) == [("2026-05-05", "Deal opened: Late")]


@pytest.mark.parametrize(("day", "hours"), [("2026-03-29", 23), ("2026-10-25", 25), ("2026-05-05", 24)])
def test_a_day_has_its_kyiv_length_on_a_dst_change(api, employee, day, hours):
    data = get(api.as_user(employee), date_after=day, date_before=day)
    (only,) = data["days"]
    start, end = (datetime.datetime.fromisoformat(only[key]) for key in ("start", "end"))
    assert (end - start).total_seconds() == hours * 3600


def test_an_event_late_on_the_dst_day_stays_on_it(api, employee):
    deal = DealFactory(responsible=employee, title="Spring")
    Deal.objects.filter(pk=deal.pk).update(created_at=at(datetime.date(2026, 3, 29), 23, 30))
    data = get(api.as_user(employee), source="deals", date_after="2026-03-29", date_before="2026-03-30")
    assert events(data) == [("2026-03-29", "Deal opened: Spring")]


def test_an_event_over_several_days_shows_on_each(api, employee):
    period = WorkPeriodFactory(user=employee, day=datetime.date(2026, 5, 5), finished=True)
    add_segment(period, hours=5, start=at(datetime.date(2026, 5, 5), 22))
    data = get(api.as_user(employee), source="work", date_after="2026-05-04", date_before="2026-05-07")
    assert [d for d, _ in events(data)] == ["2026-05-05", "2026-05-06"]


# --- query counts


@pytest.mark.parametrize("source", ["tasks", "deals", "work", "birthdays"])
def test_query_count_does_not_grow_with_events(api, employee, source):
    day = datetime.date(2026, 5, 8)
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            i = next(counter)
            if source == "tasks":
                TaskFactory(created_by=employee, date=day, repeated=True, repeat_every_days=2)
            elif source == "deals":
                deal = DealFactory(responsible=employee)
                Deal.objects.filter(pk=deal.pk).update(created_at=at(day, 9))
            elif source == "work":
                add_segment(WorkPeriodFactory(user=UserFactory(), day=day), hours=1)
            else:
                ContactFactory(birth_date=datetime.date(1980 + i % 20, 5, 8))

    viewer = UserFactory(role=Role.ADMIN) if source == "work" else employee
    assert_constant_queries(
        api.as_user(viewer), URL, add, params={"source": source, "period": "month", "date": "2026-05-01"}
    )


# --- iCalendar feed


def issue(client, **body):
    response = client.post(reverse("calendars:feed-token"), body, format="json")
    assert response.status_code == 201, response.content
    return response.data["url"].split("token=")[1]


def test_the_feed_is_an_icalendar_a_real_parser_reads(api, employee):
    TaskFactory(created_by=employee, date=timezone.localdate() + datetime.timedelta(days=2), name="Call the supplier")
    TaskFactory(date=timezone.localdate() + datetime.timedelta(days=2), name="A colleague's")
    deal = DealFactory(responsible=employee, title="Boots")
    token = issue(api.as_user(employee))
    api.credentials()  # the feed needs no login: calendar apps cannot send one
    response = api.get(reverse("calendars:feed"), {"token": token})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    entries = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(entries) == {"Call the supplier", "Deal opened: Boots"}
    task = entries["Call the supplier"]
    assert task.decoded("dtstart") == timezone.localdate() + datetime.timedelta(days=2)
    opened = entries["Deal opened: Boots"].decoded("dtstart")
    assert opened == Deal.objects.get(pk=deal.pk).created_at.replace(microsecond=0)
    assert len({str(e["uid"]) for e in entries.values()}) == 2
    assert FeedToken.objects.get(user=employee).last_used_at is not None


def test_a_feed_limited_to_sources(api, employee):
    TaskFactory(created_by=employee, date=timezone.localdate(), name="Task")
    DealFactory(responsible=employee, title="Deal")
    token = issue(api.as_user(employee), source="deals")
    calendar = icalendar.Calendar.from_ical(api.get(reverse("calendars:feed"), {"token": token}).content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Deal opened: Deal"]
    assert api.post(reverse("calendars:feed-token"), {"source": "contacts"}, format="json").status_code == 400


def test_a_revoked_or_replaced_token_is_refused(api, employee):
    client = api.as_user(employee)
    old = issue(client)
    new = issue(client)
    feed = reverse("calendars:feed")
    assert api.get(feed, {"token": old}).status_code == 403
    assert api.get(feed, {"token": new}).status_code == 200
    assert client.delete(reverse("calendars:feed-token")).status_code == 204
    assert api.get(feed, {"token": new}).status_code == 403
    assert client.delete(reverse("calendars:feed-token")).status_code == 404
    assert api.get(feed, {"token": "garbage"}).status_code == 403
    assert api.get(feed).status_code == 400


def test_a_deactivated_users_feed_is_refused(api, employee):
    token = issue(api.as_user(employee))
    employee.is_active = False
    employee.save()
    assert api.get(reverse("calendars:feed"), {"token": token}).status_code == 403


def test_every_event_links_to_an_object_the_caller_may_open(api, employee):
    day = timezone.localdate()
    TaskFactory(created_by=employee, date=day)
    deal = DealFactory(responsible=employee)
    Deal.objects.filter(pk=deal.pk).update(status=DealStatus.WON, closed_at=timezone.now())
    add_segment(WorkPeriodFactory(user=employee, day=day), hours=1)
    ContactFactory(birth_date=day.replace(year=1990) if (day.month, day.day) != (2, 29) else datetime.date(1992, 2, 29))
    client = api.as_user(employee)
    found = events_of(get(client, period="today"))
    assert {event["kind"] for event in found} == {"task", "deal", "work", "birthday"}
    for event in found:
        assert client.get(event["link"]).status_code == 200, event


def test_a_new_source_plugs_in_with_one_line(api, employee):
    from calendars import registry

    def promotion_events(*, user, start, end, mine=False):
        yield registry.CalendarEvent(
            kind="promotion",
            title="Spring sale",
            start=datetime.date(2026, 3, 20),
            end=datetime.date(2026, 3, 23),
            link="/api/promotions/1/",
            status="active",
        )

    registry.register("promotions", events=promotion_events)
    try:
        data = get(api.as_user(employee), source="promotions", date_after="2026-03-21", date_before="2026-03-25")
    finally:
        registry._sources.pop("promotions")
    assert events(data) == [("2026-03-21", "Spring sale"), ("2026-03-22", "Spring sale")]


def test_the_feed_link_needs_a_login_to_be_made(api):
    assert api.post(reverse("calendars:feed-token")).status_code == 401
    assert api.delete(reverse("calendars:feed-token")).status_code == 401


def test_a_feed_naming_a_source_that_is_gone_still_answers(api, employee):
    TaskFactory(created_by=employee, date=timezone.localdate(), name="Task")
    token = issue(api.as_user(employee), source="tasks")
    FeedToken.objects.filter(user=employee).update(sources="gone,tasks")
    response = api.get(reverse("calendars:feed"), {"token": token})
    assert response.status_code == 200
    assert [str(e["summary"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")] == ["Task"]


def test_trashed_records_leave_the_calendar(api, employee):
    from crm.trash import move_to_trash

    day = datetime.date(2026, 5, 12)
    task = TaskFactory(created_by=employee, date=day, name="Gone")
    move_to_trash(task, actor=employee)
    assert events(get(api.as_user(employee), source="tasks", **day_range(day, day))) == []
