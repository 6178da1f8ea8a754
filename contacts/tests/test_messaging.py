import json
import socket
import threading
import time
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from werkzeug import Response

from activity.models import Activity
from companies.tests.factories import CompanyFactory
from contacts import sms
from contacts.models import ContactActivity, Letter, SendReceipt
from contacts.tests.factories import ContactFactory, PhoneFactory
from contacts.tests.fakes import FakeSmtp
from deals.tests.factories import DealFactory
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "samples"
TOKEN = "test-token"


def sample(name):
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture(autouse=True)
def locmem_sms(settings):
    settings.SMS_BACKEND = "locmem"
    settings.SMS_SENDER = "Shop"
    sms.outbox.clear()
    sms.LocmemBackend.refused = set()
    yield
    sms.outbox.clear()


@pytest.fixture
def customer(employee):
    contact = ContactFactory(responsible=employee, email="olena@example.com")
    PhoneFactory(contact=contact, number="+380501234567")
    return contact


def send(client, obj_url, channel, data, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(f"{obj_url}send_{channel}/", data, format="json", **headers)


def contact_url(contact):
    return reverse("contacts:contact-detail", args=[contact.pk])


def test_email_goes_through_the_email_backend_and_is_kept_as_a_letter(api, employee, customer):
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": "Your order", "body": "Shipped"})
    assert response.status_code == 200, response.data
    assert response.data["sent"] == 1 and response.data["failed"] == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olena@example.com"]
    assert mail.outbox[0].reply_to == [employee.email]
    letter = Letter.objects.get(contact=customer)
    assert (letter.subject, letter.direction) == ("Your order", "outgoing")
    assert Activity.objects.filter(verb="email_sent", target_id=customer.pk).exists()


def test_an_email_the_server_refuses_is_reported_and_recorded(api, employee, customer, settings):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": "Hi", "body": "..."})
    assert response.status_code == 200
    assert response.data["failed"] == 1
    assert response.data["results"][0]["status"] == "failed"
    assert not Letter.objects.exists()
    assert ContactActivity.objects.get(contact=customer, type="email").delivery_status.startswith("failed")


def test_sms_through_locmem_is_recorded_as_contact_activity(api, employee, customer):
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Your parcel is on its way"})
    assert response.status_code == 200, response.data
    assert sms.outbox == [sms.SmsMessage("380501234567", "Your parcel is on its way")]
    row = response.data["results"][0]
    assert (row["recipient"], row["status"]) == ("+380501234567", "sent")
    activity = ContactActivity.objects.get(contact=customer, type="sms")
    assert activity.provider_message_id == row["message_id"]
    assert activity.responsible == employee


def test_a_refused_recipient_is_reported_beside_the_accepted_one(api, employee, customer):
    PhoneFactory(contact=customer, number="+380671112233")
    sms.LocmemBackend.refused = {"380671112233"}
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"})
    assert (response.data["sent"], response.data["failed"]) == (1, 1)
    statuses = dict(ContactActivity.objects.filter(type="sms").values_list("name", "delivery_status"))
    assert statuses["SMS to +380671112233 not sent"] == "NOT_ALLOWED_NUMBER_STOPLIST"


def test_the_same_idempotency_key_sends_once(api, employee, customer):
    client = api.as_user(employee)
    first = send(client, contact_url(customer), "sms", {"text": "Once"}, key="k-1")
    again = send(client, contact_url(customer), "sms", {"text": "Once"}, key="k-1")
    assert first.status_code == again.status_code == 200
    assert first.data == again.data
    assert len(sms.outbox) == 1
    assert ContactActivity.objects.filter(type="sms").count() == 1
    assert send(client, contact_url(customer), "sms", {"text": "Once"}, key="k-2").status_code == 200
    assert len(sms.outbox) == 2
    assert send(client, contact_url(customer), "email", {"subject": "a", "body": "b"}, key="k-1").status_code == 409
    assert len(mail.outbox) == 0
    email_first = send(client, contact_url(customer), "email", {"subject": "a", "body": "b"}, key="e-1")
    email_again = send(client, contact_url(customer), "email", {"subject": "a", "body": "b"}, key="e-1")
    assert email_first.data == email_again.data
    assert len(mail.outbox) == 1


def test_a_refused_request_does_not_use_up_its_key(api, employee, customer):
    client = api.as_user(employee)
    assert send(client, contact_url(customer), "sms", {"text": ""}, key="k").status_code == 400
    assert send(client, contact_url(customer), "sms", {"text": "Now"}, key="k").status_code == 200
    assert len(sms.outbox) == 1


@pytest.mark.parametrize(
    "data",
    [{}, {"text": "x", "phones": ["not a phone"]}, {"text": "x", "phones": ["+380931110000"]}, {"text": "x" * 1001}],
)
def test_bad_sms_requests_are_400_and_send_nothing(api, employee, customer, data):
    assert send(api.as_user(employee), contact_url(customer), "sms", data).status_code == 400
    assert sms.outbox == [] and not ContactActivity.objects.exists()


def test_a_contact_without_email_or_phone_is_400(api, employee):
    contact = ContactFactory(responsible=employee, email="")
    client = api.as_user(employee)
    assert send(client, contact_url(contact), "email", {"subject": "a", "body": "b"}).status_code == 400
    assert send(client, contact_url(contact), "sms", {"text": "a"}).status_code == 400


def test_only_admins_and_the_responsible_user_write_to_a_contact(api, customer):
    outsider = UserFactory()
    response = send(api.as_user(outsider), contact_url(customer), "sms", {"text": "Hi"})
    assert response.status_code == 403
    assert sms.outbox == []


def test_from_a_company_to_its_contact_person(api, employee, customer):
    company = CompanyFactory(contact_person=customer, responsible=employee)
    url = reverse("companies:company-detail", args=[company.pk])
    assert send(api.as_user(employee), url, "sms", {"text": "Invoice"}).status_code == 200
    assert ContactActivity.objects.filter(contact=customer, type="sms").exists()
    nobody = CompanyFactory(responsible=employee)
    assert (
        send(
            api.as_user(employee), reverse("companies:company-detail", args=[nobody.pk]), "sms", {"text": "x"}
        ).status_code
        == 400
    )


def test_from_a_deal_to_its_contact_and_not_from_a_colleagues_deal(api, employee, customer):
    deal = DealFactory(contact=customer, responsible=employee)
    client = api.as_user(employee)
    response = send(client, reverse("deals:deal-detail", args=[deal.pk]), "email", {"subject": "Deal", "body": "x"})
    assert response.status_code == 200
    assert mail.outbox[0].to == [customer.email]
    hidden = DealFactory(contact=customer, responsible=UserFactory())
    assert (
        send(client, reverse("deals:deal-detail", args=[hidden.pk]), "email", {"subject": "a", "body": "b"}).status_code
        == 404
    )
    assert len(mail.outbox) == 1


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a loopback fake; `smtp(after_data=..., refuse_rcpt=...)` starts one."""
    servers = []

    def start(**faults):
        server = FakeSmtp(**faults)
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 1
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        return server

    yield start
    for server in servers:
        server.close()


def test_an_email_through_smtp_is_sent(api, employee, customer, smtp):
    server = smtp()
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": "Hi", "body": "Hello"})
    assert (response.data["sent"], response.data["failed"], response.data["unknown"]) == (1, 0, 0)
    assert len(server.letters) == 1 and Letter.objects.count() == 1


def test_an_email_whose_answer_is_lost_is_unknown_not_failed(api, employee, customer, smtp):
    """The server read the letter and its answer never came: it may be on its way. Not a failure to retry."""
    server = smtp(after_data="stall")
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": "Hi", "body": "Hello"})
    assert response.status_code == 200, response.data
    assert (response.data["sent"], response.data["failed"], response.data["unknown"]) == (0, 0, 1)
    assert response.data["results"][0]["status"] == "unknown"
    assert len(server.letters) == 1
    assert not Letter.objects.exists()
    assert ContactActivity.objects.get(contact=customer, type="email").delivery_status.startswith("unknown")


@pytest.mark.parametrize("faults", [{"refuse_rcpt": True}, {"after_data": "refuse"}])
def test_an_email_the_server_answers_no_to_is_failed(api, employee, customer, smtp, faults):
    smtp(**faults)
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": "Hi", "body": "Hello"})
    assert (response.data["sent"], response.data["failed"], response.data["unknown"]) == (0, 1, 0)
    assert response.data["results"][0]["status"] == "failed"


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: everyone@example.com", "Hi\nthere", "Hi\rthere", "Hi\u2028there"])
def test_a_line_break_in_the_subject_is_400_and_sends_nothing(api, employee, customer, subject):
    response = send(api.as_user(employee), contact_url(customer), "email", {"subject": subject, "body": "x"})
    assert response.status_code == 400, response.data
    assert "subject" in response.data
    assert mail.outbox == [] and not ContactActivity.objects.exists() and not Letter.objects.exists()


def test_a_line_break_in_the_subject_is_refused_by_the_service_too(employee, customer):
    from django.core.exceptions import ValidationError

    from contacts.messaging import contact_send_email

    with pytest.raises(ValidationError) as refused:
        contact_send_email(contact=customer, actor=employee, subject="a\nBcc: x@example.com", body="x")
    assert "subject" in refused.value.message_dict
    assert mail.outbox == []


def test_a_refused_subject_does_not_use_up_its_key(api, employee, customer):
    client = api.as_user(employee)
    assert send(client, contact_url(customer), "email", {"subject": "a\nb", "body": "x"}, key="k1").status_code == 400
    assert not SendReceipt.objects.exists()
    assert send(client, contact_url(customer), "email", {"subject": "ab", "body": "x"}, key="k1").status_code == 200


# TurboSMS over its HTTP API, against a loopback fake answering with the samples


@pytest.fixture
def turbosms(settings, httpserver):
    settings.SMS_BACKEND = "turbosms"
    settings.SMS_TURBOSMS_URL = httpserver.url_for("/")
    settings.SMS_TURBOSMS_TOKEN = TOKEN
    settings.SMS_TIMEOUT = 3
    return httpserver


def turbosms_answer(stop_listed=()):
    """The sample answer, with one row per recipient; stop-listed numbers get TurboSMS' 404 code and no id."""

    def handler(request):
        body = request.get_json()
        expected = sample("turbosms_send.request.json")
        assert set(body) == set(expected) and set(body["sms"]) == set(expected["sms"])
        answer = sample("turbosms_send.response.json")
        template = answer["response_result"][0]
        rows = []
        for n, phone in enumerate(body["recipients"]):
            if phone in stop_listed:
                rows.append(
                    {
                        "phone": phone,
                        "response_code": 404,
                        "message_id": None,
                        "response_status": "NOT_ALLOWED_NUMBER_STOPLIST",
                    }
                )
            else:
                rows.append({**template, "phone": phone, "message_id": template["message_id"][:-1] + str(n + 1)})
        answer["response_result"] = rows
        return Response(json.dumps(answer), content_type="application/json")

    return handler


def test_turbosms_accepts_with_a_message_id(api, employee, customer, turbosms):
    turbosms.expect_oneshot_request(
        "/message/send.json", method="POST", headers={"Authorization": f"Bearer {TOKEN}"}
    ).respond_with_handler(turbosms_answer())
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Ваше замовлення відправлено"})
    assert response.status_code == 200, response.data
    assert response.data["results"][0]["message_id"] == "aaaaaaaa-0000-0000-0000-000000000001"
    body = json.loads(turbosms.log[0][0].data)
    assert body == {"recipients": ["380501234567"], "sms": {"sender": "Shop", "text": "Ваше замовлення відправлено"}}
    activity = ContactActivity.objects.get(type="sms")
    assert (activity.provider_message_id, activity.delivery_status) == ("aaaaaaaa-0000-0000-0000-000000000001", "OK")


def test_turbosms_stop_listed_recipient_is_reported(api, employee, customer, turbosms):
    PhoneFactory(contact=customer, number="+380671112233")
    turbosms.expect_oneshot_request("/message/send.json").respond_with_handler(turbosms_answer({"380671112233"}))
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"})
    by_number = {row["recipient"]: row for row in response.data["results"]}
    assert by_number["+380501234567"]["status"] == "sent"
    assert by_number["+380671112233"]["status"] == "failed"
    assert by_number["+380671112233"]["error"] == "NOT_ALLOWED_NUMBER_STOPLIST"
    assert ContactActivity.objects.filter(delivery_status="NOT_ALLOWED_NUMBER_STOPLIST").count() == 1


def test_turbosms_down_is_reported_and_recorded(api, employee, customer, turbosms):
    turbosms.expect_oneshot_request("/message/send.json").respond_with_data("Service unavailable", status=503)
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"})
    assert response.status_code == 200
    assert (response.data["sent"], response.data["failed"]) == (0, 1)
    assert ContactActivity.objects.get(type="sms").delivery_status == "HTTP_503"
    assert Activity.objects.filter(verb="sms_failed").exists()


def test_turbosms_top_level_error_fails_every_recipient(api, employee, customer, turbosms):
    turbosms.expect_oneshot_request("/message/send.json").respond_with_json(
        sample("turbosms_error.response.CONSTRUCTED.json")
    )
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"})
    assert response.data["failed"] == 1
    assert ContactActivity.objects.get(type="sms").delivery_status == "REQUIRED_AUTH"


def test_turbosms_unreachable_is_a_failed_result(customer, settings):
    from contacts.turbosms import TurboSmsBackend

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_TIMEOUT = 2
    results = TurboSmsBackend(base_url=f"http://127.0.0.1:{port}", token=TOKEN, sender="Shop").send(
        recipients=["380501234567"], text="x"
    )
    assert [(r.accepted, r.status) for r in results] == [(False, "UNREACHABLE")]
    assert [(r.outcome, r.retryable) for r in results] == [("failed", True)], "it never left: safe to try again"


def slow(seconds):
    def handler(request):
        time.sleep(seconds)
        return Response(json.dumps(sample("turbosms_send.response.json")), content_type="application/json")

    return handler


def test_turbosms_slower_than_the_timeout_is_unknown_and_not_sent_again(api, employee, customer, turbosms, settings):
    """The request left: the SMS may be on its way. It is recorded as unknown and the answer says so."""
    settings.SMS_TIMEOUT = 0.5
    turbosms.expect_request("/message/send.json").respond_with_handler(slow(1.5))
    response = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"}, key="k")
    assert response.status_code == 200, response.data
    assert (response.data["sent"], response.data["failed"], response.data["unknown"]) == (0, 0, 1)
    assert response.data["results"][0]["status"] == "unknown"
    assert ContactActivity.objects.get(type="sms").delivery_status == "unknown: TIMEOUT"
    assert Activity.objects.filter(verb="sms_unknown").exists()
    # A retry of the request with its key gets the same answer and sends nothing.
    again = send(api.as_user(employee), contact_url(customer), "sms", {"text": "Sale"}, key="k")
    assert again.data == response.data
    deadline = time.monotonic() + 5
    while not turbosms.log and time.monotonic() < deadline:  # the fake is still sleeping over its answer
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(turbosms.log) == 1


@pytest.mark.parametrize(
    ("status", "outcome", "retryable"),
    [
        (502, "unknown", False),
        (504, "unknown", False),
        (500, "unknown", False),
        (503, "failed", True),
        (429, "failed", True),
        (401, "failed", False),
    ],
)
def test_turbosms_http_errors(turbosms, status, outcome, retryable):
    from contacts.turbosms import TurboSmsBackend

    turbosms.expect_request("/message/send.json").respond_with_data("x", status=status)
    [result] = TurboSmsBackend().send(recipients=["380501234567"], text="x")
    assert (result.outcome, result.retryable, result.status) == (outcome, retryable, f"HTTP_{status}")


def test_turbosms_answer_it_cannot_read_is_unknown(turbosms):
    from contacts.turbosms import TurboSmsBackend

    turbosms.expect_request("/message/send.json").respond_with_data("<html>OK</html>", status=200)
    [result] = TurboSmsBackend().send(recipients=["380501234567"], text="x")
    assert (result.outcome, result.retryable) == ("unknown", False)


def test_turbosms_connection_dropped_after_the_request_is_unknown():
    """The fake reads the whole request and hangs up without answering."""
    from contacts.turbosms import TurboSmsBackend

    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        connection, _ = listener.accept()
        with connection:
            connection.settimeout(5)
            received = b""
            while not received.endswith(b"}"):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        port = listener.getsockname()[1]
        [result] = TurboSmsBackend(base_url=f"http://127.0.0.1:{port}", token=TOKEN, sender="Shop").send(
            recipients=["380501234567"], text="x"
        )
    finally:
        thread.join(timeout=5)
        listener.close()
    assert (result.outcome, result.retryable) == ("unknown", False)
