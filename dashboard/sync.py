"""Google Analytics months into MonthlyAnalytics: parse, derive, upsert all of a run in one transaction."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dashboard import google_analytics
from dashboard.metrics import COUNT_FIELDS, DERIVED_FIELDS, GA4_METRICS, SUMMED_FIELDS, derived
from dashboard.models import MonthlyAnalytics, SyncCheckpoint

CHECKPOINT = "sync_analytics"


@dataclass
class SyncResult:
    months: list[datetime.date] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)


class BadRow(ValueError):
    pass


def parse_row(row: dict, *, currency: str = "") -> dict:
    """A report row as MonthlyAnalytics fields; a missing metric counts as zero; anything unreadable → BadRow."""
    year_month = row.get("yearMonth") or ""
    try:
        month = datetime.date(int(year_month[:4]), int(year_month[4:6]), 1)
        if len(year_month) != 6:
            raise ValueError
    except ValueError:
        raise BadRow(f"yearMonth {year_month!r} is not YYYYMM") from None
    figures = {"month": month, "currency": currency[:3]}
    for metric, name in GA4_METRICS.items():
        raw = row.get(metric)
        try:
            value = Decimal(raw) if raw not in (None, "") else Decimal(0)
        except InvalidOperation:
            raise BadRow(f"{year_month}: {metric} {raw!r} is not a number") from None
        if not value.is_finite() or value < 0:
            raise BadRow(f"{year_month}: {metric} {raw!r} is not a count or an amount")
        figures[name] = int(value) if name in COUNT_FIELDS else value.quantize(Decimal("0.01"))
    figures.update(derived(figures))
    return figures


def last_synced_month() -> datetime.date | None:
    checkpoint = SyncCheckpoint.objects.filter(name=CHECKPOINT).first()
    return datetime.date.fromisoformat(checkpoint.position) if checkpoint else None


def sync_analytics(*, client, property_id: str, start: datetime.date, end: datetime.date, progress=None) -> SyncResult:
    """Fetch the months of [start, end] and store them; Google's refusal raises before anything is written."""
    rows, metadata = google_analytics.run_report(client, property_id=property_id, start=start, end=end)
    result = SyncResult()
    parsed = {}
    for row in rows:
        try:
            figures = parse_row(row, currency=metadata.get("currencyCode", ""))
        except BadRow as error:
            result.skipped.append(str(error))
            continue
        parsed[figures["month"]] = figures
        if progress is not None:
            progress.update(1)
    fields = [*SUMMED_FIELDS, *DERIVED_FIELDS, "currency"]
    with transaction.atomic():
        existing = set(MonthlyAnalytics.objects.filter(month__in=parsed).values_list("month", flat=True))
        MonthlyAnalytics.objects.bulk_create(
            [MonthlyAnalytics(**figures) for figures in parsed.values()],
            update_conflicts=True,
            unique_fields=["month"],
            update_fields=[*fields, "updated_at"],
        )
        if parsed:
            SyncCheckpoint.objects.update_or_create(name=CHECKPOINT, defaults={"position": max(parsed).isoformat()})
    result.months = sorted(parsed)
    result.updated = len(existing)
    result.created = len(parsed) - len(existing)
    return result
