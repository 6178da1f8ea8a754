"""`order.paid` and `call.ended`: queued by the bulk writers themselves (the shop sync and its webhook, the
telephony listener, webhook and backfill), in the write's transaction, once a record reaches the state, a page
of events in one INSERT; sent as the API's detail shows the record to the endpoint's owner, if they may see it."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call
from calls.serializers import CallSerializer
from calls.sync import handle_events
from calls.tests import samples as call_samples
from calls.tests.fakes import API_KEY, API_SECRET, FakeRest
from crm.webhooks import delivery as worker
from crm.webhooks import events, outbox, services
from crm.webhooks.models import Delivery, DeliveryStatus, Endpoint
from crm.webhooks.serializers import EndpointSerializer
from deals.models import Order
from deals.serializers import OrderSerializer
from deals.shop import Page, parse_rest_order
from deals.sync import OrderImport
from deals.tests.fake_shop import ensure_default_pipeline, rest_order, woocommerce_order
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OUTBOX_INSERT = 'INSERT INTO "webhooks_delivery"'


LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)  # before every order and call of the samples


@pytest.fixture
def subscribe(insecure, httpserver, owner):
    """Register an endpoint, by default as if long ago: the samples' orders and calls are news to it."""

    def subscribe(*names, actor=owner, path="/hook", registered_at=LONG_AGO):
        endpoint = services.endpoint_create(actor=actor, url=httpserver.url_for(path), events=list(names))
        if registered_at is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(created_at=registered_at)
            outbox.forget_subscriptions()
        return endpoint

    return subscribe


@pytest.fixture
def shop(db):
    ensure_default_pipeline()


def import_orders(*records) -> None:
    OrderImport(backend="rest", parse=parse_rest_order).import_page(Page(list(records)))


def queued(event: str) -> list[str]:
    return sorted(Delivery.objects.filter(event=event).values_list("target_id", flat=True))


def order_pk(shop_order_id: str) -> str:
    return str(Order.objects.get(shop_order_id=shop_order_id).pk)


def test_both_events_may_be_subscribed_to_and_are_in_the_schema(api, owner):
    assert {"order.paid", "call.ended"} <= set(events.EVENTS)
    assert {"order.paid", "call.ended"} <= set(EndpointSerializer().fields["events"].child.choices)
    for label in events.WRITTEN_IN_BULK.values():
        assert events.kind(label).serializer in (OrderSerializer, CallSerializer)
    schema = api.as_user(owner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    choices = json.dumps(schema["components"]["schemas"])
    assert '"order.paid"' in choices and '"call.ended"' in choices


# order.paid


def test_an_order_becoming_paid_queues_order_paid_once(shop, subscribe):
    subscribe("order.paid")
    first, second = rest_order(1, status="new"), rest_order(2, status="paid")
    import_orders(first, second)
    assert queued("order.paid") == [order_pk("1002")]  # a new order that is paid already

    import_orders(first, second)  # a re-run: unchanged, nothing written
    assert Delivery.objects.count() == 1

    import_orders({**first, "status": "paid", "modified": "2024-03-01T00:00:00+00:00"})
    assert queued("order.paid") == sorted([order_pk("1001"), order_pk("1002")])

    # paid to paid (shipped), paid to refunded, and the same again: nothing more
    import_orders(
        {**first, "status": "shipped", "modified": "2024-03-02T00:00:00+00:00"},
        {**second, "status": "refunded", "modified": "2024-03-02T00:00:00+00:00"},
    )
    import_orders({**first, "status": "delivered", "modified": "2024-03-03T00:00:00+00:00"})
    assert Delivery.objects.count() == 2
    occurred = Delivery.objects.get(target_id=order_pk("1001")).occurred_at
    assert occurred == datetime(2024, 3, 1, tzinfo=UTC)  # when the shop changed it; due now all the same
    assert Delivery.objects.get(target_id=order_pk("1001")).queued_at > datetime.now(UTC) - timedelta(minutes=1)


def test_a_shops_history_is_not_news_to_an_endpoint_registered_after_it(shop, subscribe):
    registered = datetime.now(UTC)
    subscribe("order.paid", registered_at=registered)
    subscribe("order.paid", path="/older")  # registered long ago: the same history is news to it
    within_grace = (registered - outbox.HISTORY_GRACE + timedelta(minutes=1)).isoformat()
    import_orders(
        rest_order(1, status="paid"),  # paid in 2024
        {**rest_order(2, status="paid"), "modified": (registered - timedelta(days=2)).isoformat()},
        {**rest_order(3, status="paid"), "modified": within_grace},  # the shop's clock a little behind
        {**rest_order(4, status="paid"), "modified": (registered + timedelta(minutes=5)).isoformat()},
    )
    recent = Delivery.objects.filter(endpoint__created_at=registered)
    assert sorted(recent.values_list("target_id", flat=True)) == sorted([order_pk("1003"), order_pk("1004")])
    assert Delivery.objects.exclude(endpoint__created_at=registered).count() == 4


def test_an_unpaid_order_and_an_unsubscribed_event_queue_nothing(shop, subscribe):
    subscribe("order.created", "call.ended")
    import_orders(rest_order(1, status="paid"), rest_order(2, status="new"))
    assert not Delivery.objects.exists()


def test_a_page_of_paid_orders_is_one_insert_for_every_endpoint(shop, subscribe, admin_user):
    subscribe("order.paid")
    subscribe("order.paid", actor=admin_user, path="/other")
    with CaptureQueriesContext(connection) as captured:
        import_orders(*[rest_order(n, status="paid") for n in range(10)])
    assert sum(query["sql"].startswith(OUTBOX_INSERT) for query in captured) == 1
    assert Delivery.objects.filter(event="order.paid").count() == 20


def test_with_no_endpoint_the_sync_reads_nothing_of_the_webhooks(shop):
    outbox.subscriptions()  # the subscriptions are cached, as after the first write of a process
    with CaptureQueriesContext(connection) as captured:
        import_orders(*[rest_order(n, status="paid") for n in range(10)])
    assert Order.objects.count() == 10
    assert not [query["sql"] for query in captured if "webhooks_" in query["sql"]]


def test_a_rolled_back_page_queues_nothing(shop, subscribe):
    subscribe("order.paid")
    with pytest.raises(RuntimeError), transaction.atomic():
        import_orders(rest_order(1, status="paid"), rest_order(2, status="paid"))
        assert Delivery.objects.count() == 2  # in the page's own transaction
        raise RuntimeError
    assert not Delivery.objects.exists() and not Order.objects.exists()


def test_the_shop_webhook_queues_order_paid_once(shop, subscribe, client, settings):
    settings.SHOP_WEBHOOK_SECRET = "secret"
    subscribe("order.paid")
    record = woocommerce_order(7, status="pending")

    def push(record):
        body = json.dumps(record).encode()
        signature = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
        headers = {"X-WC-Webhook-Topic": "order.updated", "X-WC-Webhook-Signature": signature}
        return client.post(reverse("deals:shop-webhook"), body, content_type="application/json", headers=headers)

    assert push(record).status_code == 200
    assert not Delivery.objects.exists()
    paid = {**record, "status": "processing", "date_modified_gmt": "2024-03-01T00:00:00"}
    assert push(paid).status_code == 200
    assert push(paid).json() == {"detail": "unchanged"}
    assert queued("order.paid") == [order_pk("1007")]


def test_a_paid_order_reaches_the_receiver_as_its_detail_shows_it(shop, subscribe, owner, httpserver):
    subscribe("order.paid")
    httpserver.expect_request("/hook").respond_with_data("ok")
    import_orders(rest_order(1, status="paid"))
    assert worker.run_once().delivered == 1
    body = httpserver.log[0][0].get_json()
    order = Order.objects.get()
    assert body["type"] == "order.paid"
    assert body["data"]["id"] == order.pk and body["data"]["shop_order_id"] == "1001"
    assert len(body["data"]["items"]) == 3
    expected = events.render("deals.Order", user=owner, pk=order.pk)
    assert body["data"] == json.loads(json.dumps(expected, default=str))


def test_a_paid_order_its_endpoints_owner_may_not_see_is_not_sent(shop, subscribe, httpserver):
    demoted = UserFactory(role=Role.ADMIN)
    subscribe("order.paid", actor=demoted)
    import_orders(rest_order(1, status="paid"))  # the deal has no responsible: only the owner and admins see it
    demoted.role = Role.MANAGER
    demoted.save(update_fields=["role"])
    summary = worker.run_once()
    assert summary.skipped == 1 and summary.delivered == 0
    assert not httpserver.log
    assert Delivery.objects.get().status == DeliveryStatus.SKIPPED


# call.ended


def call_events(call_id: str, number: str = "0501234567") -> list[dict]:
    return [
        call_samples.event("callStart", generalCallID=call_id, externalNumber=number, internalNumbers=["901"]),
        call_samples.event(
            "callAnswer", generalCallID=call_id, externalNumber=number, callType=0, internalNumber="901"
        ),
        call_samples.event("callStop", generalCallID=call_id, disposition="ANSWER"),
    ]


def call_pk(binotel_id: str) -> str:
    return str(Call.objects.get(binotel_id=binotel_id).pk)


def test_a_call_reaching_its_end_queues_call_ended_once(subscribe):
    subscribe("call.ended")
    start, answer, stop = call_events("5001")
    handle_events([start, answer])
    assert not Delivery.objects.exists()  # ringing, then talking
    handle_events([stop])
    assert queued("call.ended") == [call_pk("5001")]
    handle_events([stop, start, answer, stop])  # repeated and out of order
    handle_events(call_events("5002"))  # a whole call in one batch
    assert queued("call.ended") == sorted([call_pk("5001"), call_pk("5002")])


def test_a_batch_of_ended_calls_is_one_insert(subscribe):
    subscribe("call.ended")
    batch = [event for n in range(10) for event in call_events(f"b{n}", number=f"050{n:07d}")]
    with CaptureQueriesContext(connection) as captured:
        handle_events(batch)
    assert sum(query["sql"].startswith(OUTBOX_INSERT) for query in captured) == 1
    assert Delivery.objects.filter(event="call.ended").count() == 10


def test_with_no_endpoint_the_listener_reads_nothing_of_the_webhooks(db):
    outbox.subscriptions()
    with CaptureQueriesContext(connection) as captured:
        handle_events(call_events("5001"))
    assert Call.objects.get().is_finished
    assert not [query["sql"] for query in captured if "webhooks_" in query["sql"]]


def test_the_binotel_webhook_queues_call_ended_once_with_the_listener(subscribe, api):
    subscribe("call.ended")
    body = call_samples.text("webhook_apiCallCompleted.form-urlencoded.txt")
    url = reverse("calls:binotel-webhook")
    for _ in range(2):
        response = api.post(
            url, data=body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR="194.88.218.116"
        )
        assert response.status_code == 200
    handle_events([call_samples.event("callStop", generalCallID="4683310794", disposition="ANSWER")])
    assert queued("call.ended") == [call_pk("4683310794")]


def backfill(settings, httpserver, *, since: datetime, runs: int = 1) -> None:
    """sync_binotel_calls over five hours from `since` against a fake Binotel with calls 1-3 in them."""
    records = [
        call_samples.rest_record(generalCallID=str(n), callID=str(n), startTime=str(int(since.timestamp()) + 3600 * n))
        for n in range(1, 4)
    ]
    fake = FakeRest(httpserver, records)
    settings.BINOTEL_API_URL, settings.BINOTEL_API_KEY, settings.BINOTEL_API_SECRET = fake.base_url, API_KEY, API_SECRET
    for _run in range(runs):
        call_command(
            "sync_binotel_calls", "--since", since.isoformat(), "--until", (since + timedelta(hours=5)).isoformat()
        )


def test_the_backfill_queues_call_ended_once_and_a_rerun_nothing(subscribe, settings, httpserver):
    subscribe("call.ended")
    backfill(settings, httpserver, since=datetime(2023, 12, 8, tzinfo=UTC), runs=2)
    assert queued("call.ended") == sorted(call_pk(str(n)) for n in range(1, 4))
    # a call from last December is due now, with its day of retries ahead of it
    assert all(row.queued_at > datetime.now(UTC) - timedelta(minutes=1) for row in Delivery.objects.all())


def test_a_backfill_of_calls_before_the_endpoint_was_registered_queues_nothing(subscribe, settings, httpserver):
    subscribe("call.ended", registered_at=None)  # registered now
    backfill(settings, httpserver, since=datetime.now(UTC) - timedelta(days=3))
    assert Call.objects.count() == 3
    assert not Delivery.objects.exists()
    start, answer, stop = call_events("5001")
    handle_events([start, answer, {**stop, "stopTime": int(datetime.now(UTC).timestamp())}])  # ending now: news
    assert queued("call.ended") == [call_pk("5001")]


def test_an_ended_call_reaches_the_receiver_as_its_detail_shows_it(subscribe, owner, httpserver):
    subscribe("call.ended")
    httpserver.expect_request("/hook").respond_with_data("ok")
    handle_events(call_events("5001"))
    assert worker.run_once().delivered == 1
    body = httpserver.log[0][0].get_json()
    call = Call.objects.get()
    assert body["type"] == "call.ended" and body["data"]["binotel_id"] == "5001"
    assert body["data"]["disposition"] == "ANSWER" and body["data"]["id"] == call.pk
    assert body["data"] == json.loads(json.dumps(events.render("calls.Call", user=owner, pk=call.pk), default=str))


def test_a_colleagues_call_is_not_sent_to_an_endpoint_whose_owner_may_not_see_it(subscribe, httpserver):
    UserFactory(internal_number="901")  # takes the call
    demoted = UserFactory(role=Role.ADMIN)
    subscribe("call.ended", actor=demoted)
    handle_events(call_events("5001"))
    demoted.role = Role.EMPLOYEE
    demoted.save(update_fields=["role"])
    assert worker.run_once().skipped == 1
    assert not httpserver.log
