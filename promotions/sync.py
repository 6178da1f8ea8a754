"""Promotions, promo codes and discounts from the shop: bulk upserts keyed by (backend, shop id).

Rows are written under the workers' rule (`crm.workers.records`): each brought within its columns by `fit`,
each page by `write_each`, so a record refused on the way in is skipped with its reason in the
summary while the rest is written.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict

from django.utils import timezone

from crm.workers.records import fit, write_each
from deals.models import Product
from deals.shop import Page, Summary, parsed
from promotions.models import Discount, PromoCode, Promotion

logger = logging.getLogger(__name__)

# model, the client's method giving pages, the client's parser, fields copied from the parsed record
KINDS = {
    "promotions": (
        Promotion,
        "promotions",
        "parse_promotion",
        ["name", "description", "starts_at", "ends_at", "discount_percent"],
    ),
    "promo_codes": (
        PromoCode,
        "promo_codes",
        "parse_promo_code",
        ["code", "description", "discount_type", "amount", "starts_at", "ends_at", "usage_count", "usage_limit"],
    ),
    "discounts": (
        Discount,
        "discounts",
        "parse_discount",
        ["name", "sku", "product_id", "regular_price", "sale_price", "starts_at", "ends_at"],
    ),
}


def import_page(*, model, fields: list[str], source: str, page: Page, parse: Callable, summary: Summary) -> None:
    """Store one page; a record refused on the way in, whatever refused it, is skipped with its reason."""

    def skip(record_id, reason: str) -> None:
        summary.skipped += 1
        summary.problems.append(f"{record_id}: {reason}")
        logger.warning("Shop %s %s skipped: %s", model._meta.model_name, record_id, reason)

    records = {record.id: asdict(record) for record in parsed(page.records, parse, skip)}
    if not records:
        return
    if "product_id" in fields:
        skus = {values["sku"] for values in records.values() if values["sku"]}
        products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
        for values in records.values():
            values["product_id"] = products.get(values["sku"])
    known = {
        row[0]: row[1:]
        for row in model.objects.filter(source=source, external_id__in=records).values_list("external_id", *fields)
    }
    rows = []  # (the shop's id, "created" or "updated", the row's values)
    for external_id, values in records.items():
        current = {name: values[name] for name in fields}
        if external_id not in known:
            rows.append((external_id, "created", current))
        elif known[external_id] != tuple(current.values()):
            rows.append((external_id, "updated", current))
        else:
            summary.unchanged += 1
    now = timezone.now()

    def write(batch) -> None:
        model.objects.bulk_create(
            [
                model(created_at=now, updated_at=now, **fit(model, {"source": source, "external_id": key, **values}))
                for key, _outcome, values in batch
            ],
            update_conflicts=True,
            unique_fields=["source", "external_id"],
            update_fields=[*fields, "updated_at"],
        )
        for _key, outcome, _values in batch:
            setattr(summary, outcome, getattr(summary, outcome) + 1)

    write_each(rows, write, skip=lambda row, reason: skip(row[0], f"not written: {reason}"))


def import_all(*, client, source: str, progress=None) -> dict[str, Summary]:
    summaries = {}
    for kind, (model, pages_method, parser, fields) in KINDS.items():
        summary = summaries[kind] = Summary()
        parse = getattr(client, parser, None)
        pages: Iterable[Page] = getattr(client, pages_method)() if parse else ()
        for page in pages:
            import_page(model=model, fields=fields, source=source, page=page, parse=parse, summary=summary)
            if progress is not None:
                progress.update(1)
    return summaries
