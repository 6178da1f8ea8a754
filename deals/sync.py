"""Shop orders into contacts, deals, orders, items and products: bulk upserts keyed by the shop's ids.

`OrderImport.import_page` stores one page in one transaction with a fixed number of queries
whatever the page size. An order whose record is unchanged since the last import (same
fingerprint) is skipped without a write, so a re-run costs one query per page.

Every row is brought within its columns by `crm.workers.records.fit` before it is written, and a page is
written by `crm.workers.records.write_each`: an order refused on the way in, whatever refused it, is
skipped with its reason (in the summary the run stores) while the rest of the page is written.

What the sync owns: orders with the shop's id, and the deals it made for them (the deal whose
`shop_order_id` is its order's). Of such a deal the shop is the source of the order's state only,
DEAL_SYNC_FIELDS: pipeline and stage (through the status mapping), status and closing time, payment
status and type, amount. Title, contact, company name and responsible are set when the deal is
made and are people's to change afterwards. An order already in the CRM keeps its deal, so an
order made in the CRM on a deal and sent to the shop comes back on that deal, which is left alone.
"""

import copy
import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from contacts.models import Contact, Phone
from crm.api.phones import normalize_phone
from crm.webhooks import outbox
from crm.workers.bulk import bulk_copy, bulk_insert, bulk_upsert
from crm.workers.records import fit, write_each
from deals.models import (
    Deal,
    DealStatus,
    Order,
    OrderCoupon,
    OrderItem,
    PaymentStatus,
    Pipeline,
    Product,
    SendStatus,
    ShopStatusMapping,
    Stage,
    SyncState,
)
from deals.shop import Page, ShopOrder, Summary, parsed

logger = logging.getLogger(__name__)

DEAL_SYNC_FIELDS = [
    "pipeline",
    "stage",
    "payment_status",
    "payment_type",
    "status",
    "closed_at",
    "amount",
    "updated_at",
]
ORDER_SYNC_FIELDS = [
    "contact",
    "deal",
    "status",
    "ordered_at",
    "payment_method",
    "delivery_method",
    "amount",
    "shop_modified_at",
    "fingerprint",
    "updated_at",
]


def fingerprint(order: ShopOrder) -> str:
    # A frozen dataclass's repr names every field, nested items included; far cheaper than JSON.
    return hashlib.sha256(repr(order).encode()).hexdigest()


def _phone(raw: str) -> str | None:
    if not raw:
        return None
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


class StatusMap:
    """The shop status → stage mapping of one backend, read once per run.

    A status nobody mapped yet is added to the mapping, pointing at the first stage of the
    backend's pipeline, so an admin sees it in admin and can point it elsewhere.
    """

    def __init__(self, backend: str):
        self.backend = backend
        self.rows = {
            row.shop_status: row for row in ShopStatusMapping.objects.filter(backend=backend).select_related("stage")
        }
        self.new_statuses: list[str] = []

    def get(self, status: str) -> ShopStatusMapping | None:
        row = self.rows.get(status)
        if row is None:
            stage = self._fallback_stage()
            if stage is None:
                return None
            row, _created = ShopStatusMapping.objects.get_or_create(
                backend=self.backend, shop_status=status, defaults={"stage": stage}
            )
            row.stage = stage if row.stage_id == stage.pk else Stage.objects.get(pk=row.stage_id)
            self.rows[status] = row
            self.new_statuses.append(status)
        return row

    def _fallback_stage(self) -> Stage | None:
        known = next(iter(self.rows.values()), None)
        pipeline_id = known.stage.pipeline_id if known else Pipeline.objects.values_list("pk", flat=True).first()
        return Stage.objects.filter(pipeline_id=pipeline_id).order_by("position").first() if pipeline_id else None


class OrderImport:
    def __init__(self, *, backend: str, parse):
        self.backend = backend
        self.parse = parse
        self.statuses = StatusMap(backend)
        self.summary = Summary()
        self.latest_modified: datetime | None = None

    def skip(self, record_id, reason: str) -> None:
        self.summary.skipped += 1
        self.summary.problems.append(f"{record_id}: {reason}")
        logger.warning("Shop order %s skipped: %s", record_id, reason)

    def parse_page(self, page: Page) -> list[ShopOrder]:
        # a page listing an order twice keeps the last
        orders = {order.id: order for order in parsed(page.records, self.parse, self.skip)}
        return list(orders.values())

    def import_page(self, page: Page) -> None:
        """Store one page; if anything refuses it, its orders are written one by one and the refused skipped."""
        write_each(self.parse_page(page), self._write, skip=self._refused)

    def _write(self, orders: list[ShopOrder]) -> None:
        # A refused write is rolled back, and so is what it counted and which statuses it mapped.
        summary, rows, new_statuses = (
            copy.deepcopy(self.summary),
            dict(self.statuses.rows),
            self.statuses.new_statuses[:],
        )
        try:
            self.import_orders(orders)
        except BaseException:
            self.summary, self.statuses.rows, self.statuses.new_statuses = summary, rows, new_statuses
            raise

    def _refused(self, order: ShopOrder, reason: str) -> None:
        self.skip(order.id, f"not written: {reason}")

    def import_orders(self, orders: list[ShopOrder]) -> None:
        if not orders:
            return
        prints = {order.id: fingerprint(order) for order in orders}
        known = {
            row[0]: row[1:]  # (pk, fingerprint, contact id, deal id, the deal's shop order id, status)
            for row in Order.objects.filter(shop_order_id__in=prints).values_list(
                "shop_order_id", "pk", "fingerprint", "contact_id", "deal_id", "deal__shop_order_id", "status"
            )
        }
        changed = []
        for order in orders:
            if order.id in known and known[order.id][1] == prints[order.id]:
                self.summary.unchanged += 1
            else:
                changed.append(order)
            self._saw(order.modified or order.created)
        if not changed:
            return
        mapped = []
        for order in changed:
            mapping = self.statuses.get(order.status)
            if mapping is None:
                self.skip(order.id, "there is no pipeline to put its deal in")
            else:
                mapped.append((order, mapping))
        if not mapped:
            return
        contacts = self._contacts([order for order, _m in mapped], known)
        products = self._products([order for order, _m in mapped])
        deals = self._deals(mapped, contacts, known)
        self._orders(mapped, contacts, deals, prints, known, products)
        for order, _mapping in mapped:
            if order.id in known:
                self.summary.updated += 1
            else:
                self.summary.created += 1

    def _saw(self, moment: datetime) -> None:
        if self.latest_modified is None or moment > self.latest_modified:
            self.latest_modified = moment

    def _contacts(self, orders: list[ShopOrder], known: dict) -> dict[str, int]:
        """order id → contact id: the order's contact if it was imported before, else by phone, then email."""
        phones = {order.id: _phone(order.phone) for order in orders}
        # no ORDER BY: sorting by the default id invites a walk of the primary key over the whole table
        by_phone = dict(
            Phone.objects.filter(number__in={p for p in phones.values() if p})
            .order_by()
            .values_list("number", "contact_id")
        )
        # people type their addresses in any case: Olena@Shop.ua in the CRM is olena@shop.ua in the shop
        emails = {order.email.lower() for order in orders if order.email}
        by_email = {}
        for email, pk in (
            Contact.objects.annotate(email_key=Lower("email"))
            .filter(email_key__in=emails)
            .order_by("pk")
            .values_list("email_key", "pk")
        ):
            by_email.setdefault(email, pk)
        result, new_contacts, new_keys, email_alias = {}, {}, {}, {}
        for order in orders:
            phone = phones[order.id]
            pk = (
                (known[order.id][2] if order.id in known else None)
                or (by_phone.get(phone) if phone else None)
                or (by_email.get(order.email.lower()) if order.email else None)
            )
            if pk:
                result[order.id] = pk
                continue
            key = phone or email_alias.get(order.email) or order.email or f"order:{order.id}"
            if key not in new_contacts:
                new_contacts[key] = (
                    fit(
                        Contact,
                        {
                            "first_name": order.first_name,
                            "last_name": order.last_name,
                            "email": order.email,
                            "payment_method": order.payment_method,
                            "delivery_method": order.delivery_method,
                        },
                    ),
                    phone,
                )
                # the same person may come with a phone in one order and only an email in another
                if phone and order.email:
                    email_alias.setdefault(order.email, key)
            new_keys[order.id] = key
        keys = list(new_contacts)
        contact_pks = dict(zip(keys, bulk_insert(Contact, [new_contacts[k][0] for k in keys]), strict=True))
        bulk_upsert(
            Phone,
            [{"contact_id": contact_pks[k], "number": new_contacts[k][1]} for k in keys if new_contacts[k][1]],
            unique=["number"],
            key="number",
        )
        for order_id, key in new_keys.items():
            result[order_id] = contact_pks[key]
        self._refresh_contact_methods(orders, result)
        return result

    def _refresh_contact_methods(self, orders: list[ShopOrder], contacts: dict[str, int]) -> None:
        """A returning customer's payment and delivery methods become those of their latest order."""
        latest: dict[int, ShopOrder] = {}
        for order in orders:
            pk = contacts[order.id]
            if pk not in latest or order.created >= latest[pk].created:
                latest[pk] = order
        stale = [
            Contact(
                pk=pk,
                **fit(
                    Contact,
                    {"payment_method": latest[pk].payment_method, "delivery_method": latest[pk].delivery_method},
                ),
            )
            for pk, payment, delivery in Contact.objects.filter(pk__in=latest).values_list(
                "pk", "payment_method", "delivery_method"
            )
            if (payment, delivery) != (latest[pk].payment_method, latest[pk].delivery_method)
            and (latest[pk].payment_method or latest[pk].delivery_method)
        ]
        if stale:
            now = timezone.now()
            for contact in stale:
                contact.updated_at = now
            Contact.objects.bulk_update(stale, ["payment_method", "delivery_method", "updated_at"])

    def _products(self, orders: list[ShopOrder]) -> dict[str, int]:
        names = {item.sku: item.name for order in orders for item in order.items if item.sku}
        if not names:
            return {}
        found = dict(Product.objects.filter(sku__in=names).values_list("sku", "pk"))
        missing = [fit(Product, {"sku": sku, "name": names[sku] or sku}) for sku in names if sku not in found]
        if missing:
            bulk_upsert(Product, missing, unique=["sku"], key="sku")
            # a product another run added meanwhile is not returned by the insert: read them all back
            found.update(Product.objects.filter(sku__in=[row["sku"] for row in missing]).values_list("sku", "pk"))
        return found

    def _deals(self, mapped, contacts: dict[str, int], known: dict) -> dict[str, int]:
        """order id → deal id: the deal the order is on, or, when it is on none, the sync's deal for it.

        Only the sync's own deals are written; an order already on another deal stays there.
        """
        now = timezone.now()
        # a new deal goes to whoever looks after the customer; an existing deal keeps its responsible
        responsible = dict(
            Contact.objects.filter(pk__in=set(contacts.values()), responsible__isnull=False).values_list(
                "pk", "responsible_id"
            )
        )
        result, deals = {}, []
        for order, mapping in mapped:
            _pk, _print, _contact, deal_id, deal_shop_id, _status = known.get(order.id, (None,) * 6)
            if deal_id is not None and deal_shop_id != order.id:
                result[order.id] = deal_id
                continue
            closed = mapping.deal_status != DealStatus.OPEN
            deals.append(
                fit(
                    Deal,
                    {
                        "title": f"Order {order.id}",
                        "contact_id": contacts[order.id],
                        "pipeline_id": mapping.stage.pipeline_id,
                        "stage_id": mapping.stage_id,
                        "shop_order_id": order.id,
                        "payment_status": mapping.payment_status,
                        "payment_type": order.payment_method,
                        "status": mapping.deal_status,
                        "closed_at": (order.modified or order.created or now) if closed else None,
                        "amount": max(order.total, 0),
                        "company_name": order.company,
                        "responsible_id": responsible.get(contacts[order.id]),
                    },
                )
            )
        result.update(bulk_upsert(Deal, deals, unique=["shop_order_id"], update=DEAL_SYNC_FIELDS, key="shop_order_id"))
        return result

    def _orders(self, mapped, contacts, deals, prints, known, products) -> None:
        rows = [
            fit(
                Order,
                {
                    "contact_id": contacts[order.id],
                    "deal_id": deals[order.id],
                    "shop_order_id": order.id,
                    "ordered_at": order.created,
                    "status": order.status,
                    "payment_method": order.payment_method,
                    "delivery_method": order.delivery_method,
                    "amount": order.total,
                    "shop_modified_at": order.modified,
                    "fingerprint": prints[order.id],
                    "send_status": SendStatus.FROM_SHOP,
                },
            )
            for order, _mapping in mapped
        ]
        order_pks = bulk_upsert(Order, rows, unique=["shop_order_id"], update=ORDER_SYNC_FIELDS, key="shop_order_id")
        outbox.queue_records("order.paid", model=Order, records=self._newly_paid(mapped, known, order_pks))
        replaced = [known[order.id][0] for order, _m in mapped if order.id in known]
        if replaced:
            OrderItem.objects.filter(order_id__in=replaced).delete()
            OrderCoupon.objects.filter(order_id__in=replaced).delete()
        items = []
        for order, _m in mapped:
            for item in order.items:
                row = {
                    "order_id": order_pks[order.id],
                    "product_id": products.get(item.sku),
                    "name": item.name,
                    "quantity": item.quantity,
                    "price": item.price,
                }
                fit(OrderItem, {"total": item.quantity * item.price})  # the line total the database computes
                items.append(fit(OrderItem, row))
        bulk_copy(OrderItem, items)
        bulk_copy(
            OrderCoupon,
            [
                fit(OrderCoupon, {"order_id": order_pks[order.id], "code": coupon.code, "discount": coupon.discount})
                for order, _m in mapped
                for coupon in order.coupons
            ],
        )

    def _newly_paid(self, mapped, known, order_pks):
        """(pk, moment) of the orders whose status is now one mapped as paid and was not before (or is new)."""
        now = timezone.now()
        for order, mapping in mapped:
            if mapping.payment_status != PaymentStatus.PAID:
                continue
            if order.id in known:
                before = self.statuses.rows.get(known[order.id][5])
                if before is not None and before.payment_status == PaymentStatus.PAID:
                    continue
            yield order_pks[order.id], order.modified or now


def run_import(*, importer: OrderImport, pages: Iterable[Page], progress=None) -> Summary:
    for page in pages:
        if progress is not None and page.total_pages and progress.total != page.total_pages:
            progress.total = page.total_pages
            progress.refresh()
        importer.import_page(page)
        if progress is not None:
            progress.update(1)
    if importer.statuses.new_statuses:
        importer.summary.problems.append(
            "statuses not mapped yet, put on the first stage (edit them in admin): "
            + ", ".join(importer.statuses.new_statuses)
        )
    return importer.summary


def sync_state(name: str) -> SyncState:
    state, _created = SyncState.objects.get_or_create(name=name)
    return state


def record_run(*, state: SyncState, started_at, summary: Summary, checkpoint: datetime | None, error: str = "") -> None:
    state.last_started_at = started_at
    state.last_finished_at = timezone.now()
    state.last_summary = summary.as_dict()
    state.last_error = error
    fields = ["last_started_at", "last_finished_at", "last_summary", "last_error"]
    if checkpoint is not None and (state.checkpoint is None or checkpoint > state.checkpoint):
        state.checkpoint = checkpoint
        fields.append("checkpoint")
    state.save(update_fields=fields)
