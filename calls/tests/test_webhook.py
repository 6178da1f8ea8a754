import pytest
from django.db import connection
from django.urls import reverse

from calls.models import Call
from calls.sync import handle_events
from calls.tests import samples
from contacts.models import ContactEvent
from contacts.tests.factories import ContactFactory, PhoneFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("calls:binotel-webhook")
FORM = "application/x-www-form-urlencoded"
BINOTEL = "194.88.218.116"


def post(api, body: str, address: str = BINOTEL, **headers):
    return api.post(URL, data=body, content_type=FORM, REMOTE_ADDR=address, **headers)


def test_the_sample_body_from_an_allowed_address_stores_the_call(api):
    employee = UserFactory(email="employee@example.com")
    response = post(api, samples.text("webhook_apiCallCompleted.form-urlencoded.txt"))
    assert response.status_code == 200 and response.json() == {"status": "success"}
    call = Call.objects.get()
    assert call.binotel_id == "4683310794" and call.external_number == "+380501234567"
    assert call.employee == employee and call.talk_seconds == 17 and call.wait_seconds == 13
    assert call.recording_status == "uploaded" and call.disposition == "ANSWER"


def test_any_other_address_gets_403_and_changes_nothing(api):
    response = post(api, samples.text("webhook_apiCallCompleted.form-urlencoded.txt"), address="203.0.113.9")
    assert response.status_code == 403 and not Call.objects.exists()


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(api, settings):
    body = samples.text("webhook_apiCallCompleted.form-urlencoded.txt")
    spoofed = post(api, body, address="203.0.113.9", HTTP_X_FORWARDED_FOR=BINOTEL)
    assert spoofed.status_code == 403
    settings.BINOTEL_WEBHOOK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    forged_first_hop = post(api, body, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{BINOTEL}, 203.0.113.9")
    assert forged_first_hop.status_code == 403, "only the hop our proxy saw counts"
    assert post(api, body, address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"203.0.113.9, {BINOTEL}").status_code == 200
    assert Call.objects.count() == 1


def test_the_webhook_and_the_listener_make_one_call(api):
    call_id = "4683310794"
    handle_events(
        [
            samples.event(
                "callStart", generalCallID=call_id, startTime=1702107076, externalNumber="0501234567", callType=0
            ),
            samples.event("callStop", generalCallID=call_id, billsec=17, disposition="ANSWER"),
        ]
    )
    assert post(api, samples.text("webhook_apiCallCompleted.form-urlencoded.txt")).status_code == 200
    call = Call.objects.get()
    assert call.wait_seconds == 13 and call.talk_seconds == 17 and call.started_at.timestamp() == 1702107076


def test_a_known_contacts_call_known_only_from_the_state_requests_is_on_their_timeline(api):
    contact = ContactFactory()
    PhoneFactory(contact=contact, number="+380671112244")
    received = "requestType=receivedTheCall&generalCallID=56&callType=0&externalNumber=0671112244&internalNumber=901"
    assert post(api, received).status_code == 200
    hangup = post(api, "requestType=hangupTheCall&generalCallID=56&billsec=0&disposition=NOANSWER")
    assert hangup.status_code == 200, hangup.content
    call = Call.objects.get()
    assert call.contact == contact and call.is_finished
    event = ContactEvent.objects.get(contact=contact, call_id="56")
    assert event.occurred_at == call.created_at


def test_json_bodies_and_the_call_state_requests_are_understood(api):
    api.post(
        URL,
        {"requestType": "receivedTheCall", "generalCallID": "55", "callType": "0", "externalNumber": "0671112233"},
        format="json",
        REMOTE_ADDR=BINOTEL,
    )
    post(api, "requestType=hangupTheCall&generalCallID=55&billsec=0&disposition=NOANSWER")
    call = Call.objects.get()
    assert call.external_number == "+380671112233" and call.disposition == "NOANSWER"


@pytest.mark.parametrize(
    "body",
    ["", "requestType=apiCallCompleted", "requestType=apiCallCompleted&callDetails[callType]=0", "callDetails=x"],
)
def test_bodies_without_a_call_are_a_400_and_store_nothing(api, body):
    assert post(api, body).status_code == 400
    assert not Call.objects.exists()


def test_request_types_without_a_call_are_acknowledged(api):
    assert post(api, "requestType=apiCallSettings&externalNumber=0501234567").status_code == 200
    assert not Call.objects.exists()


def completed(call_id: str, **details) -> str:
    fields = {"generalCallID": call_id, "callType": "0", "externalNumber": "0501234567", "startTime": "1702107076"}
    fields.update(details)
    return "requestType=apiCallCompleted&" + "&".join(f"callDetails[{key}]={value}" for key, value in fields.items())


@pytest.mark.parametrize(("key", "column"), [("waitsec", "wait_seconds"), ("billsec", "talk_seconds")])
def test_a_count_past_its_column_is_a_400_naming_it(api, key, column):
    too_many = "99999999999" if connection.vendor == "postgresql" else "9" * 20  # SQLite's integers are 64-bit
    response = post(api, completed("77", **{key: too_many}))

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert column in str(response.json())
    assert not Call.objects.exists()


def test_nul_characters_are_dropped(api):
    response = post(api, completed("78", disposition="ANS%00WER", internalNumber="9%0001"))

    assert response.status_code == 200
    call = Call.objects.get()
    assert (call.binotel_id, call.disposition, call.internal_number) == ("78", "ANSWER", "901")


def test_a_call_id_longer_than_its_column_is_refused_not_cut(api):
    prefix = "9" * 64
    for suffix in ("1", "2"):
        response = post(api, completed(prefix + suffix))
        assert response.status_code == 400 and "generalCallID" in str(response.json())
    assert not Call.objects.exists()
    assert post(api, completed(prefix)).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite cannot add a constraint inside a transaction")
def test_a_call_the_database_refuses_is_a_json_400(api):
    from django.db.models import CheckConstraint, Q

    from crm.tests.test_records import database_refuses

    with database_refuses(Call, CheckConstraint(condition=~Q(disposition="REFUSED"), name="test_refused")):
        response = post(api, completed("79", disposition="REFUSED"))

    assert response.status_code == 400 and "79" in str(response.json())
    assert not Call.objects.exists()
