"""A user's communication centre: one answer made of sections that apps register in their AppConfig.ready().

    center.register("recent_calls", recent_calls)

A section is `builder(*, user, limit) -> data`, JSON-ready, built in a fixed number
of queries whatever the number of rows, and showing only what `user` may see.
`first_rows()` gives the common shape `{"count": n, "items": [...]}` in one query.
"""

from collections.abc import Callable

from django.db.models import Count, QuerySet, Window

_sections: dict[str, Callable[..., object]] = {}


def register(name: str, builder: Callable[..., object]) -> None:
    _sections[name] = builder


def sections() -> list[str]:
    return list(_sections)


def build(*, user, limit: int) -> dict:
    return {name: builder(user=user, limit=limit) for name, builder in _sections.items()}


def first_rows(queryset: QuerySet, *fields: str, limit: int) -> dict:
    """The first `limit` rows as dicts of `fields` and the number of all rows, in one query."""
    rows = list(queryset.annotate(center_total=Window(Count("pk"))).values(*fields, "center_total")[:limit])
    total = rows[0]["center_total"] if rows else 0
    for row in rows:
        del row["center_total"]
    return {"count": total, "items": rows}
