"""Outbound webhooks: deliveries a second to a loopback receiver, and what the outbox adds to a write.

Not part of the suite:

    DATABASE_URL=postgres://... BENCH_WEBHOOKS=10000 pipenv run pytest bench/test_webhooks.py -s

1. The write: BENCH_WEBHOOK_WRITES contact updates through the service with no endpoint, then the same
   number with one endpoint subscribed to `contact.updated` (each queues one outbox row); the ratio of
   the two times, against a target of 1.2.
2. The worker: BENCH_WEBHOOKS contacts created with that endpoint subscribed to `contact.created`,
   then `delivery.run_once()` sends them all, signed, to a threaded loopback receiver.
"""

import os
import time

import pytest
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug import Response

from bench.machine import yardstick
from contacts import services as contact_services
from contacts.models import Contact
from crm.webhooks import delivery, services
from crm.webhooks.models import Delivery
from users.models import Role
from users.tests.factories import UserFactory

N = int(os.environ.get("BENCH_WEBHOOKS", "10000"))
WRITES = int(os.environ.get("BENCH_WEBHOOK_WRITES", "2000"))
TARGET_RATIO = 1.2

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_INSECURE_URLS = True
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.expect_request("/hook").respond_with_handler(lambda request: Response("ok"))
    server.start()
    yield server
    server.clear()
    server.stop()


def _updates(contact, count: int, actor) -> float:
    started = time.perf_counter()
    for number in range(count):
        contact_services.contact_update(contact=contact, actor=actor, data={"first_name": f"Name {number}"})
    return time.perf_counter() - started


def test_webhooks(receiver):
    owner = UserFactory(role=Role.OWNER)
    print()
    with connection.cursor() as cursor:
        print(yardstick(cursor))
    contact = contact_services.contact_create(actor=owner, data={"first_name": "A", "last_name": "B"})
    endpoint = services.endpoint_create(
        actor=owner, url=receiver.url_for("/hook"), events=["contact.updated", "contact.created"]
    )
    _updates(contact, 200, owner)  # warm up
    # blocks of 100 with the endpoint off and on in turn, so that the machine's moods fall on both alike
    plain = hooked = 0.0
    for _block in range(WRITES // 100):
        services.endpoint_update(endpoint=endpoint, actor=owner, data={"is_active": False})
        plain += _updates(contact, 100, owner)
        services.endpoint_update(endpoint=endpoint, actor=owner, data={"is_active": True})
        hooked += _updates(contact, 100, owner)
    assert Delivery.objects.count() == 200 + WRITES // 100 * 100
    Delivery.objects.all().delete()
    ratio = hooked / plain
    print(
        f"write: {WRITES} contact updates, {plain / (WRITES // 100 * 100) * 1000:.2f} ms each with no endpoint, "
        f"{hooked / (WRITES // 100 * 100) * 1000:.2f} ms with one subscribed: ratio {ratio:.2f} (target {TARGET_RATIO})"
    )

    started = time.perf_counter()
    for number in range(N):
        contact_services.contact_create(actor=owner, data={"first_name": "C", "last_name": f"{number}"})
    queued = time.perf_counter() - started
    assert Delivery.objects.count() == N
    started = time.perf_counter()
    summary = delivery.run_once(batch=200)
    sent = time.perf_counter() - started
    assert summary.delivered == N, summary
    assert len({entry[0].headers["webhook-id"] for entry in receiver.log}) == N
    print(
        f"worker: {N} contacts created and queued in {queued:.1f} s; {N} deliveries sent in {sent:.1f} s, "
        f"{N / sent:.0f} deliveries/s"
    )
    assert Contact.objects.count() == N + 1
    assert ratio <= TARGET_RATIO
