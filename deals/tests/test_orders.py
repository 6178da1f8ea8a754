import json

import pytest
from django.urls import reverse
from pytest_httpserver import HTTPServer
from werkzeug import Response

from deals.models import Deal, Order, SendStatus
from deals.tests.factories import DealFactory, ProductFactory
from deals.tests.fake_shop import PASSWORD, USERNAME, FakeShop, ensure_default_pipeline, woocommerce_order
from deals.tests.test_sync import run
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("deals:order-list")


@pytest.fixture
def server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def woocommerce(settings, server):
    ensure_default_pipeline()
    settings.SHOP_BACKEND = "woocommerce"
    settings.SHOP_URL = server.url_for("/")
    settings.SHOP_USERNAME, settings.SHOP_PASSWORD = USERNAME, PASSWORD
    settings.SHOP_TIMEOUT_SECONDS = 0.5
    settings.SHOP_BACKOFF_SECONDS = 0.01
    settings.SHOP_RETRIES = 2
    settings.SHOP_PAGE_SIZE = 2
    return server


class FakeWooOrders:
    """POST /orders: answers with `failures` first, then creates the order under a new id."""

    def __init__(self, server):
        self.created: list[dict] = []
        self.failures: list[int] = []
        server.expect_request("/wp-json/wc/v3/orders", method="POST").respond_with_handler(self.handle)

    def handle(self, request):
        if self.failures:
            return Response(json.dumps({"code": "internal", "message": "down"}), status=self.failures.pop(0))
        body = request.get_json()
        order = woocommerce_order(len(self.created) + 500)
        order["status"] = body["status"]
        order["billing"].update(body["billing"])
        order["line_items"] = [
            {**item, "id": n, "price": float(item["total"]) / item["quantity"]}
            for n, item in enumerate(body["line_items"])
        ]
        self.created.append(order)
        return Response(json.dumps(order), status=201, mimetype="application/json")


def payload(deal, product):
    return {
        "deal": deal.pk,
        "payment_method": "Card",
        "delivery_method": "Nova Poshta",
        "items": [
            {"product": product.pk, "quantity": 2, "price": "10.00"},
            {"name": "Gift wrap", "quantity": 1, "price": "0"},
        ],
    }


def test_a_crm_order_reaches_the_shop_and_the_next_sync_updates_it(api, employee, woocommerce):
    fake = FakeWooOrders(woocommerce)
    deal = DealFactory(responsible=employee)
    product = ProductFactory(sku="SKU-0-0")

    response = api.as_user(employee).post(ORDERS, payload(deal, product), format="json")

    assert response.status_code == 201, response.data
    assert response.data["send_status"] == SendStatus.SENT
    assert response.data["shop_order_id"] == "1500"
    assert response.data["amount"] == "20.00" and len(response.data["items"]) == 2
    assert fake.created[0]["line_items"][0]["sku"] == "SKU-0-0"
    deal.refresh_from_db()
    assert deal.shop_order_id == "1500"
    # the shop lists it back: the sync updates the same order and deal
    FakeShop(woocommerce, "woocommerce", fake.created)
    output = run()
    assert "created 0, updated 1" in output
    assert Order.objects.count() == 1 and Deal.objects.count() == 1
    order = Order.objects.get()
    assert (order.send_status, order.deal_id, order.created_by) == (SendStatus.SENT, deal.pk, employee)


def test_a_shop_failure_leaves_the_order_not_sent_and_a_retry_sends_it_once(api, employee, woocommerce):
    fake = FakeWooOrders(woocommerce)
    fake.failures = [500]
    deal = DealFactory(responsible=employee)
    client = api.as_user(employee)

    response = client.post(ORDERS, payload(deal, ProductFactory()), format="json")

    assert response.status_code == 201
    assert response.data["send_status"] == SendStatus.NOT_SENT
    assert "500" in response.data["send_error"]
    assert fake.created == []  # a POST is never retried on its own: it could create the order twice
    send = reverse("deals:order-send", args=[response.data["id"]])
    retried = client.post(send)
    assert retried.status_code == 200
    assert retried.data["send_status"] == SendStatus.SENT and retried.data["send_error"] == ""
    assert client.post(send).status_code == 409
    assert len(fake.created) == 1


def test_without_a_shop_that_takes_orders_the_order_stays_local(api, employee, settings):
    settings.SHOP_BACKEND, settings.SHOP_URL = "rest", "http://127.0.0.1:9/"
    deal = DealFactory(responsible=employee)

    response = api.as_user(employee).post(ORDERS, payload(deal, ProductFactory()), format="json")

    assert response.status_code == 201
    assert response.data["send_status"] == SendStatus.LOCAL
    assert api.as_user(employee).post(reverse("deals:order-send", args=[response.data["id"]])).status_code == 409


def test_only_who_may_change_the_deal_makes_or_sends_its_orders(api, employee, woocommerce):
    FakeWooOrders(woocommerce).failures = [500]
    outsider = UserFactory()
    deal = DealFactory(responsible=employee)
    product = ProductFactory()

    response = api.as_user(outsider).post(ORDERS, payload(deal, product), format="json")
    assert response.status_code == 400 and "deal" in response.data
    assert not Order.objects.exists()

    order_id = api.as_user(employee).post(ORDERS, payload(deal, product), format="json").data["id"]
    assert api.as_user(outsider).post(reverse("deals:order-send", args=[order_id])).status_code == 404


@pytest.mark.parametrize(
    "change",
    [
        {"items": []},
        {"items": [{"quantity": 1, "price": "1"}]},
        {"items": [{"name": "x", "quantity": 0, "price": "1"}]},
        {"items": [{"name": "x", "quantity": 1, "price": "-1"}]},
        {"items": [{"product": 999999, "quantity": 1, "price": "1"}]},
        {"deal": "abc"},
        {"items": "nope"},
        {"items": [{"name": "x", "quantity": "２", "price": "1"}]},  # digits that are not ASCII
        {"items": [{"name": "x", "quantity": 1, "price": "１"}]},
    ],
)
def test_bad_orders_are_400_and_store_nothing(api, employee, settings, change):
    settings.SHOP_BACKEND = "rest"
    deal = DealFactory(responsible=employee)
    body = {**payload(deal, ProductFactory()), **change}
    assert api.as_user(employee).post(ORDERS, body, format="json").status_code == 400
    assert not Order.objects.exists()
