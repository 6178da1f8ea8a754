from datetime import UTC, datetime

import pytest

from calls.binotel import unflatten
from calls.models import Call, CallType
from calls.sync import client_number, handle_events, piece_from_record, piece_from_webhook
from calls.tests import samples
from contacts.models import ContactEvent
from contacts.services import contact_create, contact_update
from contacts.tests.factories import ContactFactory, PhoneFactory
from leads.models import Lead, LeadSource
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "+380501234567"


def call_events(call_id="5001", number="0501234567", internal="901"):
    return [
        samples.event("callStart", generalCallID=call_id, externalNumber=number, internalNumbers=[internal]),
        samples.event("callAnswer", generalCallID=call_id, externalNumber=number, callType=0, internalNumber=internal),
        samples.event("callStop", generalCallID=call_id, disposition="ANSWER"),
    ]


def test_client_number_spellings():
    assert client_number("0501234567") == NUMBER
    assert client_number("380501234567") == NUMBER
    assert client_number("+38 (050) 123-45-67") == NUMBER
    assert client_number("77470000000") == "+77470000000"
    assert client_number("") == "" and client_number(None) == ""
    assert client_number("12") == "12"


def test_a_call_from_the_stream_is_stored_linked_and_leaves_a_contact_event():
    employee = UserFactory(internal_number="901")
    contact = ContactFactory()
    PhoneFactory(contact=contact, number=NUMBER)
    summary = handle_events(call_events())
    call = Call.objects.get()
    assert summary.received == 3 and not summary.skipped
    assert call.binotel_id == "5001" and call.type == CallType.INCOMING
    assert call.external_number == NUMBER and call.contact == contact and call.employee == employee
    assert call.started_at == datetime.fromtimestamp(1586974300, tz=UTC)
    assert call.answered_at == datetime.fromtimestamp(1509628018, tz=UTC) or call.answered_at is not None
    assert call.talk_seconds == 100 and call.disposition == "ANSWER"
    assert call.ended_at == datetime.fromtimestamp(1586974400, tz=UTC)
    event = ContactEvent.objects.get(contact=contact)
    assert event.type == "call" and event.call_id == "5001"


def test_a_duplicate_and_an_out_of_order_stop_give_one_correct_call():
    contact = ContactFactory()
    PhoneFactory(contact=contact, number=NUMBER)
    start, answer, stop = call_events()
    handle_events([stop, stop])
    handle_events([answer, start, stop, start])
    in_order_id = "5002"
    handle_events(call_events(call_id=in_order_id))
    shuffled, ordered = Call.objects.get(binotel_id="5001"), Call.objects.get(binotel_id=in_order_id)
    fields = ["type", "external_number", "started_at", "answered_at", "ended_at", "talk_seconds", "disposition"]
    assert {f: getattr(shuffled, f) for f in fields} == {f: getattr(ordered, f) for f in fields}
    assert shuffled.contact == contact
    assert ContactEvent.objects.filter(call_id="5001").count() == 1


def test_malformed_events_are_skipped_and_the_rest_stored():
    summary = handle_events(
        [{"eventName": "callStart"}, {"eventName": "nonsense", "generalCallID": "1"}, *call_events()]
    )
    assert len(summary.skipped) == 2
    assert Call.objects.count() == 1


def test_employee_matched_by_email_before_the_internal_number():
    UserFactory(internal_number="901")
    by_email = UserFactory(email="employee@example.com")
    from calls.services import call_upsert

    call, changed = call_upsert(piece=piece_from_record(samples.rest_record()))
    assert changed and call.employee == by_email
    assert call.wait_seconds == 13 and call.talk_seconds == 17 and call.recording_status == "uploaded"
    assert call.answered_at is not None and (call.ended_at - call.started_at).total_seconds() == 30
    assert call_upsert(piece=piece_from_record(samples.rest_record()))[1] is False


def test_an_unknown_incoming_number_makes_one_lead_for_whoever_answered():
    employee = UserFactory(internal_number="901")
    handle_events(call_events(call_id="1"))
    handle_events(call_events(call_id="2"))
    lead = Lead.objects.get()
    assert lead.phone == NUMBER and lead.source == LeadSource.PHONE and lead.responsible == employee
    assert set(Call.objects.values_list("lead", flat=True)) == {lead.pk}


def test_no_lead_while_it_rings_and_none_when_turned_off(settings):
    handle_events(call_events()[:1])
    assert not Lead.objects.exists()
    settings.BINOTEL_CREATE_LEADS = False
    handle_events(call_events()[1:])
    assert not Lead.objects.exists()


def test_outgoing_calls_to_unknown_numbers_make_no_lead():
    answer = samples.event("callAnswer", generalCallID="7", externalNumber="0501234567")
    handle_events([answer, samples.event("callStop", generalCallID="7")])
    assert Call.objects.get().type == CallType.OUTGOING and not Lead.objects.exists()


def test_a_number_added_to_a_contact_later_links_its_calls(settings):
    settings.BINOTEL_CREATE_LEADS = False
    actor = UserFactory()
    handle_events(call_events())
    contact = contact_create(actor=actor, data={"first_name": "Olena"}, phones=[])
    contact_update(contact=contact, actor=actor, data={}, phones=["050 123 45 67"])
    assert Call.objects.get().contact == contact
    assert ContactEvent.objects.get(contact=contact).call_id == "5001"


def test_webhook_pieces():
    body = unflatten(
        [("requestType", "hangupTheCall"), ("generalCallID", "9"), ("billsec", "12"), ("disposition", "ANSWER")]
    )
    piece = piece_from_webhook(body)
    assert piece.binotel_id == "9" and piece.fields == {"talk_seconds": 12, "disposition": "ANSWER"}
    assert piece_from_webhook({"requestType": "apiCallSettings"}) is None


def test_unflatten_nests_php_keys_and_makes_lists():
    body = unflatten(
        [
            ("a[b]", "1"),
            ("a[list][0][x]", "2"),
            ("a[list][1][x]", "3"),
            ("a[empty]", ""),
            ("plain", "4"),
            ("tags[]", "p"),
            ("tags[]", "q"),
        ]
    )
    assert body == {"a": {"b": "1", "list": [{"x": "2"}, {"x": "3"}], "empty": ""}, "plain": "4", "tags": ["p", "q"]}


def test_a_batch_of_events_takes_the_same_queries_for_2_calls_as_for_20():
    """Calls are read, matched, inserted, updated and their contact events stored as sets, not one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    UserFactory(internal_number="901")
    numbers = []
    for n in range(40):
        PhoneFactory(contact=ContactFactory(), number=f"+38050{n:07d}")
        numbers.append(f"050{n:07d}")

    def queries(first, count):
        events = [
            event for n in range(first, first + count) for event in call_events(call_id=f"q{n}", number=numbers[n])
        ]
        with CaptureQueriesContext(connection) as captured:
            summary = handle_events(events)
        assert summary.changed == len(events) and not summary.skipped
        return len(captured)

    queries(0, 1)  # the first batch also creates the listener's state row
    assert queries(1, 2) == queries(3, 20)
    assert Call.objects.filter(contact__isnull=False, employee__isnull=False).count() == 23
    assert ContactEvent.objects.filter(call_id__startswith="q").count() == 23
