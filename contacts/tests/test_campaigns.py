import io
import json
import time

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from werkzeug import Response

from contacts import sms
from contacts.campaigns import settle_unknown
from contacts.models import Campaign, CampaignRecipient, ContactActivity, Letter, SendOutcome
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
    assert "sent 2, failed 0, unknown 0, skipped 0" in out
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
    assert "sent 1, failed 1, unknown 0, skipped 1" in out
    assert "Nophone" in err and "no phone" in err
    assert f"#{refused.pk}" in err


def test_email_campaign(sender):
    ContactFactory(newsletter=True, email="a@example.com")
    ContactFactory(newsletter=True, email="")
    out, _ = run(name="news", channel="email", subject="News", text="Hello", sender=sender.email)
    assert [message.to for message in mail.outbox] == [["a@example.com"]]
    assert Letter.objects.count() == 1
    assert "sent 1, failed 0, unknown 0, skipped 1" in out


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
    subscriber("+380501110001")
    with pytest.raises(CommandError):
        run(**options)
    assert sms.outbox == [] and mail.outbox == []
    assert not Campaign.objects.exists() and not CampaignRecipient.objects.exists(), "a refused run writes nothing"


def test_a_subject_with_a_line_break_is_refused_before_anything_is_written(sender):
    ContactFactory(newsletter=True, email="a@example.com")
    with pytest.raises(CommandError, match="subject"):
        run(name="x", channel="email", subject="News\nBcc: all@example.com", text="Hi", sender=sender.email)
    assert mail.outbox == [] and not Campaign.objects.exists()


def test_a_resumed_campaign_refuses_other_options(sender):
    subscriber("+380501110001")
    Campaign.objects.create(name="known", channel="sms", text="Hi", sender=sender, finished_at=None)
    with pytest.raises(CommandError, match="--text"):
        run(name="known", text="Something else")
    assert sms.outbox == []
    run(name="known", text="Hi")
    assert [message.text for message in sms.outbox] == ["Hi"]


def test_dry_run_counts_only_and_writes_nothing(sender):
    subscriber("+380501110001")
    out, _ = run(name="dry", channel="sms", text="Draft", sender=sender.email, dry_run=True)
    assert "1 contact(s) with consent, 1 not yet done" in out
    assert sms.outbox == []
    assert not Campaign.objects.exists() and not CampaignRecipient.objects.exists()
    # The real run under the same name sends its own text, not the dry run's.
    run(name="dry", channel="sms", text="Final", sender=sender.email)
    assert [message.text for message in sms.outbox] == ["Final"]


def test_dry_run_of_a_started_campaign_counts_what_is_left(sender):
    first = subscriber("+380501110001")
    subscriber("+380501110002")
    Campaign.objects.create(name="half", channel="sms", text="Hi", sender=sender, last_contact_id=first.pk)
    out, _ = run(name="half", dry_run=True)
    assert "2 contact(s) with consent, 1 not yet done" in out
    assert sms.outbox == [] and not CampaignRecipient.objects.exists()


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
    assert CampaignRecipient.objects.get().status == SendOutcome.SENT


@pytest.fixture
def turbosms(settings, httpserver):
    settings.SMS_BACKEND = "turbosms"
    settings.SMS_TURBOSMS_URL = httpserver.url_for("/")
    settings.SMS_TURBOSMS_TOKEN = "t"
    return httpserver


def requests_served(server, count) -> bool:
    """Whether the fake took exactly `count` requests, once a slow answer it is still sleeping over is done."""
    deadline = time.monotonic() + 5
    while len(server.log) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    return len(server.log) == count


def accepted(request):
    phones = request.get_json()["recipients"]
    rows = [
        {"phone": phone, "response_code": 0, "message_id": f"id-{phone}", "response_status": "OK"} for phone in phones
    ]
    return Response(json.dumps({"response_code": 0, "response_status": "OK", "response_result": rows}))


def test_a_provider_slower_than_the_timeout_is_not_retried_and_counted_unknown(sender, settings, turbosms):
    """The request left and no answer came: the SMS may have gone. It is sent once, and the summary says unknown."""
    settings.SMS_TIMEOUT = 0.5
    subscriber("+380501110001")
    slow_one = subscriber("+380501110002")

    def slow_for_the_second(request):
        if request.get_json()["recipients"] == ["380501110002"]:
            time.sleep(1.5)
        return accepted(request)

    turbosms.expect_request("/message/send.json").respond_with_handler(slow_for_the_second)
    out, err = run(name="slow", channel="sms", text="Hi", sender=sender.email)
    assert requests_served(turbosms, 2), "one request per contact, none repeated"
    assert "sent 1, failed 0, unknown 1, skipped 0" in out
    assert f"#{slow_one.pk}" in err
    campaign = Campaign.objects.get()
    assert (campaign.sent, campaign.failed, campaign.unknown) == (1, 0, 1)
    statuses = dict(CampaignRecipient.objects.values_list("contact_id", "status"))
    assert statuses[slow_one.pk] == SendOutcome.UNKNOWN
    # An operator who reopens the campaign does not reach the contact again.
    Campaign.objects.update(finished_at=None, last_contact_id=0)
    out, _ = run(name="slow")
    assert requests_served(turbosms, 2)
    assert "sent 0, failed 0, unknown 0, skipped 0" in out


def test_a_contact_being_sent_to_when_a_run_died_is_unknown_and_not_sent_again(sender):
    """A run killed between the send and its checkpoint leaves the contact "sending": the re-run does not resend."""
    crashed = subscriber("+380501110001")
    later = subscriber("+380501110002")
    campaign = Campaign.objects.create(name="crash", channel="sms", text="Hi", sender=sender)
    CampaignRecipient.objects.create(campaign=campaign, contact=crashed, status=SendOutcome.SENDING)
    _, err = run(name="crash")
    assert [message.recipient for message in sms.outbox] == ["380501110002"]
    assert f"#{crashed.pk}" in err and "unknown" in err
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.unknown, campaign.last_contact_id) == (1, 1, later.pk)
    assert CampaignRecipient.objects.get(contact=crashed).status == SendOutcome.UNKNOWN


def test_an_operator_sees_unknown_recipients_and_marks_them_checked(sender, owner, client):
    campaign = Campaign.objects.create(name="check", channel="sms", text="Hi", sender=sender, unknown=1)
    unknown = CampaignRecipient.objects.create(
        campaign=campaign, contact=subscriber("+380501110001"), status=SendOutcome.UNKNOWN
    )
    client.force_login(owner)
    listed = client.get("/admin/contacts/campaign/")
    assert listed.status_code == 200 and b"check" in listed.content
    recipients = client.get("/admin/contacts/campaignrecipient/", {"status__exact": "unknown"})
    assert recipients.status_code == 200 and str(unknown.contact).encode() in recipients.content
    response = client.post(
        "/admin/contacts/campaignrecipient/", {"action": "checked_sent", "_selected_action": [unknown.pk]}
    )
    assert response.status_code == 302
    unknown.refresh_from_db()
    assert unknown.status == SendOutcome.SENT and str(owner) in unknown.detail
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.failed, campaign.unknown) == (1, 0, 0)
    client.post("/admin/contacts/campaignrecipient/", {"action": "checked_not_sent", "_selected_action": [unknown.pk]})
    campaign.refresh_from_db()
    assert (campaign.sent, campaign.failed, campaign.unknown) == (1, 0, 0)  # settled once: the second changes nothing


def test_settling_recipients_of_many_campaigns_moves_each_campaigns_counters_in_constant_queries(
    sender, django_assert_num_queries
):
    def campaign_with(unknown: int, name: str) -> tuple[Campaign, list[int]]:
        campaign = Campaign.objects.create(name=name, channel="sms", text="Hi", sender=sender, unknown=unknown)
        rows = [
            CampaignRecipient.objects.create(
                campaign=campaign, contact=subscriber(f"+38050{name[-1]}11000{n}"), status=SendOutcome.UNKNOWN
            ).pk
            for n in range(unknown)
        ]
        return campaign, rows

    campaigns = [campaign_with(unknown, f"c{n}") for n, unknown in enumerate((1, 2, 3))]
    chosen = [pk for _campaign, rows in campaigns for pk in rows[:2]]  # 1 + 2 + 2 of the 6
    with django_assert_num_queries(5):  # a savepoint, the rows, every campaign's counters, their status, release
        assert settle_unknown(CampaignRecipient.objects.filter(pk__in=chosen), SendOutcome.FAILED, "checked") == 5
    counters = []
    for campaign, _rows in campaigns:
        campaign.refresh_from_db()
        counters.append((campaign.failed, campaign.unknown))
    assert counters == [(1, 0), (2, 0), (2, 1)]
