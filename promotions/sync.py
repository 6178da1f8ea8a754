"""Promotions, promo codes and discounts from the shop: bulk upserts keyed by (backend, shop id)."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict

from django.db import transaction
from django.utils import timezone

from deals.models import Product
from deals.shop import BadRecord, Page, Summary
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
    parsed = {}
    for raw in page.records:
        try:
            record = parse(raw)
        except BadRecord as error:
            summary.skipped += 1
            summary.problems.append(f"{error.record_id}: {error.reason}")
            logger.warning("Shop %s %s skipped: %s", model._meta.model_name, error.record_id, error.reason)
            continue
        parsed[record.id] = asdict(record)
    if not parsed:
        return
    if "product_id" in fields:
        skus = {values["sku"] for values in parsed.values() if values["sku"]}
        products = dict(Product.objects.filter(sku__in=skus).values_list("sku", "pk"))
        for values in parsed.values():
            values["product_id"] = products.get(values["sku"])
    known = {
        row[0]: row[1:]
        for row in model.objects.filter(source=source, external_id__in=parsed).values_list("external_id", *fields)
    }
    now = timezone.now()
    rows = []
    for external_id, values in parsed.items():
        current = tuple(values[name] for name in fields)
        if external_id in known:
            if known[external_id] == current:
                summary.unchanged += 1
                continue
            summary.updated += 1
        else:
            summary.created += 1
        rows.append(
            model(
                source=source,
                external_id=external_id,
                created_at=now,
                updated_at=now,
                **{name: values[name] for name in fields},
            )
        )
    with transaction.atomic():
        model.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["source", "external_id"],
            update_fields=[*fields, "updated_at"],
        )


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
