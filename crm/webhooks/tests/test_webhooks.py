"""Outbound webhooks: who registers them, what is queued and when, what is sent, signed, retried and logged."""

import base64
import os
import re
import signal
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from werkzeug import Response

from contacts import services as contact_services
from crm.webhooks import addresses, services
from crm.webhooks import delivery as worker
from crm.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint
from deals import services as deal_services
from deals.tests.factories import DealFactory
from notifications.models import Notification
from users.models import Role

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhooks.md"


def receiver_example():
    """The receiver's verification code of docs/webhooks.md, run as written."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    namespace = {}
    exec(code, namespace)
    return namespace["verify"]


@pytest.fixture
def endpoint(insecure, httpserver, owner):
    return services.endpoint_create(actor=owner, url=httpserver.url_for("/hook"), events=["contact.created"])


def _drain():
    return worker.run_once()


def test_an_employee_can_neither_register_nor_see_endpoints(api, employee, manager, endpoint):
    for user in (employee, manager):
        client = api.as_user(user)
        assert (
            client.post("/api/webhooks/", {"url": "https://example.com/", "events": ["contact.created"]}).status_code
            == 403
        )
        assert client.get("/api/webhooks/").status_code == 403
        assert client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").status_code == 403


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(api, admin_user, insecure, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14"])
    client = api.as_user(admin_user)
    response = client.post(
        "/api/webhooks/", {"url": "https://example.com/hook", "events": ["contact.created", "deal.won"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["secret"].startswith("whsec_")
    assert len(base64.b64decode(response.json()["secret"].removeprefix("whsec_"))) == 32
    detail = client.get(f"/api/webhooks/{response.json()['id']}/").json()
    assert "secret" not in detail
    assert (
        client.post("/api/webhooks/", {"url": "https://example.com/", "events": ["nope"]}, format="json").status_code
        == 400
    )


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.1.2.3", "192.168.0.5", "169.254.169.254", "::1", "fe80::1", "::ffff:10.1.2.3"]
)
def test_a_private_address_is_refused_at_registration(api, owner, settings, monkeypatch, address):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = False
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14", address])
    response = api.as_user(owner).post(
        "/api/webhooks/", {"url": "https://hooks.example.com/", "events": ["contact.created"]}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    assert not Endpoint.objects.exists()


def test_http_is_refused_unless_insecure_urls_are_allowed(api, owner, settings):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = False
    response = api.as_user(owner).post(
        "/api/webhooks/", {"url": "http://example.com/", "events": ["contact.created"]}, format="json"
    )
    assert response.status_code == 400


def test_a_private_address_is_refused_at_delivery(endpoint, owner, settings, httpserver):
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = False  # the URL (loopback) is no longer allowed
    summary = _drain()
    assert summary.retrying == 1
    attempt = Attempt.objects.get()
    assert attempt.result == "refused" and "https" in attempt.error
    assert not httpserver.log


def test_a_signed_delivery_reaches_a_real_receiver_that_verifies_it(endpoint, owner, httpserver):
    verify = receiver_example()
    received = []

    def handler(request):
        received.append(verify(endpoint.secret, dict(request.headers), request.get_data()))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    contact = contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    summary = _drain()
    assert summary.delivered == 1
    body = received[0]
    assert body["type"] == "contact.created"
    assert body["data"]["id"] == contact.pk and body["data"]["last_name"] == "Lee"
    delivery = Delivery.objects.get()
    assert body["id"] == delivery.message_id and delivery.status == DeliveryStatus.DELIVERED
    assert list(delivery.log.values_list("number", "result", "response_code")) == [(1, "succeeded", 200)]
    with pytest.raises(ValueError):
        verify(
            endpoint.secret,
            {**dict(httpserver.log[0][0].headers), "webhook-id": "msg_other"},
            httpserver.log[0][0].get_data(),
        )


def test_retries_after_a_500_and_a_timeout_keep_one_delivery_id(endpoint, owner, httpserver):
    seen_ids = []
    answers = iter(["500", "slow", "ok"])

    def handler(request):
        seen_ids.append(request.headers["webhook-id"])
        answer = next(answers)
        if answer == "500":
            return Response("boom", status=500)
        if answer == "slow":
            import time

            time.sleep(1.5)
        return Response("ok")

    httpserver.expect_request("/hook").respond_with_handler(handler)
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    assert _drain().retrying == 1
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)
    for _round in range(2):
        Delivery.objects.update(next_attempt_at=timezone.now())
        _drain()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert [row.result for row in delivery.log.all()] == ["failed", "failed", "succeeded"]
    assert [row.response_code for row in delivery.log.all()] == [500, None, 200]
    assert "seconds" in delivery.log.all()[1].error
    assert len(seen_ids) == 3 and len(set(seen_ids)) == 1 == Delivery.objects.count()


def test_a_row_left_by_a_killed_worker_is_sent_on_the_next_run(endpoint, owner, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    assert len(worker.claim(limit=10)) == 1  # claimed, then the process died
    assert _drain().delivered == 0  # leased: not claimed twice
    Delivery.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _drain().delivered == 1
    assert len(httpserver.log) == 1


def test_a_rolled_back_change_queues_nothing(endpoint, owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
        assert Delivery.objects.count() == 1
        raise RuntimeError
    assert not Delivery.objects.exists()


def test_an_unsubscribed_event_queues_nothing(endpoint, owner):
    contact = contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    contact_services.contact_update(contact=contact, actor=owner, data={"first_name": "Anna"})
    assert list(Delivery.objects.values_list("event", flat=True)) == ["contact.created"]


def test_a_record_the_owner_may_no_longer_see_is_not_sent(insecure, httpserver, admin_user, manager):
    endpoint = services.endpoint_create(actor=admin_user, url=httpserver.url_for("/hook"), events=["deal.won"])
    deal = DealFactory(responsible=manager, created_by=manager)
    deal_services.deal_win(deal=deal, actor=manager)
    assert Delivery.objects.filter(endpoint=endpoint).count() == 1
    admin_user.role = Role.EMPLOYEE  # demoted before the worker ran: the deal is a colleague's
    admin_user.save(update_fields=["role"])
    summary = _drain()
    assert summary.skipped == 1 and summary.delivered == 0
    assert not httpserver.log
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED


def test_deal_events_come_from_the_activity_log(endpoint, owner, httpserver):
    services.endpoint_update(endpoint=endpoint, actor=owner, data={"events": ["deal.stage_changed", "deal.won"]})
    deal = DealFactory(responsible=owner)
    second = deal.pipeline.stages.order_by("position")[1]
    deal_services.deal_move(deal=deal, actor=owner, stage=second)
    deal_services.deal_win(deal=deal, actor=owner)
    assert sorted(Delivery.objects.values_list("event", flat=True)) == ["deal.stage_changed", "deal.won"]


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(endpoint, owner, httpserver, settings):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 2
    httpserver.expect_request("/hook").respond_with_data("no", status=503)
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    _drain()
    Delivery.objects.update(next_attempt_at=timezone.now())
    summary = _drain()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and summary.disabled == [endpoint.url]
    assert Notification.objects.get(recipient=owner).kind == "webhook_disabled"
    contact_services.contact_create(actor=owner, data={"first_name": "Bo", "last_name": "Lee"})
    assert Delivery.objects.count() == 1  # a disabled endpoint gets nothing more


def test_a_delivery_failing_for_a_day_is_given_up(endpoint, owner, httpserver):
    httpserver.expect_request("/hook").respond_with_data("no", status=500)
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    Delivery.objects.update(queued_at=timezone.now() - timedelta(hours=24))
    assert _drain().failed == 1
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_the_log_and_send_again(api, endpoint, owner, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    _drain()
    client = api.as_user(owner)
    log = client.get(f"/api/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert [row["status"] for row in log] == ["delivered"] and log[0]["log"][0]["response_code"] == 200
    delivery_id, message_id = log[0]["id"], log[0]["message_id"]
    response = client.post(f"/api/webhooks/{endpoint.pk}/deliveries/{delivery_id}/redeliver/")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    _drain()
    assert [entry[0].headers["webhook-id"] for entry in httpserver.log] == [message_id, message_id]
    assert Delivery.objects.get().attempts == 2
    other = services.endpoint_create(actor=owner, url=httpserver.url_for("/other"), events=["contact.created"])
    assert client.post(f"/api/webhooks/{other.pk}/deliveries/{delivery_id}/redeliver/").status_code == 404


def test_the_command_drains_once_and_prints_a_summary(endpoint, owner, httpserver, capsys):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    call_command("deliver_webhooks", "--once")
    assert "1 delivered" in capsys.readouterr().out


def test_a_deletion_sends_the_records_id(endpoint, owner, httpserver):
    services.endpoint_update(endpoint=endpoint, actor=owner, data={"events": ["contact.deleted"]})
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact = contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    contact_services.contact_delete(contact=contact, actor=owner)
    assert _drain().delivered == 1
    body = httpserver.log[0][0].get_json()
    assert body["type"] == "contact.deleted" and body["data"] == {"id": contact.pk}


def test_the_retry_schedule_grows_to_four_hours_and_spans_about_a_day():
    waits = [worker.retry_delay(tries).total_seconds() for tries in range(1, 16)]
    assert 30 <= waits[0] <= 60 and 60 <= waits[1] <= 90
    assert max(waits) <= 4 * 3600
    assert 20 * 3600 < sum(waits[:14]) < 30 * 3600


def test_the_looping_command_stops_on_sigterm(endpoint, owner, httpserver, capsys):
    httpserver.expect_request("/hook").respond_with_data("ok")
    contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        call_command("deliver_webhooks", "--sleep", "0.2")
    finally:
        timer.cancel()
    assert "Stopped. In all: 1 delivered" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) is not None


def test_a_change_while_the_cache_is_away_still_queues_its_event(endpoint, owner):
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    with override_settings(CACHES=dead):
        contact_services.contact_create(actor=owner, data={"first_name": "Ann", "last_name": "Lee"})
    assert list(Delivery.objects.values_list("event", flat=True)) == ["contact.created"]
