import contextlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_httpserver import HTTPServer
from werkzeug import Response

from deals.models import SyncState
from deals.tests.factories import ProductFactory
from deals.tests.fake_shop import PASSWORD, USERNAME, sample
from promotions.models import Discount, PromoCode, Promotion

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def shop_settings(settings, server):
    settings.SHOP_URL = server.url_for("/")
    settings.SHOP_USERNAME, settings.SHOP_PASSWORD = USERNAME, PASSWORD
    settings.SHOP_TIMEOUT_SECONDS = 0.5
    settings.SHOP_BACKOFF_SECONDS = 0.01
    settings.SHOP_RETRIES = 3
    settings.SHOP_PAGE_SIZE = 10
    return settings


def run() -> str:
    out = io.StringIO()
    call_command("sync_shop_promotions", stdout=out)
    return out.getvalue()


def drf_page(results):
    return {"count": len(results), "next": None, "previous": None, "results": results}


def serve_rest(server, *, promotions, codes, discounts):
    server.expect_request("/api/promotions/").respond_with_json(drf_page(promotions))
    server.expect_request("/api/promocodes/").respond_with_json(drf_page(codes))
    server.expect_request("/api/discounts/").respond_with_json(drf_page(discounts))


REST_PROMOTIONS = [
    {
        "id": 1,
        "name": "Spring sale",
        "starts_at": "2024-03-01T00:00:00+02:00",
        "ends_at": "2024-03-31T23:59:59+03:00",
        "discount_percent": "15",
    },
    {"id": 2, "name": "Broken", "starts_at": "soon"},
]
REST_CODES = [
    {
        "id": 7,
        "code": "SPRING",
        "discount_type": "percent",
        "amount": "10.00",
        "starts_at": "2024-03-01T00:00:00Z",
        "ends_at": None,
        "usage_count": 3,
        "usage_limit": 100,
    },
]
REST_DISCOUNTS = [
    {
        "id": 9,
        "name": "Shoes",
        "sku": "SKU-1",
        "regular_price": "100.00",
        "sale_price": "80.00",
        "starts_at": "2024-03-05T00:00:00Z",
        "ends_at": "2024-03-10T00:00:00Z",
    },
]


def test_rest_promotions_are_copied_and_a_rerun_changes_nothing(server, shop_settings):
    shop_settings.SHOP_BACKEND = "rest"
    product = ProductFactory(sku="SKU-1")
    serve_rest(server, promotions=REST_PROMOTIONS, codes=REST_CODES, discounts=REST_DISCOUNTS)

    output = run()

    assert "promotions: created 1, updated 0, unchanged 0, skipped 1" in output
    assert "2: starts_at is not a date" in output
    assert Promotion.objects.get().name == "Spring sale"
    code = PromoCode.objects.get()
    assert (code.code, code.usage_limit, code.ends_at) == ("SPRING", 100, None)
    assert Discount.objects.get().product == product
    stamps = list(PromoCode.objects.values_list("updated_at", flat=True))

    output = run()

    assert "total: created 0, updated 0, unchanged 3, skipped 1" in output
    assert list(PromoCode.objects.values_list("updated_at", flat=True)) == stamps
    assert SyncState.objects.get(name="promotions:rest").last_summary["promo_codes"]["unchanged"] == 1


def test_rest_promotion_changes_are_updated(server, shop_settings):
    shop_settings.SHOP_BACKEND = "rest"
    serve_rest(server, promotions=REST_PROMOTIONS[:1], codes=[], discounts=[])
    run()
    server.clear()
    serve_rest(server, promotions=[{**REST_PROMOTIONS[0], "name": "Big spring sale"}], codes=[], discounts=[])

    assert "promotions: created 0, updated 1" in run()
    assert Promotion.objects.get().name == "Big spring sale"


def test_woocommerce_coupons_start_at_their_creation_and_sales_are_discounts(server, shop_settings):
    shop_settings.SHOP_BACKEND = "woocommerce"
    calls = []

    def coupons(request):
        calls.append(request.args.get("page"))
        if len(calls) == 1:
            return Response("{}", status=502)
        return Response(
            json.dumps(sample("woocommerce_v3_coupons_list.json")),
            headers={"X-WP-TotalPages": "1", "X-WP-Total": "2"},
            mimetype="application/json",
        )

    server.expect_request("/wp-json/wc/v3/coupons").respond_with_handler(coupons)
    product = {
        "id": 93,
        "name": "Woo Single #1",
        "sku": "W1",
        "regular_price": "3.00",
        "sale_price": "2.00",
        "date_on_sale_from": "2024-03-01T00:00:00",
        "date_on_sale_from_gmt": "2024-02-29T22:00:00",
        "date_on_sale_to": None,
        "date_on_sale_to_gmt": None,
    }
    server.expect_request(
        "/wp-json/wc/v3/products",
        query_string={"on_sale": "true", "orderby": "id", "order": "asc", "page": "1", "per_page": "10"},
    ).respond_with_json([product], headers={"X-WP-TotalPages": "1"})

    output = run()

    assert "promo codes: created 2" in output and "discounts: created 1" in output
    coupon = PromoCode.objects.get(code="10off")
    assert coupon.starts_at.isoformat() == "2017-03-21T18:23:00+00:00"
    assert coupon.ends_at is None and coupon.discount_type == "percent"
    assert Discount.objects.get().starts_at.isoformat() == "2024-02-29T22:00:00+00:00"
    assert not Promotion.objects.exists()  # WooCommerce has no promotions of its own


def test_promotions_sync_stops_on_401(server, shop_settings):
    shop_settings.SHOP_BACKEND = "rest"
    server.expect_request("/api/promotions/").respond_with_json({"detail": "no"}, status=401)

    with pytest.raises(CommandError, match="refused"):
        run()

    assert not Promotion.objects.exists()
    assert "refused" in SyncState.objects.get(name="promotions:rest").last_error


def serve_pages(server, path: str, records: list, *, page_size: int = 2):
    """A DRF-style list served `page_size` records a page, each page linking to the next."""

    def handler(request):
        page = int(request.args.get("page", 1))
        chunk = records[(page - 1) * page_size : page * page_size]
        more = page * page_size < len(records)
        next_url = server.url_for(f"{path}?page={page + 1}") if more else None
        return Response(
            json.dumps({"count": len(records), "next": next_url, "previous": None, "results": chunk}),
            mimetype="application/json",
        )

    server.expect_request(path).respond_with_handler(handler)


def promo_code(n: int, **changes) -> dict:
    return {**REST_CODES[0], "id": 100 + n, "code": f"CODE{n}", **changes}


PROMO_CODE_REFUSALS = {
    # what the shop sends as promo code 101 (page 1 of 3), and whether it is then skipped
    "wrong type": ({"usage_count": "many"}, True),
    "negative count (check constraint)": ({"usage_count": -1}, True),
    "out of range": ({"usage_limit": 2**31 if connection.vendor == "postgresql" else 2**63}, True),
    "numeric overflow": ({"amount": "99999999999.00"}, True),
    "NUL": ({"description": "half\x00price", "code": "NUL\x00CODE"}, False),
    "too long an id": ({"code": "C" * 101}, True),
    "check constraint": ({"discount_type": "refused by a check"}, True),
    "unique index": ({"code": "ONCE"}, True),
}


@pytest.mark.parametrize("kind", list(PROMO_CODE_REFUSALS))
def test_a_promo_code_refused_on_the_way_in_is_skipped_and_its_pages_written(server, shop_settings, kind):
    from django.db.models import CheckConstraint, Q, UniqueConstraint

    from crm.tests.test_records import database_refuses

    shop_settings.SHOP_BACKEND = "rest"
    changes, skipped = PROMO_CODE_REFUSALS[kind]
    codes = [promo_code(n) for n in range(5)]
    codes[0]["code"] = "ONCE"
    codes[1].update(changes)
    serve_pages(server, "/api/promocodes/", codes)
    serve_pages(server, "/api/promotions/", [])
    serve_pages(server, "/api/discounts/", [])
    constraint = {
        "check constraint": (PromoCode, CheckConstraint(condition=~Q(discount_type="refused by a check"), name="t_c")),
        "unique index": (PromoCode, UniqueConstraint(fields=["code"], condition=Q(code="ONCE"), name="t_once")),
    }.get(kind)
    if constraint and connection.vendor != "postgresql":
        pytest.skip("SQLite cannot add a constraint inside the test's transaction")

    with database_refuses(*constraint) if constraint else contextlib.nullcontext():
        output = run()

    stored = set(PromoCode.objects.values_list("external_id", flat=True))
    summary = SyncState.objects.get(name="promotions:rest").last_summary["promo_codes"]
    if skipped:
        assert "promo codes: created 4, updated 0, unchanged 0, skipped 1" in output
        assert stored == {"100", "102", "103", "104"}
        assert summary["skipped"] == 1 and summary["problems"][0].startswith("101: ")
    else:
        assert "promo codes: created 5, updated 0, unchanged 0, skipped 0" in output
        code = PromoCode.objects.get(external_id="101")
        assert (code.code, code.description) == ("NULCODE", "halfprice")


def test_a_promotion_whose_discount_is_past_its_column_is_skipped(server, shop_settings):
    shop_settings.SHOP_BACKEND = "rest"
    promotions = [{**REST_PROMOTIONS[0], "id": n, "discount_percent": "100000" if n == 2 else "15"} for n in range(4)]
    serve_pages(server, "/api/promotions/", promotions)
    serve_pages(server, "/api/promocodes/", [])
    serve_pages(server, "/api/discounts/", [])

    output = run()

    assert "promotions: created 3, updated 0, unchanged 0, skipped 1" in output
    assert "2: not written: discount_percent" in output
    assert sorted(Promotion.objects.values_list("external_id", flat=True)) == ["0", "1", "3"]
