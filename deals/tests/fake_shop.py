"""A fake shop on loopback speaking each backend's protocol, fed with records shaped like the samples."""

import base64
import copy
import importlib
import json
import math
import time
from pathlib import Path
from urllib.parse import urlencode

from werkzeug import Response

SAMPLES = Path(__file__).resolve().parent / "samples"
USERNAME, PASSWORD = "ck_test", "cs_test"


def sample(name: str):
    return json.loads((SAMPLES / name).read_text())


def rest_order(n: int, *, phone: str | None = None, email: str | None = None, status: str = "processing", **extra):
    return {
        "id": str(1000 + n),
        "status": status,
        "created": f"2024-01-{1 + n % 28:02d}T10:00:00+02:00",
        "modified": f"2024-02-01T10:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
        "customer": {
            "first_name": f"Name{n}",
            "last_name": f"Surname{n}",
            "phone": phone if phone is not None else f"+38050{n:07d}",
            "email": email if email is not None else f"buyer{n}@example.com",
            "company": "",
        },
        "payment_method": "Card",
        "delivery_method": "Nova Poshta",
        "total": f"{100 + n}.00",
        "items": [
            {"sku": f"SKU-{n % 5}", "name": f"Product {n % 5}", "quantity": 1 + k, "price": f"{10 * (k + 1)}.50"}
            for k in range(3)
        ],
        "coupons": [{"code": "SPRING", "discount": "5.00"}] if n % 2 else [],
        **extra,
    }


def woocommerce_order(n: int, *, phone: str | None = None, email: str | None = None, status: str = "processing"):
    """The documented sample order with its id, buyer, items and dates changed."""
    order = copy.deepcopy(sample("woocommerce_v3_order_retrieve.json"))
    order["id"] = 1000 + n
    order["number"] = str(1000 + n)
    order["status"] = status
    order["date_created_gmt"] = f"2024-01-{1 + n % 28:02d}T08:00:00"
    order["date_modified_gmt"] = f"2024-02-01T10:{n // 60 % 60:02d}:{n % 60:02d}"
    order["billing"].update(
        first_name=f"Name{n}",
        last_name=f"Surname{n}",
        phone=phone if phone is not None else f"+38050{n:07d}",
        email=email if email is not None else f"buyer{n}@example.com",
    )
    line = order["line_items"][0]
    order["line_items"] = [
        {**line, "id": k, "sku": f"SKU-{n % 5}-{k}", "name": f"Product {k}", "quantity": 1 + k, "price": 10 + k}
        for k in range(3)
    ]
    order["coupon_lines"] = [{"id": 1, "code": "spring", "discount": "5.00", "discount_tax": "0", "meta_data": []}]
    return order


def horoshop_order(n: int, *, phone: str | None = None, email: str | None = None, status: int = 2):
    """The partial sample with the buyer's and dates' keys our backend reads (see README)."""
    order = copy.deepcopy(sample("horoshop_orders_get.response.PARTIAL_CONSTRUCTED.json")["response"]["orders"][0])
    order.update(
        order_id=1000 + n,
        stat_status=status,
        stat_created=f"2024-01-{1 + n % 28:02d} 10:00:00",
        delivery_name=f"Name{n}",
        delivery_phone=phone if phone is not None else f"+38050{n:07d}",
        delivery_email=email if email is not None else f"buyer{n}@example.com",
    )
    order["products"] = [
        {**order["products"][0], "article": f"SKU-{n % 5}-{k}", "title": f"Product {k}", "quantity": 1 + k}
        for k in range(3)
    ]
    return order


class FakeShop:
    """Serves `orders` in pages of `page_size`; `failures[page]` lists what to answer before the real page:
    an HTTP status, or "slow" (answer later than the client waits)."""

    def __init__(self, server, backend: str, orders: list, *, page_size: int = 2, slow_seconds: float = 1.5):
        self.server, self.backend, self.orders, self.page_size = server, backend, orders, page_size
        self.failures: dict[int, list] = {}
        self.requests: list[dict] = []
        self.slow_seconds = slow_seconds
        self.on_page = None  # called with the page number before it is served
        self.password = PASSWORD
        paths = {
            "rest": "/api/order/all/",
            "woocommerce": "/wp-json/wc/v3/orders",
            "horoshop": "/api/orders/get/",
        }
        server.expect_request(paths[backend]).respond_with_handler(self.handle)
        if backend == "horoshop":
            server.expect_request("/api/auth/", method="POST").respond_with_handler(self.horoshop_auth)

    def pages(self) -> int:
        return max(1, math.ceil(len(self.orders) / self.page_size))

    def authorized(self, request) -> bool:
        if self.backend == "horoshop":
            return (request.get_json(silent=True) or {}).get("token") == "token-1"
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{self.password}".encode()).decode()
        return request.headers.get("Authorization") == expected

    def horoshop_auth(self, request):
        body = request.get_json(silent=True) or {}
        if body.get("login") != USERNAME or body.get("password") != self.password:
            return Response(json.dumps({"status": "ERROR", "response": {"message": "bad login"}}), status=401)
        return Response(json.dumps({"status": "OK", "response": {"token": "token-1"}}), mimetype="application/json")

    def handle(self, request):
        if not self.authorized(request):
            body = {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot list resources.", "data": {}}
            return Response(json.dumps(body), status=401, mimetype="application/json")
        if self.backend == "horoshop":
            body = request.get_json()
            page = body["offset"] // self.page_size + 1
        else:
            page = int(request.args.get("page", 1))
        self.requests.append({"page": page, "args": dict(request.args)})
        pending = self.failures.get(page)
        if pending:
            failure = pending.pop(0)
            if failure == "slow":
                time.sleep(self.slow_seconds)
            else:
                return Response(json.dumps({"detail": "boom"}), status=failure, mimetype="application/json")
        if self.on_page:
            self.on_page(page)
        chunk = self.orders[(page - 1) * self.page_size : page * self.page_size]
        if self.backend == "rest":
            next_url = None
            if page < self.pages():
                query = urlencode({**request.args, "page": page + 1})
                next_url = self.server.url_for(f"/api/order/all/?{query}")
            body = {"count": len(self.orders), "next": next_url, "previous": None, "results": chunk}
            return Response(json.dumps(body), mimetype="application/json")
        if self.backend == "woocommerce":
            headers = {"X-WP-Total": str(len(self.orders)), "X-WP-TotalPages": str(self.pages())}
            return Response(json.dumps(chunk), headers=headers, mimetype="application/json")
        status = "OK" if chunk else "EMPTY"
        return Response(json.dumps({"status": status, "response": {"orders": chunk}}), mimetype="application/json")


def ensure_default_pipeline():
    """The sales pipeline and status mapping a fresh install gets (a transactional test may have flushed them)."""
    from django.apps import apps

    seed = importlib.import_module("deals.migrations.0004_default_sales_pipeline_and_status_mappings").seed
    seed(apps, None)
