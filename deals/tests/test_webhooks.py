import base64
import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from contacts.models import Contact
from deals.models import Deal, Order, OrderItem
from deals.shop import Page, parse_woocommerce_order
from deals.sync import OrderImport
from deals.tests.fake_shop import ensure_default_pipeline, woocommerce_order
from deals.tests.test_sync import snapshot

pytestmark = pytest.mark.django_db

URL = reverse("deals:shop-webhook")
SECRET = "webhook-secret"


@pytest.fixture(autouse=True)
def secret(settings):
    ensure_default_pipeline()
    settings.SHOP_WEBHOOK_SECRET = SECRET


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def post(client, body: bytes, *, signature=None, topic="order.created"):
    headers = {"X-WC-Webhook-Topic": topic}
    if signature is not None:
        headers["X-WC-Webhook-Signature"] = signature
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_a_signed_order_is_upserted_exactly_as_the_sync_would(client):
    record = woocommerce_order(7)
    body = json.dumps(record).encode()

    response = post(client, body, signature=sign(body))

    assert response.status_code == 200 and response.json() == {"detail": "created"}
    from_webhook = snapshot()
    Order.objects.all().delete()
    Deal.objects.all().delete()
    Contact.objects.all().delete()
    OrderImport(backend="woocommerce", parse=parse_woocommerce_order).import_page(Page([record]))
    assert snapshot() == from_webhook
    assert OrderItem.objects.count() == 3


def test_an_update_and_a_repeat(client):
    record = woocommerce_order(7)
    body = json.dumps(record).encode()
    post(client, body, signature=sign(body))
    assert post(client, body, signature=sign(body)).json() == {"detail": "unchanged"}
    record["status"] = "completed"
    body = json.dumps(record).encode()

    response = post(client, body, signature=sign(body), topic="order.updated")

    assert response.json() == {"detail": "updated"}
    assert Deal.objects.get().status == "won"
    assert Order.objects.count() == 1


@pytest.mark.parametrize("how", ["tampered", "missing", "other secret"])
def test_a_bad_signature_is_401_and_writes_nothing(client, how):
    body = json.dumps(woocommerce_order(7)).encode()
    signature = {"tampered": sign(body), "missing": None, "other secret": sign(body, "guess")}[how]
    if how == "tampered":
        body = body.replace(b'"Name7"', b'"Mallory"')

    response = post(client, body, signature=signature)

    assert response.status_code == 401
    assert not Order.objects.exists() and not Contact.objects.exists()


def test_other_topics_and_pings_are_acknowledged_and_ignored(client):
    body = b"webhook_id=15"
    assert post(client, body, signature=sign(body), topic="").status_code == 200
    assert not Order.objects.exists()


def test_a_malformed_order_is_400_and_writes_nothing(client):
    for body in (b"{not json", json.dumps({"id": 5, "date_created": "never"}).encode()):
        assert post(client, body, signature=sign(body)).status_code == 400
    assert not Order.objects.exists() and not Contact.objects.exists()


def test_without_a_secret_the_webhook_is_off(client, settings):
    settings.SHOP_WEBHOOK_SECRET = ""
    body = json.dumps(woocommerce_order(7)).encode()
    assert post(client, body, signature=sign(body, "")).status_code == 404


def test_a_nul_character_is_dropped_and_the_order_stored(client):
    record = woocommerce_order(7)
    record["billing"]["first_name"] = "Ol\x00ena"
    record["line_items"][0]["name"] = "Tea\x00"
    body = json.dumps(record).encode()

    response = post(client, body, signature=sign(body))

    assert response.status_code == 200 and response.json() == {"detail": "created"}
    assert Contact.objects.get().first_name == "Olena"
    assert OrderItem.objects.filter(name="Tea").exists()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda record: record["line_items"][0].update(quantity=1000, price="9999999999.99"),  # the line total overflows
        lambda record: record["line_items"][0].update(quantity="many"),
        lambda record: record["line_items"][0].update(sku="S" * 65),
    ],
)
def test_an_order_the_database_cannot_hold_is_a_json_400_and_writes_nothing(client, spoil):
    record = woocommerce_order(7)
    spoil(record)
    body = json.dumps(record).encode()

    response = post(client, body, signature=sign(body))

    assert response.status_code == 400 and "1007" in response.json()["detail"]
    assert not Order.objects.exists() and not Deal.objects.exists()


@pytest.mark.parametrize("body", [b"[1, 2]", b'{"id": 1e400}', b"[" * 5000, b'"\\u0000"', b"{"])
def test_a_signed_body_that_is_not_an_order_object_is_400(client, body):
    response = post(client, body, signature=sign(body))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Order.objects.exists()
