"""Global search: which models it looks in, and how.

An app registers each searchable model in its AppConfig.ready(), in one line:

    search.register("leads", Lead, visible_to=leads_visible, fields=["name", "email"], phone_field="phone")

`visible_to(user=...)` is the same selector the app's list uses, so search shows
exactly the rows the user may see there. `fields` are matched by substring in
any case and, on PostgreSQL, by trigram similarity (a typo still finds the name)
with the indexes `search_indexes()` adds in a migration. `document` fields are
matched by full-text search on PostgreSQL. `phone_field` is a path to numbers
stored as E.164: they match the digits of the query in any spelling.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, SearchVectorExact, TrigramSimilarity
from django.db import connection, migrations, models
from django.db.models import Count, FloatField, Q, Value, Window
from django.db.models.functions import Greatest, Upper
from django.db.models.lookups import Contains
from django.urls import reverse

MIN_QUERY_LENGTH = 2
MIN_PHONE_DIGITS = 4
TEXT_CONFIG = "simple"  # names and Ukrainian text: no stemming, the same tokens in every language


@dataclass(frozen=True)
class Source:
    type: str
    model: type[models.Model]
    visible_to: Callable[..., models.QuerySet]
    fields: tuple[str, ...]
    url_name: str
    document: tuple[str, ...] = ()
    phone_field: str | None = None
    status_field: str | Callable[[models.Model], str] | None = "status"
    title: Callable[[models.Model], str] = str
    similar: tuple[str, ...] = ()


_sources: dict[str, Source] = {}


def register(
    type: str,
    model: type[models.Model],
    *,
    visible_to: Callable[..., models.QuerySet],
    fields: list[str] | tuple[str, ...],
    url_name: str,
    document: list[str] | tuple[str, ...] = (),
    phone_field: str | None = None,
    status_field: str | Callable[[models.Model], str] | None = "status",
    title: Callable[[models.Model], str] = str,
    similar: list[str] | tuple[str, ...] | None = None,
) -> None:
    """`similar`: the fields (names) matched by trigram similarity when no row contains the words.

    All `fields` by default; name only the fields where a typo is likely, since each one costs time.
    """
    similar = tuple(fields if similar is None else similar)
    _sources[type] = Source(
        type, model, visible_to, tuple(fields), url_name, tuple(document), phone_field, status_field, title, similar
    )


def types() -> list[str]:
    return list(_sources)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_indexes(
    app_label: str, model_name: str, *, prefix: str, fields=(), document=(), plain=()
) -> migrations.RunPython:
    """A migration operation adding the indexes search uses, on PostgreSQL only (SQLite has no GIN).

    `fields`: trigram indexes over UPPER(field), which serve both the substring match and the `%`
    similarity operator; `document`: one full-text index over those fields; `plain`: trigram
    indexes for substring matches of digits such as phone numbers. Those are over UPPER(field)
    too, though digits have no case: a trigram index over the bare column also answers `=` and
    `IN`, and the planner, misjudging its cost, picked it over the unique b-tree for a batch
    of phone numbers, a full recheck of every `+380…` number (seconds per page of a shop sync).
    The migration must run after `TrigramExtension()`.
    """

    def statements(model) -> list[tuple[str, str]]:
        table, quote = model._meta.db_table, lambda name: f'"{name}"'
        column = {f: quote(model._meta.get_field(f).column) for f in (*fields, *document, *plain)}
        made = [(f"{prefix}_{f}_trgm", f"(UPPER({column[f]}) gin_trgm_ops)") for f in fields]
        made += [(f"{prefix}_{f}_digits", f"(UPPER({column[f]}) gin_trgm_ops)") for f in plain]
        if document:
            # The very expression Django's SearchVector(*document, config=...) compiles to.
            text = " || ' ' || ".join(f"COALESCE(({column[f]})::text, '')" for f in document)
            made.append((f"{prefix}_fts", f"(to_tsvector('{TEXT_CONFIG}'::regconfig, {text}))"))
        return [
            (name[:63], f"CREATE INDEX IF NOT EXISTS {quote(name[:63])} ON {quote(table)} USING gin {sql}")
            for name, sql in made
        ]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for _name, sql in statements(apps.get_model(app_label, model_name)):
                schema_editor.execute(sql)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for name, _sql in statements(apps.get_model(app_label, model_name)):
                schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def digits_contain(field: str, digits: str) -> Q:
    """`field` contains `digits`, written as the digit indexes of `search_indexes(plain=…)` are."""
    if on_postgresql():
        return Q(Contains(Upper(field), digits))
    return Q(**{f"{field}__contains": digits})


def _matches(source: Source, term: str, *, similar: bool) -> Q:
    """Every word in some field (or, with `similar`, like some name), or the document, or the phone digits."""
    postgres = on_postgresql()
    condition = Q()
    for word in term.split():
        any_field = Q()
        for field in source.fields:
            if postgres:
                # UPPER(field), as in the index, so the planner uses the index.
                any_field |= Q(Contains(Upper(field), word.upper()))
            else:
                any_field |= Q(**{f"{field}__icontains": word})
        if similar:
            for field in source.similar:
                any_field |= Q(TrigramSimilar(Upper(field), word.upper()))
        condition &= any_field
    if postgres and source.document:
        vector = SearchVector(*source.document, config=TEXT_CONFIG)
        condition |= Q(SearchVectorExact(vector, SearchQuery(term, config=TEXT_CONFIG, search_type="plain")))
    digits = _digits(term)
    if source.phone_field and len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
        numbers = source.model._base_manager.filter(digits_contain(source.phone_field, digits))
        condition |= Q(pk__in=numbers.values("pk"))
    return condition


def _ranked(queryset: models.QuerySet, source: Source, term: str) -> models.QuerySet:
    if not on_postgresql():
        return queryset.annotate(rank=Value(0.0, output_field=FloatField())).order_by("-pk")
    scores = [TrigramSimilarity(Upper(field), term.upper()) for field in source.similar or source.fields]
    if source.document:
        query = SearchQuery(term, config=TEXT_CONFIG, search_type="plain")
        scores.append(SearchRank(SearchVector(*source.document, config=TEXT_CONFIG), query))
    rank = Greatest(*scores) if len(scores) > 1 else scores[0]
    return queryset.annotate(rank=rank).order_by("-rank", "-pk")


def _first_hits(source: Source, *, user, term: str, limit: int, similar: bool) -> list[models.Model]:
    queryset = source.visible_to(user=user).filter(_matches(source, term, similar=similar))
    return list(_ranked(queryset, source, term).annotate(total=Window(Count("pk")))[:limit])


def search_source(source: Source, *, user, term: str, limit: int) -> dict:
    """The first `limit` hits of one type, best first, and how many there are.

    One query; on PostgreSQL a second, by trigram similarity, only when no row contains the words (a typo).
    """
    rows = _first_hits(source, user=user, term=term, limit=limit, similar=False)
    if not rows and on_postgresql() and source.similar:
        rows = _first_hits(source, user=user, term=term, limit=limit, similar=True)
    hits = [
        {
            "type": source.type,
            "id": row.pk,
            "title": source.title(row),
            "status": _status(row, source.status_field),
            "rank": round(float(row.rank or 0), 4),
            "url": reverse(source.url_name, args=[row.pk]),
        }
        for row in rows
    ]
    return {"type": source.type, "count": rows[0].total if rows else 0, "results": hits}


def _status(row: models.Model, field) -> str | None:
    if not field:
        return None
    if callable(field):
        return str(field(row))
    display = getattr(row, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(row, field))


def search(*, user, term: str, types: list[str] | None = None, limit: int = 5) -> list[dict]:
    """Hits grouped by type, in registration order, each type scoped by the app's own list selector."""
    wanted = [name for name in _sources if types is None or name in types]
    return [search_source(_sources[name], user=user, term=term, limit=limit) for name in wanted]
