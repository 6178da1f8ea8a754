"""Clients of the online shop: one small interface, a backend per shop platform (SHOP_BACKEND).

A backend speaks its shop's protocol and turns the shop's records into the plain records below
(`ShopOrder`, `ShopPromotion`, ...); `deals.sync` and `promotions.sync` store those. Every request
has a timeout; timeouts, 429 and 5xx are retried with exponential backoff and jitter by urllib3's
`Retry`; 401/403 raise `ShopAuthError`.
"""

import csv
import io
import json
import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from crm.api.parsing import parse_int
from crm.workers.records import without_nul

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_PRICE = Decimal("9999999999.99")
# An amount as shops write it: ASCII digits, one optional point, an optional exponent (a JSON float's `str`).
# `Decimal()` alone also takes other scripts' digits, underscores and "NaN".
_AMOUNT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?")


class ShopError(Exception):
    """The shop could not be read: the run stops with this message."""


class ShopAuthError(ShopError):
    """The shop refused our credentials (401/403)."""


class BadRecord(ValueError):
    """One record of the shop cannot be imported; the rest can."""

    def __init__(self, record_id, reason: str):
        super().__init__(f"{record_id}: {reason}")
        self.record_id, self.reason = record_id, reason


@dataclass(frozen=True)
class ShopItem:
    sku: str
    name: str
    quantity: int
    price: Decimal


@dataclass(frozen=True)
class ShopCoupon:
    code: str
    discount: Decimal


@dataclass(frozen=True)
class ShopOrder:
    id: str
    status: str
    created: datetime
    modified: datetime | None
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    company: str = ""
    payment_method: str = ""
    delivery_method: str = ""
    total: Decimal = Decimal("0")
    items: tuple[ShopItem, ...] = ()
    coupons: tuple[ShopCoupon, ...] = ()


@dataclass(frozen=True)
class ShopPromotion:
    id: str
    name: str
    description: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    discount_percent: Decimal | None = None


@dataclass(frozen=True)
class ShopPromoCode:
    id: str
    code: str
    description: str = ""
    discount_type: str = ""
    amount: Decimal = Decimal("0")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_count: int = 0
    usage_limit: int | None = None


@dataclass(frozen=True)
class ShopDiscount:
    id: str
    name: str
    sale_price: Decimal
    sku: str = ""
    regular_price: Decimal | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def parsed(records: Iterable, parse, skip) -> Iterator:
    """Each raw record parsed, its NUL characters dropped first (PostgreSQL can neither store nor look
    them up); one that cannot be read goes to `skip(record id, reason)` and the others are parsed."""
    for raw in records:
        raw = without_nul(raw)
        try:
            yield parse(raw)
        except BadRecord as error:
            skip(error.record_id, error.reason)
        except (LookupError, TypeError, ValueError, AttributeError) as error:  # a shape no parser foresaw
            logger.warning("unreadable shop record", exc_info=True)
            record_id = raw.get("id") or raw.get("order_id") if isinstance(raw, dict) else None
            skip(str(record_id or "?")[:64], f"unreadable: {type(error).__name__}: {error}")


@dataclass
class Page:
    """One page of raw records from the shop, and how many pages there are, when the shop says."""

    records: list
    total_pages: int | None = None


# Field parsers: each raises BadRecord naming the record and the field.


def text(value, limit: int) -> str:
    """Free text (a name, a method) shortened to what its column holds; never an id."""
    return ("" if value is None else str(value)).strip()[:limit]


def identifier(record_id, name: str, value, limit: int) -> str:
    """A key (a SKU, a code): refused when longer than its column, never cut, or two would become one."""
    key = ("" if value is None else str(value)).strip()
    if len(key) > limit:
        raise BadRecord(record_id, f"{name} is longer than {limit} characters")
    return key


def whole(record_id, name: str, value, *, required: bool = True) -> int | None:
    """A whole number written in ASCII digits (a JSON number is fine); a count or limit of the shop."""
    if value in (None, "") and not required:
        return None
    try:
        return parse_int(0 if value in (None, "") else value, max_value=None)
    except ValidationError:
        raise BadRecord(record_id, f"{name} is not a whole number: {value!r}") from None


def money(record_id, name: str, value, *, required: bool = True) -> Decimal | None:
    if value in (None, "") and not required:
        return None
    written = str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else ""
    if not _AMOUNT.fullmatch(written):
        raise BadRecord(record_id, f"{name} is not an amount: {value!r}")
    try:
        amount = Decimal(written)
    except InvalidOperation:
        raise BadRecord(record_id, f"{name} is not an amount: {value!r}") from None
    if not amount.is_finite() or not -MAX_PRICE <= amount <= MAX_PRICE:
        raise BadRecord(record_id, f"{name} is out of range: {value!r}")
    return amount.quantize(Decimal("0.01"))


def moment(record_id, name: str, value, *, required: bool = True, naive_is_utc: bool = True) -> datetime | None:
    if value in (None, "") and not required:
        return None
    try:
        parsed = parse_datetime(str(value)) if value is not None else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise BadRecord(record_id, f"{name} is not a date and time: {value!r}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC) if naive_is_utc else timezone.make_aware(parsed)
    return parsed


def quantity(record_id, value) -> int:
    number = whole(record_id, "quantity", value)
    if not 1 <= number <= 2**31 - 1:
        raise BadRecord(record_id, f"quantity is out of range: {value!r}")
    return number


def record_id_of(raw, key: str = "id") -> str:
    if not isinstance(raw, dict):
        raise BadRecord("?", "the record is not an object")
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise BadRecord("?", f"{key} is missing or not a string or number")
    if len(str(value)) > 64:
        raise BadRecord(str(value)[:64] + "…", f"{key} is longer than 64 characters")
    return str(value)


def items_of(record_id, rows) -> tuple[ShopItem, ...]:
    if not isinstance(rows, list):
        raise BadRecord(record_id, "items are not a list")
    items = []
    for row in rows:
        if not isinstance(row, dict):
            raise BadRecord(record_id, "an item is not an object")
        price = money(record_id, "price", row.get("price"))
        if price < 0:
            raise BadRecord(record_id, "an item has a negative price")
        name = text(row.get("name"), 255) or text(row.get("sku"), 255)
        sku = identifier(record_id, "sku", row.get("sku"), 64)
        items.append(ShopItem(sku, name, quantity(record_id, row.get("quantity")), price))
    return tuple(items)


def coupons_of(record_id, rows) -> tuple[ShopCoupon, ...]:
    if not isinstance(rows, list):
        raise BadRecord(record_id, "coupons are not a list")
    return tuple(
        ShopCoupon(
            identifier(record_id, "code", row.get("code"), 100), money(record_id, "discount", row.get("discount") or 0)
        )
        for row in rows
        if isinstance(row, dict) and row.get("code")
    )


# HTTP


def http_session(*, auth=None, retry_methods: Iterable[str] = ("GET",)) -> requests.Session:
    """A session whose idempotent requests are retried on timeouts, 429 and 5xx, backing off with jitter."""
    retry = Retry(
        total=settings.SHOP_RETRIES,
        backoff_factor=settings.SHOP_BACKOFF_SECONDS,
        backoff_jitter=settings.SHOP_BACKOFF_SECONDS,
        backoff_max=60,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset(retry_methods),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.auth = auth
    session.headers["Accept"] = "application/json"
    return session


class HttpShop:
    """What every HTTP backend shares: one session, one way to call and to read errors."""

    name = ""
    can_write = False
    retry_methods: tuple[str, ...] = ("GET",)

    def __init__(self, *, base_url: str, username: str = "", password: str = "", page_size: int = 100):
        if not base_url:
            raise ShopError("SHOP_URL is not set.")
        self.base_url = base_url.rstrip("/") + "/"
        self.page_size = page_size
        self.session = http_session(auth=(username, password) if username else None, retry_methods=self.retry_methods)

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        url = url if url.startswith(("http://", "https://")) else urljoin(self.base_url, url)
        try:
            response = self.session.request(method, url, timeout=settings.SHOP_TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise ShopError(f"The shop did not answer {method} {url}: {error}") from error
        if response.status_code in (401, 403):
            raise ShopAuthError(
                f"The shop refused the credentials ({response.status_code}) for {method} {url}: "
                "check SHOP_USERNAME and SHOP_PASSWORD."
            )
        if response.status_code >= 400:
            raise ShopError(f"The shop answered {response.status_code} to {method} {url}: {response.text[:300]}")
        return response

    def json(self, method: str, url: str, **kwargs):
        response = self.request(method, url, **kwargs)
        try:
            return response, response.json()
        except ValueError:
            raise ShopError(f"The shop's answer to {method} {url} is not JSON.") from None

    # What a backend may not offer answers with nothing.
    def promotions(self) -> Iterator[Page]:
        return iter(())

    def promo_codes(self) -> Iterator[Page]:
        return iter(())

    def discounts(self) -> Iterator[Page]:
        return iter(())

    def create_order(self, order) -> str:
        raise ShopError(f"The {self.name} backend cannot create orders in the shop.")


# The shop's own REST API (the thesis' shop); its order format is also the file import's.


def parse_rest_order(raw) -> ShopOrder:
    record_id = record_id_of(raw)
    customer = raw.get("customer") or {}
    if not isinstance(customer, dict):
        raise BadRecord(record_id, "customer is not an object")
    return ShopOrder(
        id=record_id,
        status=text(raw.get("status"), 50),
        created=moment(record_id, "created", raw.get("created")),
        modified=moment(record_id, "modified", raw.get("modified"), required=False),
        first_name=text(customer.get("first_name"), 150),
        last_name=text(customer.get("last_name"), 150),
        phone=text(customer.get("phone"), 40),
        email=text(customer.get("email"), 254).lower(),
        company=text(customer.get("company"), 255),
        payment_method=text(raw.get("payment_method"), 100),
        delivery_method=text(raw.get("delivery_method"), 100),
        total=money(record_id, "total", raw.get("total") or 0),
        items=items_of(record_id, raw.get("items") or []),
        coupons=coupons_of(record_id, raw.get("coupons") or []),
    )


def parse_rest_promotion(raw) -> ShopPromotion:
    record_id = record_id_of(raw)
    return ShopPromotion(
        id=record_id,
        name=text(raw.get("name"), 255) or record_id,
        description=text(raw.get("description"), 10000),
        starts_at=moment(record_id, "starts_at", raw.get("starts_at"), required=False),
        ends_at=moment(record_id, "ends_at", raw.get("ends_at"), required=False),
        discount_percent=money(record_id, "discount_percent", raw.get("discount_percent"), required=False),
    )


def parse_rest_promo_code(raw) -> ShopPromoCode:
    record_id = record_id_of(raw)
    limit = raw.get("usage_limit")
    return ShopPromoCode(
        id=record_id,
        code=identifier(record_id, "code", raw.get("code"), 100) or record_id,
        description=text(raw.get("description"), 10000),
        discount_type=text(raw.get("discount_type"), 30),
        amount=money(record_id, "amount", raw.get("amount") or 0),
        starts_at=moment(record_id, "starts_at", raw.get("starts_at"), required=False),
        ends_at=moment(record_id, "ends_at", raw.get("ends_at"), required=False),
        usage_count=whole(record_id, "usage_count", raw.get("usage_count")),
        usage_limit=whole(record_id, "usage_limit", limit, required=False),
    )


def parse_rest_discount(raw) -> ShopDiscount:
    record_id = record_id_of(raw)
    return ShopDiscount(
        id=record_id,
        name=text(raw.get("name"), 255) or record_id,
        sku=identifier(record_id, "sku", raw.get("sku"), 64),
        regular_price=money(record_id, "regular_price", raw.get("regular_price"), required=False),
        sale_price=money(record_id, "sale_price", raw.get("sale_price")),
        starts_at=moment(record_id, "starts_at", raw.get("starts_at"), required=False),
        ends_at=moment(record_id, "ends_at", raw.get("ends_at"), required=False),
    )


class RestShop(HttpShop):
    """DRF-style pages `{count, next, previous, results}` behind basic auth."""

    name = "rest"
    parse_order = staticmethod(parse_rest_order)
    parse_promotion = staticmethod(parse_rest_promotion)
    parse_promo_code = staticmethod(parse_rest_promo_code)
    parse_discount = staticmethod(parse_rest_discount)

    def _pages(self, path: str, params: dict) -> Iterator[Page]:
        url, params = path, {"page_size": self.page_size, **params}
        while url:
            _response, body = self.json("GET", url, params=params)
            if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                raise ShopError(f"The shop's page at {url} has no results list.")
            count = body.get("count")
            total = math.ceil(count / self.page_size) if isinstance(count, int) else None
            yield Page(body["results"], total)
            url, params = body.get("next"), None  # `next` carries every parameter

    def orders(self, *, since: datetime | None) -> Iterator[Page]:
        params = {"ordering": "modified"}
        if since:
            params["modified_after"] = since.isoformat()
        return self._pages("api/order/all/", params)

    def promotions(self):
        return self._pages("api/promotions/", {})

    def promo_codes(self):
        return self._pages("api/promocodes/", {})

    def discounts(self):
        return self._pages("api/discounts/", {})


# WooCommerce REST API v3


def _wc_moment(record_id, raw, name: str, *, required: bool = False):
    """WooCommerce gives each date twice; the `_gmt` one is UTC without an offset."""
    value = raw.get(f"{name}_gmt") or raw.get(name)
    return moment(record_id, name, value, required=required)


def parse_woocommerce_order(raw) -> ShopOrder:
    record_id = record_id_of(raw)
    billing = raw.get("billing") or {}
    if not isinstance(billing, dict) or not isinstance(raw.get("line_items", []), list):
        raise BadRecord(record_id, "billing or line_items have the wrong shape")
    shipping_lines = raw.get("shipping_lines") or []
    shipping_lines = shipping_lines if isinstance(shipping_lines, list) else []
    first_shipping = shipping_lines[0] if shipping_lines and isinstance(shipping_lines[0], dict) else {}
    delivery = first_shipping.get("method_title", "")
    items = items_of(
        record_id,
        [
            {
                "sku": line.get("sku") or "",
                "name": line.get("name"),
                "quantity": line.get("quantity"),
                # `price` is the unit price after discounts, sometimes a number, sometimes a string
                "price": line.get("price") if line.get("price") is not None else line.get("total"),
            }
            for line in raw.get("line_items") or []
            if isinstance(line, dict)
        ],
    )
    return ShopOrder(
        id=record_id,
        status=text(raw.get("status"), 50),
        created=_wc_moment(record_id, raw, "date_created", required=True),
        modified=_wc_moment(record_id, raw, "date_modified"),
        first_name=text(billing.get("first_name"), 150),
        last_name=text(billing.get("last_name"), 150),
        phone=text(billing.get("phone"), 40),
        email=text(billing.get("email"), 254).lower(),
        company=text(billing.get("company"), 255),
        payment_method=text(raw.get("payment_method_title") or raw.get("payment_method"), 100),
        delivery_method=text(delivery, 100),
        total=money(record_id, "total", raw.get("total") or 0),
        items=items,
        coupons=coupons_of(record_id, raw.get("coupon_lines") or []),
    )


def parse_woocommerce_coupon(raw) -> ShopPromoCode:
    record_id = record_id_of(raw)
    limit = raw.get("usage_limit")
    return ShopPromoCode(
        id=record_id,
        code=identifier(record_id, "code", raw.get("code"), 100) or record_id,
        description=text(raw.get("description"), 10000),
        discount_type=text(raw.get("discount_type"), 30),
        amount=money(record_id, "amount", raw.get("amount") or 0),
        # A coupon has no start date: it is valid from its creation.
        starts_at=_wc_moment(record_id, raw, "date_created"),
        ends_at=_wc_moment(record_id, raw, "date_expires"),
        usage_count=whole(record_id, "usage_count", raw.get("usage_count")),
        usage_limit=whole(record_id, "usage_limit", limit, required=False),
    )


def parse_woocommerce_product_sale(raw) -> ShopDiscount:
    record_id = record_id_of(raw)
    return ShopDiscount(
        id=record_id,
        name=text(raw.get("name"), 255) or record_id,
        sku=identifier(record_id, "sku", raw.get("sku"), 64),
        regular_price=money(record_id, "regular_price", raw.get("regular_price"), required=False),
        sale_price=money(record_id, "sale_price", raw.get("sale_price")),
        starts_at=_wc_moment(record_id, raw, "date_on_sale_from"),
        ends_at=_wc_moment(record_id, raw, "date_on_sale_to"),
    )


class WooCommerceShop(HttpShop):
    """`/wp-json/wc/v3/`: pages by `?page=` with `X-WP-TotalPages`; consumer key and secret over basic auth."""

    name = "woocommerce"
    can_write = True
    parse_order = staticmethod(parse_woocommerce_order)
    parse_promo_code = staticmethod(parse_woocommerce_coupon)
    parse_discount = staticmethod(parse_woocommerce_product_sale)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.base_url = urljoin(self.base_url, "wp-json/wc/v3/")

    def _pages(self, path: str, params: dict) -> Iterator[Page]:
        page, total = 1, None
        while total is None or page <= total:
            response, body = self.json("GET", path, params={**params, "page": page, "per_page": self.page_size})
            if not isinstance(body, list):
                raise ShopError(f"The shop's page {page} of {path} is not a list.")
            header = response.headers.get("X-WP-TotalPages", "")
            total = (
                int(header)
                if header.isascii() and header.isdigit()
                else (page + 1 if len(body) == self.page_size else page)
            )
            yield Page(body, total)
            page += 1

    def orders(self, *, since: datetime | None) -> Iterator[Page]:
        params = {"orderby": "date", "order": "asc", "dates_are_gmt": "true"}
        if since:
            params["modified_after"] = since.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds")
        return self._pages("orders", params)

    def promo_codes(self):
        return self._pages("coupons", {"orderby": "id", "order": "asc"})

    def discounts(self):
        return self._pages("products", {"on_sale": "true", "orderby": "id", "order": "asc"})

    def create_order(self, order) -> str:
        """POST the order (never retried: a retry could create it twice); returns the shop's id."""
        contact = order.contact
        phone = next(iter(contact.phones.all()), None)
        payload = {
            "status": "pending",
            "payment_method_title": order.payment_method,
            "billing": {
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "email": contact.email,
                "phone": phone.number if phone else "",
            },
            "line_items": [
                {
                    "name": item.name,
                    "sku": item.product.sku if item.product else "",
                    "quantity": item.quantity,
                    "subtotal": f"{item.quantity * item.price:.2f}",
                    "total": f"{item.quantity * item.price:.2f}",
                }
                for item in order.items.all()
            ],
            "shipping_lines": [{"method_id": "crm", "method_title": order.delivery_method, "total": "0.00"}]
            if order.delivery_method
            else [],
            "meta_data": [{"key": "crm_order_id", "value": str(order.pk)}],
        }
        _response, body = self.json("POST", "orders", json=payload)
        if not isinstance(body, dict) or not body.get("id"):
            raise ShopError("The shop created the order but gave back no id.")
        return str(body["id"])


# Horoshop


class HoroshopShop(HttpShop):
    """`/api/<function>/`, POST JSON with a token from `api/auth/` (lives about 600 s) in every body."""

    name = "horoshop"
    retry_methods = ("GET", "POST")  # every call used here only reads
    TOKEN_SECONDS = 570

    def __init__(self, *, username: str = "", password: str = "", **kwargs):
        super().__init__(**kwargs)
        self.login, self.password = username, password
        self.token, self.token_at = None, None

    def call(self, function: str, payload: dict, *, retried: bool = False):
        now = datetime.now(UTC)
        if self.token is None or (now - self.token_at).total_seconds() > self.TOKEN_SECONDS:
            self._authenticate()
        try:
            _response, body = self.json("POST", f"api/{function}/", json={**payload, "token": self.token})
        except ShopAuthError:
            if retried:
                raise
            self.token = None
            return self.call(function, payload, retried=True)
        status = body.get("status") if isinstance(body, dict) else None
        if status in ("OK", "WARNING"):
            return body.get("response") or {}
        if status == "EMPTY":
            return {}
        if status == "UNDEFINED_FUNCTION":
            raise ShopError(f"Horoshop does not offer {function} on this shop's plan.")
        message = (body.get("response") or {}).get("message", "") if isinstance(body, dict) else ""
        raise ShopError(f"Horoshop answered {status} to {function}: {message}")

    def _authenticate(self):
        _response, body = self.json("POST", "api/auth/", json={"login": self.login, "password": self.password})
        token = (body.get("response") or {}).get("token") if isinstance(body, dict) else None
        if body.get("status") != "OK" or not token:
            raise ShopAuthError("Horoshop refused the login: check SHOP_USERNAME and SHOP_PASSWORD.")
        self.token, self.token_at = token, datetime.now(UTC)

    def orders(self, *, since: datetime | None) -> Iterator[Page]:
        start = since or datetime(2000, 1, 1, tzinfo=UTC)
        period = {"from": start.strftime("%Y-%m-%d %H:%M:%S"), "to": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")}
        offset = 0
        while True:
            response = self.call("orders/get", {**period, "offset": offset, "limit": self.page_size})
            orders = response.get("orders") or []
            if orders:
                yield Page(orders, None)
            if len(orders) < self.page_size:
                return
            offset += len(orders)

    @staticmethod
    def parse_order(raw) -> ShopOrder:
        """Horoshop's keys for the buyer and dates are not in its public notes; see README."""
        record_id = record_id_of(raw, "order_id")
        buyer = raw.get("delivery_data") or {}
        products = raw.get("products") or []
        if not isinstance(products, list) or not isinstance(buyer, dict):
            raise BadRecord(record_id, "products or delivery_data have the wrong shape")
        coupon_value = raw.get("coupon_discount_value") or 0
        coupon_code = identifier(record_id, "coupon_code", raw.get("coupon_code"), 100) or text(
            f"coupon-{raw.get('coupon_percent')}%", 100
        )
        return ShopOrder(
            id=record_id,
            status=text(raw.get("stat_status") or raw.get("status"), 50),
            # Horoshop speaks the shop's local time, taken to be the project's time zone
            created=moment(record_id, "stat_created", raw.get("stat_created"), naive_is_utc=False),
            modified=moment(record_id, "stat_updated", raw.get("stat_updated"), required=False, naive_is_utc=False),
            first_name=text(raw.get("delivery_name"), 150),
            phone=text(raw.get("delivery_phone"), 40),
            email=text(raw.get("delivery_email"), 254).lower(),
            payment_method=text(raw.get("payment_type") or raw.get("payment_title"), 100),
            delivery_method=text(raw.get("delivery_type") or buyer.get("deliveryOperatorType"), 100),
            total=money(record_id, "total_sum", raw.get("total_sum") or 0),
            items=items_of(
                record_id,
                [
                    {
                        "sku": product.get("article") or "",
                        "name": product.get("title") or product.get("article") or "",
                        "quantity": product.get("quantity", 1),
                        "price": product.get("price"),
                    }
                    for product in products
                    if isinstance(product, dict) and product.get("type", "product") in ("product", "set_main", "gift")
                ],
            ),
            coupons=(ShopCoupon(coupon_code, money(record_id, "coupon", coupon_value)),) if coupon_value else (),
        )


BACKENDS = {"rest": RestShop, "woocommerce": WooCommerceShop, "horoshop": HoroshopShop}


def shop_can_write() -> bool:
    backend = BACKENDS.get(settings.SHOP_BACKEND)
    return bool(backend and backend.can_write and settings.SHOP_URL)


def get_shop():
    """The client of the configured shop backend."""
    backend = BACKENDS.get(settings.SHOP_BACKEND)
    if backend is None:
        raise ShopError(f"Unknown SHOP_BACKEND {settings.SHOP_BACKEND!r}: one of {', '.join(BACKENDS)}.")
    return backend(
        base_url=settings.SHOP_URL,
        username=settings.SHOP_USERNAME,
        password=settings.SHOP_PASSWORD,
        page_size=settings.SHOP_PAGE_SIZE,
    )


# Files exported by the shop: the rest backend's JSON, or CSV with one row per item.

CSV_ORDER_COLUMNS = (
    "id",
    "status",
    "created",
    "modified",
    "first_name",
    "last_name",
    "phone",
    "email",
    "company",
    "payment_method",
    "delivery_method",
    "total",
    "coupons",
)
CSV_ITEM_COLUMNS = ("sku", "name", "quantity", "price")


def read_order_file(content: bytes, filename: str, *, page_size: int = 500) -> Iterator[Page]:
    """Pages of rest-format raw orders from a JSON (a list, or a page with `results`) or CSV file."""
    text_content = content.decode("utf-8-sig")
    if filename.lower().endswith(".csv"):
        records = list(_csv_orders(text_content))
    else:
        try:
            body = json.loads(text_content)
        except ValueError as error:
            raise ShopError(f"{filename} is not JSON: {error}") from None
        records = body.get("results") if isinstance(body, dict) else body
        if not isinstance(records, list):
            raise ShopError(f"{filename} holds no list of orders.")
    total = max(1, math.ceil(len(records) / page_size))
    for start in range(0, len(records), page_size):
        yield Page(records[start : start + page_size], total)


def _csv_orders(content: str) -> Iterator[dict]:
    reader = csv.DictReader(io.StringIO(content))
    missing = set(CSV_ORDER_COLUMNS + CSV_ITEM_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise ShopError(f"The CSV file lacks the columns {', '.join(sorted(missing))}.")
    orders: dict[str, dict] = {}
    for row in reader:
        order = orders.get(row["id"])
        if order is None:
            order = orders[row["id"]] = {
                "id": row["id"],
                "status": row["status"],
                "created": row["created"],
                "modified": row["modified"] or None,
                "customer": {key: row[key] for key in ("first_name", "last_name", "phone", "email", "company")},
                "payment_method": row["payment_method"],
                "delivery_method": row["delivery_method"],
                "total": row["total"],
                "items": [],
                "coupons": [
                    {"code": code, "discount": discount}
                    for code, _sep, discount in (part.partition(":") for part in row["coupons"].split(";") if part)
                ],
            }
        if row["sku"] or row["name"]:
            order["items"].append({key: row[key] for key in CSV_ITEM_COLUMNS})
    yield from orders.values()


@dataclass
class Summary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "problems": self.problems[:100],
        }

    def __str__(self):
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, skipped {self.skipped}"
