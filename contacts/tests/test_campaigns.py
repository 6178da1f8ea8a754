import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from contacts import sms
from contacts.models import Campaign, ContactActivity, Letter
from contacts.tests.factories import ContactFactory, PhoneFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    sms.LocmemBackend.refused = set()
    yield
    sms.outbox.clear()


@pytest.fixture
def sender():
    return UserFactory(email="marketing@example.com")


def run(**options):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_campaign", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def subscriber(number, **fields):
    contact = ContactFactory(newsletter=True, **fields)
    PhoneFactory(contact=contact, number=number)
    return contact


def test_sms_campaign_reaches_only_consenting_filtered_contacts_once(sender):
    responsible = UserFactory()
    subscriber("+380501110001", responsible=responsible)
    subscriber("+380501110002", responsible=responsible)
    subscriber("+380501110003")  # filtered out
    PhoneFactory(contact=ContactFactory(newsletter=False, responsible=responsible), number="+380501110004")
    out, _ = run(
        name="spring", channel="sms", text="Spring sale", sender=sender.email, filter=f"responsible={responsible.pk}"
    )
    assert sorted(message.recipient for message in sms.outbox) == ["380501110001", "380501110002"]
    assert "sent 2, failed 0, skipped 0" in out
    assert ContactActivity.objects.filter(type="sms", responsible=sender).count() == 2
    out, _ = run(name="spring")
    assert "nothing to send" in out
    assert len(sms.outbox) == 2


def test_a_rerun_resumes_after_the_checkpoint(sender):
    first = subscriber("+380501110001")
    second = subscriber("+380501110002")
    campaign = Campaign.objects.create(name="resume", channel="sms", text="Hi", sender=sender, last_contact_id=first.pk)
    run(name="resume")
    assert [message.recipient for message in sms.outbox] == ["380501110002"]
    campaign.refresh_from_db()
    assert (campaign.last_contact_id, campaign.sent, campaign.finished_at is not None) == (second.pk, 1, True)


def test_bad_records_are_skipped_and_reported(sender):
    ContactFactory(newsletter=True, last_name="Nophone")
    subscriber("+380501110002")
    refused = subscriber("+380501110003")
    sms.LocmemBackend.refused = {"380501110003"}
    out, err = run(name="mixed", channel="sms", text="Hi", sender=sender.email)
    assert "sent 1, failed 1, skipped 1" in out
    assert "Nophone" in err and "no phone" in err
    assert f"#{refused.pk}" in err


def test_email_campaign(sender):
    ContactFactory(newsletter=True, email="a@example.com")
    ContactFactory(newsletter=True, email="")
    out, _ = run(name="news", channel="email", subject="News", text="Hello", sender=sender.email)
    assert [message.to for message in mail.outbox] == [["a@example.com"]]
    assert Letter.objects.count() == 1
    assert "sent 1, failed 0, skipped 1" in out


@pytest.mark.parametrize(
    "options",
    [
        {"name": "x"},
        {"name": "x", "channel": "sms", "text": "Hi", "sender": "nobody@example.com"},
        {"name": "x", "channel": "email", "text": "Hi", "sender": "marketing@example.com"},
        {"name": "x", "channel": "sms", "text": "Hi", "sender": "marketing@example.com", "filter": "responsible=abc"},
    ],
)
def test_bad_options_are_refused_and_send_nothing(sender, options):
    with pytest.raises(CommandError):
        run(**options)
    assert sms.outbox == [] and mail.outbox == []


def test_dry_run_counts_only(sender):
    subscriber("+380501110001")
    out, _ = run(name="dry", channel="sms", text="Hi", sender=sender.email, dry_run=True)
    assert "1 contact(s) with consent, 1 not yet done" in out
    assert sms.outbox == []


def test_a_provider_outage_is_retried_with_backoff(sender, settings, httpserver):
    settings.SMS_BACKEND = "turbosms"
    settings.SMS_TURBOSMS_URL = httpserver.url_for("/")
    settings.SMS_TURBOSMS_TOKEN = "t"
    subscriber("+380501234567")
    httpserver.expect_ordered_request("/message/send.json").respond_with_data("down", status=503)
    answer = {
        "response_code": 0,
        "response_status": "OK",
        "response_result": [
            {"phone": "380501234567", "response_code": 0, "message_id": "id-1", "response_status": "OK"}
        ],
    }
    httpserver.expect_ordered_request("/message/send.json").respond_with_json(answer)
    out, _ = run(name="retry", channel="sms", text="Hi", sender=sender.email)
    assert "sent 1, failed 0" in out
    assert len(httpserver.log) == 2
    # Both attempts stay on record: the refused one and the one that went.
    recorded = ContactActivity.objects.filter(type="sms").order_by("id")
    assert [(row.delivery_status, row.provider_message_id) for row in recorded] == [("HTTP_503", ""), ("OK", "id-1")]
