"""The contact card's timeline: everything about a contact, newest first, from every app that has something.

An app registers each kind of entry in its AppConfig.ready(), in one line:

    timeline.register("orders", visible_to=orders_visible, at="ordered_at", title="shop_order_id", url_name=...)

`visible_to(user=...)` is the app's list selector, so the timeline shows only what the
user may see in that list. `contact` is the lookup from the row to its contact (or a
callable turning a contact into a Q, for generic relations); `at` a datetime field;
`title` and `status` fields or expressions. All kinds are read in one UNION query per page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast
from django.urls import reverse

from crm.api.pagination import MergedRows

COLUMNS = ("t_kind", "t_id", "t_at", "t_title", "t_status")


@dataclass(frozen=True)
class Kind:
    name: str
    visible_to: Callable[..., models.QuerySet]
    contact: str | Callable[[models.Model], Q]
    at: str
    title: str | models.Expression
    status: str | models.Expression | None
    url_name: str | None


_kinds: dict[str, Kind] = {}


def register(
    name: str,
    *,
    visible_to: Callable[..., models.QuerySet],
    at: str,
    title: str | models.Expression,
    contact: str | Callable[[models.Model], Q] = "contact",
    status: str | models.Expression | None = None,
    url_name: str | None = None,
) -> None:
    _kinds[name] = Kind(name, visible_to, contact, at, title, status, url_name)


def kinds() -> list[str]:
    return list(_kinds)


def _as_text(value) -> models.Expression:
    expression = F(value) if isinstance(value, str) else value
    return Cast(expression, CharField())


def _rows(kind: Kind, *, contact, user) -> models.QuerySet:
    condition = kind.contact(contact) if callable(kind.contact) else Q(**{kind.contact: contact})
    return (
        kind.visible_to(user=user)
        .filter(condition)
        .order_by()
        .annotate(
            t_kind=Value(kind.name, output_field=CharField()),
            t_id=F("pk"),
            t_at=F(kind.at),
            t_title=_as_text(kind.title),
            t_status=_as_text(kind.status) if kind.status else Value("", output_field=CharField()),
        )
        .values(*COLUMNS)
    )


def contact_timeline(*, contact, user, kinds: list[str] | None = None) -> MergedRows:
    """Every registered kind (or only `kinds`) as one list, newest first."""
    parts = [_rows(kind, contact=contact, user=user) for name, kind in _kinds.items() if kinds is None or name in kinds]
    if not parts:
        parts = [_rows(next(iter(_kinds.values())), contact=contact, user=user).none()]
    return MergedRows(parts, ("-t_at", "t_kind", "-t_id"))


def entry(row: dict) -> dict:
    """A row of the UNION as the API shows it, with the link to the entry's own endpoint."""
    kind = _kinds[row["t_kind"]]
    return {
        "kind": kind.name,
        "id": row["t_id"],
        "at": row["t_at"],
        "title": row["t_title"] or "",
        "status": row["t_status"] or "",
        "url": reverse(kind.url_name, args=[row["t_id"]]) if kind.url_name else None,
    }
