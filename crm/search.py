"""Global search: which models it looks in, and how.

An app registers each searchable model in its AppConfig.ready(), in one line:

    search.register("leads", Lead, visible_to=leads_visible, fields=["name", "email"], phone_field="phone")

`visible_to(user=...)` is the same selector the app's list uses, so search shows
exactly the rows the user may see there. On PostgreSQL, `fields` are joined into
one upper-cased text (`SearchText`) with one trigram index over it, added in a
migration with `search_text_indexes()`: every word of a query is a substring of
that text, and all the words are answered by one index scan. When no type has a row
containing the words, the `similar` fields (names, where typos happen) are matched by
trigram word similarity, through an index of their own text, and hits are ranked by
how alike they are. Elsewhere each word is a case-insensitive substring of some field.
`phone_field` is a path to numbers stored as E.164: they match the digits of the
query in any spelling.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import TrigramStrictWordSimilarity
from django.db import connection, migrations, models, transaction
from django.db.models import BooleanField, Expression, F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Cast, Length, Upper
from django.db.models.lookups import Contains
from django.urls import reverse

from crm.indexes import postgres_trigram_indexes
from users.selectors import owner_ids_read_once

MIN_QUERY_LENGTH = 2
MIN_PHONE_DIGITS = 4
# A shorter word is no typo of anything in particular, and pg_trgm, finding no trigram in it to look up,
# would read a whole index for it.
MIN_TYPO_LENGTH = 3
TEXT_CONFIG = "simple"  # names and Ukrainian text: no stemming, the same tokens in every language


@dataclass(frozen=True)
class Source:
    type: str
    model: type[models.Model]
    visible_to: Callable[..., models.QuerySet]
    fields: tuple[str, ...]
    url_name: str
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
    phone_field: str | None = None,
    status_field: str | Callable[[models.Model], str] | None = "status",
    title: Callable[[models.Model], str] = str,
    similar: list[str] | tuple[str, ...] | None = None,
) -> None:
    """`similar`: the fields (names) matched by trigram word similarity when no row contains the words,
    and by which hits are ranked; all `fields` by default. Name only the fields where a typo is likely.
    """
    similar = tuple(fields if similar is None else similar)
    _sources[type] = Source(type, model, visible_to, tuple(fields), url_name, phone_field, status_field, title, similar)


def source(type: str) -> Source:
    return _sources[type]


def types() -> list[str]:
    return list(_sources)


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def search_indexes(
    app_label: str, model_name: str, *, prefix: str, fields=(), document=(), plain=()
) -> migrations.RunPython:
    """A migration operation adding per-field search indexes, on PostgreSQL only (SQLite has no GIN).

    Kept for the migrations that ran it: new text indexes come from `search_text_indexes()`.
    `fields`: trigram indexes over UPPER(field) (a list's `?search=` uses them too); `document`:
    a full-text index, which search no longer uses; `plain`: trigram indexes for substring
    matches of digits such as phone numbers (`digits_contain`). Those are over UPPER(field)
    too, though digits have no case: a trigram index over the bare column also answers `=` and
    `IN`, and the planner, misjudging its cost, picked it over the unique b-tree for a batch
    of phone numbers, a full recheck of every `+380…` number (seconds per page of a shop sync).
    The migration must run after `crm.indexes.TrigramExtension()`.
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


def search_text_sql(columns: list[str] | tuple[str, ...]) -> str:
    """The text a source is searched in, as SQL over `columns`: upper-cased, joined by spaces.

    One column is `UPPER(CAST(col AS text))`, the very expression Django writes for `icontains`, so one
    index serves both a list's `?search=` and this search. `SearchText` compiles to the same SQL and
    `search_text_indexes()` indexes it; `test_every_search_is_served_by_an_index` keeps them in step.
    """
    if len(columns) == 1:
        return f"UPPER(CAST({columns[0]} AS text))"
    return "UPPER(" + " || ' ' || ".join(f"COALESCE(CAST({column} AS text), '')" for column in columns) + ")"


class SearchText(Func):
    """`search_text_sql()` over model fields, as an expression (indexed on PostgreSQL; SQLite computes it too)."""

    output_field = TextField()

    def __init__(self, *fields: str):
        super().__init__(*(F(field) for field in fields))

    def as_sql(self, compiler, connection, **extra_context):
        columns, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            columns.append(sql)
            params.extend(expression_params)
        return search_text_sql(columns), params


def search_text_indexes(table: str, indexes: dict[str, list[str]]) -> migrations.RunPython:
    """Trigram indexes over `search_text_sql()` of columns, `{name: columns}`, built concurrently on PostgreSQL.

    The migration must set `atomic = False`.
    """
    quoted = {name: search_text_sql([f'"{column}"' for column in columns]) for name, columns in indexes.items()}
    return postgres_trigram_indexes(f'"{table}"', quoted)


class _Words(Expression):
    """Every word is in the text (`text LIKE '%WORD%'`), or, for a typo, like a word of the names (`names %> 'WORD'`).

    Each text is compiled once however many words there are: as one lookup per word, Django resolved the
    five columns of a contact's text again for each word, milliseconds for a phone typed in four groups.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, text: SearchText, names: SearchText | None, words: list[tuple[str, bool]]):
        super().__init__()
        self.text, self.names, self.words = text, names, words

    def get_source_expressions(self):
        return [self.text, self.names]

    def set_source_expressions(self, expressions):
        self.text, self.names = expressions

    def as_sql(self, compiler, connection):
        text_sql, text_params = compiler.compile(self.text)
        names_sql, names_params = compiler.compile(self.names) if self.names is not None else ("", [])
        conditions, params = [], []
        for word, typo in self.words:
            if typo:
                conditions.append(f"{names_sql} %%> %s")
                params += [*names_params, word]
            else:
                conditions.append(f"{text_sql} LIKE %s")
                params += [*text_params, f"%{connection.ops.prep_for_like_query(word)}%"]
        return "(" + " AND ".join(conditions) + ")", params


def _word_condition(source: Source, word: str) -> Q:
    """The word is in some field of the source (any case), on every database."""
    if on_postgresql():
        return Q(_Words(SearchText(*source.fields), None, [(word.upper(), False)]))
    any_field = Q()
    for field in source.fields:
        any_field |= Q(**{f"{field}__icontains": word})
    return any_field


def matches(source: Source, term: str, *, similar_words: frozenset[str] = frozenset()) -> Q:
    """The rows whose text holds every word of `term` (each of `similar_words` by similarity instead), or whose
    phone holds its digits.

    On PostgreSQL each alternative is answered by one trigram index; the phone numbers join as a `UNION`
    of ids, since an `OR` with a subquery would make PostgreSQL scan the whole table.
    """
    words = term.split()
    if not words:
        return Q()
    if on_postgresql():
        typos = [(word.upper(), word in similar_words and bool(source.similar)) for word in words]
        names = SearchText(*source.similar) if any(typo for _word, typo in typos) else None
        condition = Q(_Words(SearchText(*source.fields), names, typos))
    else:
        condition = Q()
        for word in words:
            condition &= _word_condition(source, word)
    digits = _digits(term)
    if source.phone_field and len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
        rows = source.model._base_manager.order_by()
        by_text = rows.filter(condition).values("pk")
        by_phone = rows.filter(digits_contain(source.phone_field, digits)).values("pk")
        if on_postgresql():
            return Q(pk__in=by_text.union(by_phone))
        return condition | Q(pk__in=by_phone)
    return condition


def _typos(sources: list[Source], visible: dict[str, models.QuerySet], term: str) -> dict[str, frozenset[str]]:
    """For each source, the words of a term none of its visible rows contains: those the second phase matches
    by similarity. A word shorter than `MIN_TYPO_LENGTH` is never one.

    A word that some row contains is kept as a substring, so "Бондаренко Олна" looks for an Олена among the
    Бондаренко, not among every name like "Бондаренко". One round trip for every word of every source.
    """
    words = term.split()
    candidates = [word for word in words if len(word) >= MIN_TYPO_LENGTH]
    if len(words) == 1 or not candidates:
        return {source.type: frozenset(candidates) for source in sources}  # the first phase found nothing
    checks = [
        visible[source.type].order_by().filter(_word_condition(source, word)).values("pk")[:1]
        for source in sources
        for word in candidates
    ]
    found = _select_each("EXISTS", checks)
    typos = {}
    for position, source in enumerate(sources):
        contained = found[position * len(candidates) : (position + 1) * len(candidates)]
        typos[source.type] = frozenset(word for word, hit in zip(candidates, contained, strict=True) if not hit)
    return typos


def _ids(querysets: dict[str, models.QuerySet]) -> dict[str, list]:
    """The ids each queryset selects, all in one round trip on PostgreSQL (most of a search's types find none,
    and a query's round trip and Django's handling of it cost more than its SQL)."""
    if not on_postgresql():
        return {name: list(queryset) for name, queryset in querysets.items()}
    return dict(zip(querysets, map(list, _select_each("ARRAY", list(querysets.values()))), strict=True))


def _select_each(function: str, querysets: list[models.QuerySet]) -> tuple:
    """`SELECT function(q1), function(q2), …` over the querysets' SQL: one round trip for all of them."""
    if not querysets:
        return ()
    parts, params = [], []
    for queryset in querysets:
        sql, queryset_params = queryset.query.sql_with_params()
        parts.append(f"{function} ({sql})")
        params.extend(queryset_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return cursor.fetchone()


def _ranked(queryset: models.QuerySet, source: Source, term: str, *, similar: bool) -> models.QuerySet:
    """Best first. A typo's hits by how alike their names are (pg_trgm's strict word similarity); hits that
    contain every word by how much of their text the words cover, so "Шевченко" comes before
    "Шевченкова Олександра": as telling, and a length is cheap where a similarity over thousands of hits is not.
    """
    if similar:
        rank = TrigramStrictWordSimilarity(term.upper(), SearchText(*source.similar))
    else:
        typed = Value(float(len(term.replace(" ", ""))), output_field=FloatField())
        rank = typed / Cast(Length(SearchText(*source.fields)), FloatField())
    return queryset.annotate(rank=rank).order_by(F("rank").desc(nulls_last=True), "-pk")


def _candidate_ids(
    source: Source, visible: models.QuerySet, term: str, similar_words: frozenset[str] = frozenset()
) -> models.QuerySet:
    """The ids of at most `SEARCH_CANDIDATES` + 1 matching rows, unranked.

    Reading, ranking and counting every hit of a common word (thousands of "-енко" names) costs tens of
    milliseconds per type; past the cap a search is too broad for its first hits to matter, and the count
    says so (`count_capped`).
    """
    matching = visible.filter(matches(source, term, similar_words=similar_words)).order_by()
    return matching.values_list("pk", flat=True)[: settings.SEARCH_CANDIDATES + 1]


def _first_hits(source: Source, ids: list, *, term: str, limit: int, similar: bool) -> tuple[list[models.Model], int]:
    """The best `limit` of the candidates, and how many candidates there are; no query for a type with none."""
    if not ids:
        return [], 0
    candidates = source.model._base_manager.filter(pk__in=ids)
    return list(_ranked(candidates, source, term, similar=similar)[:limit]), len(ids)


def _group(source: Source, rows: list[models.Model], total: int) -> dict:
    """One type's answer: its first hits, best first, and how many there are."""
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
    capped = total > settings.SEARCH_CANDIDATES
    return {
        "type": source.type,
        "count": settings.SEARCH_CANDIDATES if capped else total,
        "count_capped": capped,
        "results": hits,
    }


def _status(row: models.Model, field) -> str | None:
    if not field:
        return None
    if callable(field):
        return str(field(row))
    display = getattr(row, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(row, field))


def search(*, user, term: str, types: list[str] | None = None, limit: int = 5) -> list[dict]:
    """Hits grouped by type, in registration order, each type scoped by the app's own list selector.

    The ids of every type's hits come in one round trip, and a type that has some ranks them in one more
    query. Only when no type has a row containing the words are typos looked for (on PostgreSQL), by trigram
    word similarity: a word found as typed somewhere is not a typo.
    """
    sources = [source for name, source in _sources.items() if types is None or name in types]
    with _index_scans_only(), owner_ids_read_once():
        visible = {source.type: source.visible_to(user=user) for source in sources}
        ids = _ids({source.type: _candidate_ids(source, visible[source.type], term) for source in sources})
        by_similarity = set()
        if on_postgresql() and not any(ids.values()):
            typos = _typos([source for source in sources if source.similar], visible, term)
            retried = {
                name: _candidate_ids(_sources[name], visible[name], term, similar_words=words)
                for name, words in typos.items()
                if words
            }
            ids.update(_ids(retried))
            by_similarity = set(retried)
        found = {
            source.type: _first_hits(
                source, ids[source.type], term=term, limit=limit, similar=source.type in by_similarity
            )
            for source in sources
        }
    return [_group(source, *found[source.type]) for source in sources]


@contextmanager
def _index_scans_only():
    """On PostgreSQL, have the planner answer the queries inside from bitmaps of the search indexes.

    pg_trgm declares its similarity functions as cheap as `=`, though each call costs microseconds; so for
    the first `SEARCH_CANDIDATES` hits of a common word the planner preferred reading the table in order
    until enough rows passed, computing a similarity on every row, to the trigram index: by a whole-table
    scan (35 ms for tasks), or, with those off, by walking some b-tree in order (the index of `deleted_at`:
    6 ms for a typo among tasks, against 2.5 ms from the trigram index).
    """
    if not on_postgresql():
        yield
        return
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # LOCAL: for this transaction only; put back at the end if it is a caller's, which goes on.
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'),"
            " set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)"
        )
        seqscan, indexscan = cursor.fetchone()[:2]
        yield
        if outer:
            cursor.execute(
                "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)",
                [seqscan, indexscan],
            )
