import contextlib
import csv
import io
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from pytest_httpserver import HTTPServer

from contacts.models import Contact, Phone
from contacts.tests.factories import ContactFactory, PhoneFactory
from deals.models import Deal, DealStatus, Order, OrderCoupon, OrderItem, Product, ShopStatusMapping, SyncState
from deals.shop import CSV_ITEM_COLUMNS, CSV_ORDER_COLUMNS, BadRecord, money
from deals.tests.fake_shop import (
    PASSWORD,
    USERNAME,
    FakeShop,
    ensure_default_pipeline,
    horoshop_order,
    rest_order,
    woocommerce_order,
)
from users.tests.factories import UserFactory

BUILDERS = {"rest": rest_order, "woocommerce": woocommerce_order, "horoshop": horoshop_order}
BACKENDS = list(BUILDERS)


@pytest.fixture
def server():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def shop_settings(settings, server):
    ensure_default_pipeline()
    settings.SHOP_URL = server.url_for("/")
    settings.SHOP_USERNAME, settings.SHOP_PASSWORD = USERNAME, PASSWORD
    settings.SHOP_TIMEOUT_SECONDS = 0.5
    settings.SHOP_BACKOFF_SECONDS = 0.01
    settings.SHOP_RETRIES = 3
    settings.SHOP_PAGE_SIZE = 2
    return settings


def make_shop(server, shop_settings, backend, orders):
    shop_settings.SHOP_BACKEND = backend
    return FakeShop(server, backend, orders, page_size=2)


def run(**options) -> str:
    out = io.StringIO()
    call_command("sync_shop_orders", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the import writes, without ids and timestamps."""
    return {
        "contacts": sorted(
            Contact.objects.values_list("first_name", "last_name", "email", "payment_method", "delivery_method")
        ),
        "phones": sorted(Phone.objects.values_list("number", "contact__email")),
        "deals": sorted(
            Deal.objects.values_list(
                "shop_order_id", "title", "contact__email", "stage__name", "payment_status", "status", "amount"
            )
        ),
        "orders": sorted(
            Order.objects.values_list(
                "shop_order_id",
                "contact__email",
                "deal__shop_order_id",
                "status",
                "ordered_at",
                "amount",
                "payment_method",
                "delivery_method",
                "fingerprint",
            )
        ),
        "items": sorted(
            OrderItem.objects.values_list("order__shop_order_id", "product__sku", "name", "quantity", "price")
        ),
        "coupons": sorted(OrderCoupon.objects.values_list("order__shop_order_id", "code", "discount")),
        "products": sorted(Product.objects.values_list("sku", "name")),
    }


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_imports_every_page(db, server, shop_settings, backend):
    shop = make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(5)])

    output = run()

    assert "created 5, updated 0, unchanged 0, skipped 0" in output
    assert sorted({r["page"] for r in shop.requests}) == [1, 2, 3]
    assert Order.objects.count() == Deal.objects.count() == Contact.objects.count() == 5
    assert OrderItem.objects.count() == 15
    order = Order.objects.select_related("deal__stage", "contact").get(shop_order_id="1003")
    assert order.deal.shop_order_id == "1003"
    assert order.deal.stage.name == "Processing"
    assert order.contact.phones.get().number == "+380500000003"
    assert order.items.count() == 3 and all(item.product_id for item in order.items.all())
    assert order.coupons.count() == 1
    state = SyncState.objects.get(name=f"orders:{backend}")
    assert state.last_summary["created"] == 5
    if backend != "horoshop":  # the partial Horoshop sample has no modification time
        assert state.checkpoint == datetime(2024, 2, 1, 10, 0, 4, tzinfo=UTC)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_retries_a_500_on_page_two(db, server, shop_settings, backend):
    shop = make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(5)])
    shop.failures[2] = [500, 503]

    output = run()

    assert "created 5" in output
    assert [r["page"] for r in shop.requests].count(2) == 3  # 500, 503, then the page
    assert Order.objects.count() == 5 and OrderItem.objects.count() == 15


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_retries_a_timeout(db, server, shop_settings, backend):
    shop = make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(3)])
    shop.failures[1] = ["slow"]

    output = run()

    assert "created 3" in output
    assert Order.objects.count() == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_gives_up_with_a_clear_error_when_the_shop_keeps_timing_out(db, server, shop_settings, backend):
    shop = make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(3)])
    shop.failures[1] = ["slow"] * 10
    shop_settings.SHOP_RETRIES = 1

    with pytest.raises(CommandError, match="did not answer"):
        run()

    assert not Order.objects.exists()
    assert "did not answer" in SyncState.objects.get(name=f"orders:{backend}").last_error


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_stops_on_401_and_writes_nothing(db, server, shop_settings, backend):
    shop = make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(3)])
    shop.password = "another secret"

    with pytest.raises(CommandError, match=r"(?i)refused"):
        run()

    assert not (Order.objects.exists() or Deal.objects.exists() or Contact.objects.exists())
    assert SyncState.objects.get(name=f"orders:{backend}").checkpoint is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_skips_a_malformed_order_and_imports_the_others(db, server, shop_settings, backend):
    orders = [BUILDERS[backend](n) for n in range(4)]
    broken = orders[1]
    if backend == "rest":
        broken["items"][0]["quantity"] = "many"
    elif backend == "woocommerce":
        broken["date_created_gmt"] = broken["date_created"] = "yesterday"
    else:
        broken["products"][0]["price"] = "free"
    make_shop(server, shop_settings, backend, orders)

    output = run()

    assert "created 3, updated 0, unchanged 0, skipped 1" in output
    assert "1001:" in output
    assert not Order.objects.filter(shop_order_id="1001").exists()
    assert Order.objects.count() == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_rerun_changes_nothing(db, server, shop_settings, backend):
    make_shop(server, shop_settings, backend, [BUILDERS[backend](n) for n in range(5)])
    run()
    before = snapshot()
    stamps = sorted(Order.objects.values_list("updated_at", flat=True)) + sorted(
        Deal.objects.values_list("updated_at", flat=True)
    )
    SyncState.objects.update(checkpoint=None)  # ask for everything again

    output = run()

    assert "created 0, updated 0, unchanged 5, skipped 0" in output
    assert snapshot() == before
    after = sorted(Order.objects.values_list("updated_at", flat=True)) + sorted(
        Deal.objects.values_list("updated_at", flat=True)
    )
    assert after == stamps


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_reuses_a_contact_known_by_phone_in_another_spelling(db, server, shop_settings, backend):
    existing = ContactFactory(email="someone.else@example.com")
    PhoneFactory(contact=existing, number="+380671234567")
    make_shop(server, shop_settings, backend, [BUILDERS[backend](1, phone="067 123-45-67")])

    run()

    assert Contact.objects.count() == 1
    assert Order.objects.get().contact == existing


def test_sync_gives_a_new_deal_to_the_contacts_responsible_and_keeps_a_reassigned_one(db, server, shop_settings):
    manager, other = UserFactory(), UserFactory()
    existing = ContactFactory(responsible=manager)
    PhoneFactory(contact=existing, number="+380671234567")
    shop = make_shop(server, shop_settings, "rest", [rest_order(1, phone="0671234567")])
    run()
    deal = Deal.objects.get()
    assert deal.responsible == manager
    deal.responsible = other
    deal.save()
    shop.orders[0]["status"] = "shipped"

    run(since="2000-01-01")

    deal.refresh_from_db()
    assert (deal.responsible, deal.stage.name) == (other, "Shipped")


def test_sync_reuses_a_contact_known_by_email_and_merges_one_buyers_orders(db, server, shop_settings):
    existing = ContactFactory(email="known@example.com")
    orders = [
        rest_order(1, phone="", email="known@example.com"),
        rest_order(2, phone="+380931112233", email="new@example.com"),
        rest_order(3, phone="093 111 22 33", email="other@example.com"),
    ]
    make_shop(server, shop_settings, "rest", orders)

    run()

    assert Order.objects.get(shop_order_id="1001").contact == existing
    assert Order.objects.get(shop_order_id="1002").contact == Order.objects.get(shop_order_id="1003").contact
    assert Contact.objects.count() == 2


def test_sync_follows_a_status_change_and_maps_unknown_statuses(db, server, shop_settings):
    shop = make_shop(server, shop_settings, "woocommerce", [woocommerce_order(1), woocommerce_order(2)])
    run()
    shop.orders[0]["status"] = "completed"
    shop.orders[0]["date_modified_gmt"] = "2024-03-01T00:00:00"
    shop.orders[1]["status"] = "awaiting-pickup"
    shop.orders[1]["date_modified_gmt"] = "2024-03-01T00:00:00"

    output = run()

    assert "updated 2" in output
    won = Deal.objects.get(shop_order_id="1001")
    assert (won.status, won.stage.name, won.payment_status) == (DealStatus.WON, "Delivered", "paid")
    assert Deal.objects.get(shop_order_id="1002").stage.name == "New order"
    assert ShopStatusMapping.objects.filter(backend="woocommerce", shop_status="awaiting-pickup").exists()
    assert "awaiting-pickup" in output
    assert OrderItem.objects.count() == 6  # items replaced, not added
    # the next run asks only for what changed since the checkpoint
    run()
    assert shop.requests[-1]["args"]["modified_after"] == "2024-03-01T00:00:00"


def test_sync_starts_from_since(db, server, shop_settings):
    shop = make_shop(server, shop_settings, "rest", [rest_order(1)])

    run(since="2024-05-01")

    assert shop.requests[0]["args"]["modified_after"].startswith("2024-05-01T00:00:00")


def test_sync_rejects_a_bad_since(db, shop_settings):
    with pytest.raises(CommandError, match="--since"):
        run(since="last tuesday")


def test_sync_dry_run_keeps_nothing(db, server, shop_settings):
    make_shop(server, shop_settings, "rest", [rest_order(n) for n in range(3)])

    output = run(dry_run=True)

    assert "Dry run" in output and "created 3" in output
    assert not Order.objects.exists() and not Contact.objects.exists()


def test_sync_without_a_pipeline_skips_and_says_why(db, server, shop_settings):
    ShopStatusMapping.objects.all().delete()
    Deal.objects.all().delete()
    from deals.models import Pipeline

    Pipeline.objects.all().delete()
    make_shop(server, shop_settings, "rest", [rest_order(1)])

    output = run()

    assert "skipped 1" in output and "no pipeline" in output


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_sync_two_runs_at_once_one_imports_one_refuses(db, server, shop_settings):
    shop = make_shop(server, shop_settings, "rest", [rest_order(n) for n in range(3)])
    outcome = {}

    def second_run(page):
        if page != 1 or outcome:
            return
        outcome["started"] = True
        # the shop's handler runs in another thread, so this run has its own database connection
        try:
            run()
            outcome["second"] = "imported"
        except CommandError as error:
            outcome["second"] = str(error)
        finally:
            connections.close_all()

    shop.on_page = second_run

    output = run()

    assert "created 3" in output
    assert "Another sync_shop_orders is running" in outcome["second"]
    assert Order.objects.count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_sync_lock_is_released_after_a_run(db, server, shop_settings):
    make_shop(server, shop_settings, "rest", [rest_order(1)])
    run()
    result = {}

    def other():
        with connection.cursor() as cursor:
            from crm.workers.locks import _lock_key

            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key("sync_shop_orders")])
            result["got"] = cursor.fetchone()[0]
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key("sync_shop_orders")])
        connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert result["got"] is True


def _write_csv(path, orders):
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_ORDER_COLUMNS + CSV_ITEM_COLUMNS)
        writer.writeheader()
        for order in orders:
            base = {
                **{key: order[key] for key in ("id", "status", "created", "modified", "total")},
                **order["customer"],
                "payment_method": order["payment_method"],
                "delivery_method": order["delivery_method"],
                "coupons": ";".join(f"{c['code']}:{c['discount']}" for c in order["coupons"]),
            }
            for item in order["items"]:
                writer.writerow({**base, **item})


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_file_import_gives_the_same_database_as_the_api(db, server, shop_settings, tmp_path, kind):
    orders = [rest_order(n) for n in range(5)]
    make_shop(server, shop_settings, "rest", orders)
    run()
    from_api = snapshot()
    Order.objects.all().delete()
    Deal.objects.all().delete()
    Contact.objects.all().delete()
    Product.objects.all().delete()

    path = tmp_path / f"orders.{kind}"
    if kind == "json":
        path.write_text(json.dumps(orders))
    else:
        _write_csv(path, orders)
    output = run(file=str(path))

    assert "created 5" in output
    assert snapshot() == from_api
    assert "unchanged 5" in run(file=str(path))


def test_file_import_reports_a_missing_file_and_bad_content(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run(file=str(tmp_path / "nope.json"))
    bad = tmp_path / "orders.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not JSON"):
        run(file=str(bad))
    bad_csv = tmp_path / "orders.csv"
    bad_csv.write_text("id,status\n1,new\n")
    with pytest.raises(CommandError, match="lacks the columns"):
        run(file=str(bad_csv))


REFUSALS = {
    # what the shop sends in order 1001 (page 1 of 3), and whether the order is then skipped
    "numeric overflow": (lambda order: order["items"][0].update(quantity=1000, price="9999999999.99"), True),
    "out of range": (lambda order: order["items"][0].update(quantity=2**31), True),
    "wrong type": (lambda order: order["items"][0].update(quantity="many"), True),
    "NUL": (lambda order: order["customer"].update(first_name="Ol\x00ena", company="A\x00B"), False),
    "too long an id": (lambda order: order["items"][0].update(sku="S" * 65), True),
    "check constraint": (lambda order: order["items"][0].update(name="refused by a check"), True),
    "unique index": (lambda order: order["coupons"].append({"code": "ONCE", "discount": "1.00"}), True),
}


@pytest.mark.parametrize("kind", list(REFUSALS))
def test_sync_skips_an_order_refused_on_the_way_in_and_writes_its_page_and_the_later_ones(
    db, server, shop_settings, kind
):
    from django.db.models import Q, UniqueConstraint
    from django.db.models.constraints import CheckConstraint

    from crm.tests.test_records import database_refuses

    orders = [rest_order(n) for n in range(5)]
    spoil, skipped = REFUSALS[kind]
    spoil(orders[1])
    orders[0]["coupons"].append({"code": "ONCE", "discount": "1.00"})
    make_shop(server, shop_settings, "rest", orders)
    constraint = {
        "check constraint": (OrderItem, CheckConstraint(condition=~Q(name="refused by a check"), name="test_check")),
        "unique index": (OrderCoupon, UniqueConstraint(fields=["code"], condition=Q(code="ONCE"), name="test_once")),
    }.get(kind)
    if constraint and connection.vendor != "postgresql":
        pytest.skip("SQLite cannot add a constraint inside the test's transaction")

    with database_refuses(*constraint) if constraint else contextlib.nullcontext():
        output = run()

    written = set(Order.objects.values_list("shop_order_id", flat=True))
    state = SyncState.objects.get(name="orders:rest")
    if skipped:
        assert "created 4, updated 0, unchanged 0, skipped 1" in output
        assert written == {"1000", "1002", "1003", "1004"}
        assert [problem for problem in state.last_summary["problems"] if problem.startswith("1001:")]
        assert state.last_summary["skipped"] == 1
    else:
        assert "created 5, updated 0, unchanged 0, skipped 0" in output
        order = Order.objects.select_related("contact", "deal").get(shop_order_id="1001")
        assert (order.contact.first_name, order.deal.company_name) == ("Olena", "AB")
    assert OrderItem.objects.filter(order__shop_order_id="1004").count() == 3
    assert state.checkpoint == datetime(2024, 2, 1, 10, 0, 4, tzinfo=UTC)


def test_sync_finds_a_contact_by_email_in_any_case(db, server, shop_settings):
    existing = ContactFactory(email="Olena@Shop.ua")
    make_shop(server, shop_settings, "rest", [rest_order(1, phone="", email="olena@shop.ua")])

    run()

    assert Contact.objects.count() == 1
    assert Order.objects.get().contact == existing


def test_sync_leaves_a_crm_order_on_its_deal_and_a_title_people_changed(db, server, shop_settings):
    shop = make_shop(server, shop_settings, "rest", [rest_order(1)])
    run()
    deal = Deal.objects.get(shop_order_id="1001")
    deal.title = "Olena's spring order"
    deal.save()
    # a second order made in the CRM on this deal, sent to the shop, which gave it its id
    from deals.models import SendStatus

    second = Order.objects.create(
        contact=deal.contact,
        deal=deal,
        shop_order_id="1002",
        ordered_at=datetime(2024, 1, 3, tzinfo=UTC),
        send_status=SendStatus.SENT,
    )
    shop.orders[0]["status"] = "shipped"
    shop.orders.append(rest_order(2, phone=shop.orders[0]["customer"]["phone"]))

    output = run(since="2000-01-01")

    assert "created 0, updated 2" in output
    second.refresh_from_db()
    deal.refresh_from_db()
    assert second.deal == deal and second.status == "processing"
    assert Deal.objects.count() == 1 and not Deal.objects.filter(title="Order 1002").exists()
    assert (deal.title, deal.stage.name) == ("Olena's spring order", "Shipped")


@pytest.mark.parametrize("since", ["2024-13-01", "2024-02-30T10:00:00", "9999-12-31", "yesterday"])
def test_sync_refuses_a_bad_since_without_a_traceback(db, shop_settings, since, capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(CommandError, match="--since"):
        run(since=since)
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "sync_shop_orders", "--since", since]).execute()
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert "--since" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.50", Decimal("12.50")),
        (12.5, Decimal("12.50")),
        (7, Decimal("7.00")),
        (" 3 ", Decimal("3.00")),
        ("-1.005", Decimal("-1.00")),
        ("1e3", Decimal("1000.00")),
    ],
)
def test_money_reads_what_shops_write(value, expected):
    assert money("1", "price", value) == expected


@pytest.mark.parametrize("value", ["١٢٣", "１２", "1_000", "NaN", "Infinity", "1,5", "", "12.5.1", True, [1], "0x10"])
def test_money_refuses_what_is_not_an_ascii_amount(value):
    with pytest.raises(BadRecord, match="not an amount"):
        money("1", "price", value)
