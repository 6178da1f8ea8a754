"""How fast sync_shop_orders imports a shop's orders, beside a COPY floor measured in the same run.

Not part of the suite, PostgreSQL only:

    DATABASE_URL=postgres://... BENCH_SHOP_ORDERS=100000 pipenv run pytest bench/test_shop_sync.py -s

A local fake shop (the `rest` backend's protocol, pages of BENCH_SHOP_PAGE orders) serves N orders of
3 items each, prepared before the clock starts. Measured: the first import, then the floor (the rows
the import wrote, copied out, the tables emptied, and the same rows put back with COPY into the same
tables with the same indexes), then a re-run over the same orders, which must change nothing.
"""

import io
import json
import os
import time

import pytest
from django.core.management import call_command
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug import Response

from contacts.models import Contact, Phone
from deals.models import Deal, Order, OrderCoupon, OrderItem, Product, SyncState
from deals.tests.fake_shop import PASSWORD, USERNAME, ensure_default_pipeline, rest_order

N = int(os.environ.get("BENCH_SHOP_ORDERS", "100000"))
PAGE = int(os.environ.get("BENCH_SHOP_PAGE", "500"))
TARGET_FIRST, TARGET_RERUN, TARGET_RATIO = 2000, 10000, 5
# In the order the foreign keys need them back.
TABLES = [Product, Contact, Phone, Deal, Order, OrderItem, OrderCoupon]

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor is PostgreSQL's COPY")


def bench_order(n: int) -> dict:
    order = rest_order(n)
    order["modified"] = f"2024-02-01T10:00:00.{n:06d}+00:00"
    for k, item in enumerate(order["items"]):
        item["sku"] = f"SKU-{(n * 3 + k) % 5000}"
    return order


@pytest.fixture
def shop(settings):
    ensure_default_pipeline()
    pages = []
    for start in range(0, N, PAGE):
        pages.append([bench_order(n) for n in range(start, min(start + PAGE, N))])
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    bodies = {}
    for number, results in enumerate(pages, start=1):
        next_url = server.url_for(f"/api/order/all/?page={number + 1}") if number < len(pages) else None
        bodies[number] = json.dumps({"count": N, "next": next_url, "previous": None, "results": results}).encode()

    def handle(request):
        return Response(bodies[int(request.args.get("page", 1))], mimetype="application/json")

    server.expect_request("/api/order/all/").respond_with_handler(handle)
    settings.SHOP_BACKEND, settings.SHOP_URL = "rest", server.url_for("/")
    settings.SHOP_USERNAME, settings.SHOP_PASSWORD, settings.SHOP_PAGE_SIZE = USERNAME, PASSWORD, PAGE
    yield server
    server.clear()
    server.stop()


def timed_sync() -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("sync_shop_orders", stdout=out)
    return time.perf_counter() - started, out.getvalue().strip()


def columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.generated]


def copy_floor() -> float:
    """Copy the imported rows out, empty the tables, and time putting the same rows back with COPY."""
    raw = connection.connection
    dumps = {}
    with raw.cursor() as cursor:
        for model in TABLES:
            buffer = io.StringIO()
            cols = ", ".join(columns(model))
            query = f"COPY (SELECT {cols} FROM {model._meta.db_table}) TO STDOUT"  # noqa: S608 - model names
            cursor.copy_expert(query, buffer)
            dumps[model] = buffer.getvalue()
        tables = ", ".join(model._meta.db_table for model in TABLES)
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    raw.commit()
    started = time.perf_counter()
    with raw.cursor() as cursor:
        for model in TABLES:
            cols = ", ".join(columns(model))
            cursor.copy_expert(f"COPY {model._meta.db_table} ({cols}) FROM STDIN", io.StringIO(dumps[model]))
    raw.commit()
    return time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_shop_sync_throughput(shop):
    first, first_summary = timed_sync()
    assert Order.objects.count() == N and OrderItem.objects.count() == 3 * N
    floor = copy_floor()
    SyncState.objects.update(checkpoint=None)  # the re-run reads every order again
    rerun, rerun_summary = timed_sync()
    assert f"unchanged {N}" in rerun_summary

    first_rate, rerun_rate, floor_rate = N / first, N / rerun, N / floor
    print(
        f"\n{N} orders × 3 items, pages of {PAGE}:"
        f"\n  first import  {first:8.1f} s  {first_rate:9.0f} orders/s   ({first_summary})"
        f"\n  re-run        {rerun:8.1f} s  {rerun_rate:9.0f} orders/s   ({rerun_summary})"
        f"\n  COPY floor    {floor:8.1f} s  {floor_rate:9.0f} orders/s"
        f"\n  first import / floor: {first / floor:.1f}×"
    )
    print(
        f"  targets: first import ≥ {TARGET_FIRST}/s {'met' if first_rate >= TARGET_FIRST else 'NOT met'}, "
        f"re-run ≥ {TARGET_RERUN}/s {'met' if rerun_rate >= TARGET_RERUN else 'NOT met'}, "
        f"within {TARGET_RATIO}× of the floor {'met' if first / floor <= TARGET_RATIO else 'NOT met'}"
    )
    # The absolute rates depend on the machine; the ratio to COPY, measured in the same run, does not.
    assert first / floor <= TARGET_RATIO, f"first import is {first / floor:.1f}× the floor"
