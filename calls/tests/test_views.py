import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import CallType
from calls.tests.factories import CallFactory
from calls.tests.fakes import API_KEY, API_SECRET, RECORD_PATH
from contacts.tests.factories import ContactFactory
from crm.tests.support.queries import assert_constant_queries, count_queries
from deals.tests.factories import DealFactory
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory, make_department

pytestmark = pytest.mark.django_db

LIST = reverse("calls:call-list")


@pytest.fixture
def team(db):
    """head heads Sales with seller in it; outsider works elsewhere."""
    head = UserFactory(role=Role.MANAGER)
    seller = UserFactory(department=make_department("Sales", head=head))
    outsider = UserFactory(department=make_department("Support"))
    return head, seller, outsider


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]


def test_calls_are_seen_by_their_employee_their_managers_and_admins_only(api, team, admin_user):
    head, seller, outsider = team
    call = CallFactory(employee=seller)
    missed = CallFactory(employee=None)
    assert ids(api.as_user(seller).get(LIST)) == [call.pk]
    assert ids(api.as_user(head).get(LIST)) == [call.pk]
    assert ids(api.as_user(outsider).get(LIST)) == []
    assert set(ids(api.as_user(admin_user).get(LIST))) == {call.pk, missed.pk}
    detail = reverse("calls:call-detail", args=[call.pk])
    assert api.as_user(outsider).get(detail).status_code == 404
    assert api.as_user(seller).get(detail).data["employee"]["id"] == seller.pk
    api.credentials()
    assert api.get(LIST).status_code == 401


def test_calls_are_read_only(api, admin_user):
    call = CallFactory()
    client = api.as_user(admin_user)
    assert client.post(LIST, {"binotel_id": "1"}).status_code == 405
    assert client.patch(reverse("calls:call-detail", args=[call.pk]), {"disposition": "X"}).status_code == 405


def test_filters(api, admin_user):
    employee = UserFactory()
    contact = ContactFactory()
    today = CallFactory(employee=employee, contact=contact, external_number="+380501234567")
    old = CallFactory(type=CallType.OUTGOING, disposition="NOANSWER", started_at=timezone.now() - timedelta(days=400))
    client = api.as_user(admin_user)
    assert ids(client.get(LIST, {"period": "today"})) == [today.pk]
    assert ids(client.get(LIST, {"type": "outgoing"})) == [old.pk]
    assert ids(client.get(LIST, {"disposition": "NOANSWER"})) == [old.pk]
    assert ids(client.get(LIST, {"employee": employee.pk})) == [today.pk]
    assert ids(client.get(LIST, {"contact": contact.pk})) == [today.pk]
    for spelling in ("0501234567", "+38 (050) 123-45-67", "380501234567"):
        assert ids(client.get(LIST, {"number": spelling})) == [today.pk]
    for garbage in ({"period": "soon"}, {"type": "x"}, {"employee": "abc"}, {"contact": "99999999999999999999"}):
        assert client.get(LIST, garbage).status_code == 400, garbage
    assert client.get(LIST, {"number": "---"}).status_code == 400
    assert client.get(reverse("calls:call-detail", args=["999999"])).status_code == 404


def test_the_list_takes_constant_queries(api, admin_user):
    def add_rows(n):
        for _ in range(n):
            CallFactory(employee=UserFactory(), contact=ContactFactory(), lead=LeadFactory())

    # the user behind the token, the count, the page with employee, contact and lead joined
    assert assert_constant_queries(api.as_user(admin_user), LIST, add_rows) <= 3


def test_a_contacts_calls_and_a_leads_calls(api, team):
    head, seller, outsider = team
    contact, lead = ContactFactory(), LeadFactory(responsible=seller)
    mine = CallFactory(employee=seller, contact=contact, lead=lead)
    CallFactory(employee=outsider, contact=contact)
    contact_url = reverse("contacts:contact-calls", args=[contact.pk])
    lead_url = reverse("leads:lead-calls", args=[lead.pk])
    assert ids(api.as_user(seller).get(contact_url)) == [mine.pk]
    assert ids(api.as_user(head).get(lead_url)) == [mine.pk]
    assert api.as_user(outsider).get(lead_url).status_code == 404
    assert api.as_user(seller).get(reverse("contacts:contact-calls", args=[999999])).status_code == 404


def test_the_deal_panel_shows_the_contacts_recent_calls(api, team):
    _head, seller, outsider = team
    deal = DealFactory(responsible=seller)
    mine = CallFactory(employee=seller, contact=deal.contact)
    CallFactory(employee=outsider, contact=deal.contact)
    client = api.as_user(seller)
    url = reverse("deals:deal-panel", args=[deal.pk])
    assert [c["id"] for c in client.get(url).data["recent_calls"]] == [mine.pk]
    few = count_queries(client, url)
    for _ in range(5):
        CallFactory(employee=seller, contact=deal.contact)
    assert count_queries(client, url) == few


def test_calls_take_comments_from_those_who_see_them(api, team):
    _head, seller, outsider = team
    call = CallFactory(employee=seller)
    url = reverse("comments:comment-list")
    target = f"calls.call:{call.pk}"
    assert api.as_user(seller).post(url, {"target": target, "text": "Asked for a callback"}).status_code == 201
    assert api.as_user(outsider).post(url, {"target": target, "text": "x"}).status_code in (400, 404)
    assert [c["text"] for c in api.as_user(seller).get(url, {"target": target}).data["results"]] == [
        "Asked for a callback"
    ]


# Recordings


@pytest.fixture
def binotel(settings, httpserver):
    settings.BINOTEL_API_URL = httpserver.url_for("/api/4.0/")
    settings.BINOTEL_API_KEY, settings.BINOTEL_API_SECRET = API_KEY, API_SECRET

    def answer(payload, status=200):
        httpserver.expect_request(RECORD_PATH, method="POST").respond_with_json(payload, status=status)

    return answer


def recording(api, user, call):
    return api.as_user(user).get(reverse("calls:call-recording", args=[call.pk]))


def test_the_recording_redirects_to_binotels_storage(api, team, binotel, httpserver):
    _head, seller, outsider = team
    call = CallFactory(employee=seller, recording_status="uploaded")
    link = "https://records.binotel.com/x/4683310794.mp3?sig=abc"
    binotel({"status": "success", "url": link})
    response = recording(api, seller, call)
    assert response.status_code == 302 and response["Location"] == link
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent == {"generalCallID": call.binotel_id, "callID": call.binotel_id, "key": API_KEY, "secret": API_SECRET}
    assert recording(api, outsider, call).status_code == 404


@pytest.mark.parametrize(
    "link",
    [
        "http://records.binotel.com/a.mp3",
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1/a.mp3",
        "https://binotel.com.evil.example/a.mp3",
        "https://evilbinotel.com/a.mp3",
        "https://user:pw@records.binotel.com/a.mp3",
        "https://records.binotel.com:8443/a.mp3",
        "file:///etc/passwd",
        "//records.binotel.com/a.mp3",
    ],
)
def test_the_recording_refuses_any_other_host(api, admin_user, binotel, link):
    binotel({"status": "success", "url": link})
    response = recording(api, admin_user, CallFactory(recording_status="uploaded"))
    assert response.status_code == 502 and "Location" not in response


def test_no_recording_is_a_404_and_a_failing_binotel_a_502(api, admin_user, binotel, httpserver):
    assert recording(api, admin_user, CallFactory(recording_status="")).status_code == 404
    assert not httpserver.log, "nothing to ask for"
    binotel({"status": "success", "url": ""})
    assert recording(api, admin_user, CallFactory(recording_status="uploaded")).status_code == 404
    httpserver.clear()
    binotel({"status": "error", "code": 105, "message": "Something went wrong"})
    assert recording(api, admin_user, CallFactory(recording_status="uploaded")).status_code == 502
