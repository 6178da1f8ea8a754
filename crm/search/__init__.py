"""Global search: which models it looks in, and how.

An app registers each searchable model in its AppConfig.ready(), in one line:

    search.register("leads", Lead, visible_to=leads_visible, fields=["name", "email"], phone_field="phone")

`visible_to(user=...)` is the same selector the app's list uses, so search shows
exactly the rows the user may see there. `fields` are joined into one upper-cased
text (`SearchText`), on PostgreSQL with one trigram index over it, added in a
migration with `search_text_indexes()`: every word of a query is a substring of
that text (a word of one or two letters, the start of a word in it), and all the
words are answered by one index scan. On PostgreSQL, when no type has a row
containing the words, the `similar` fields (names, where typos happen) are matched by
trigram word similarity, through an index of their own text, and hits are ranked by
how alike they are. SQLite compares letters as its LIKE does: ASCII ones in any case.
`phone_field` is a path to numbers stored as E.164: they match the digits of the
query in any spelling.

A feature above the apps: it may import apps (their selectors); apps use it through this module
(`register`) and `crm.search.indexes` in migrations, never `crm.search.views`.
"""

import datetime
import functools
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connection, migrations, models, transaction
from django.db.models import BooleanField, Expression, F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Contains
from django.db.models.sql import Query
from django.urls import reverse

from crm.search.indexes import postgres_trigram_indexes
from users.selectors import owner_ids_read_once, visible_owner_ids

MIN_QUERY_LENGTH = 2
MIN_PHONE_DIGITS = 4
# A shorter word is no typo of anything in particular, and pg_trgm, finding no trigram in it to look up,
# would read a whole index for it.
MIN_TYPO_LENGTH = 3
# A shorter word is looked for at the start of a word ("ко" finds Коваленко, not Шевченко): inside a word it
# has no trigram either, and two letters that no row holds cost a read and recheck of every row (115 ms over
# 100,000 contacts), while the start of a word has one (pg_trgm pads words with spaces): under a millisecond.
MIN_SUBSTRING_LENGTH = 3
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

    On PostgreSQL the SQL of `visible_to` is compiled once per process for each user row and set of visible
    owners, unless it reads the database or the clock while it is called (`_scope`): a selector must not
    read anything else of the world, such as a cache.
    """
    similar = tuple(fields if similar is None else similar)
    if not set(similar) <= set(fields):  # `_words_sql` relies on the names being in the text
        raise ImproperlyConfigured(f"search type {type!r}: every `similar` field must be one of its `fields`")
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
    The migration must run after `crm.search.indexes.TrigramExtension()`.
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


def _words_sql(
    text: tuple[str, list], names: tuple[str, list] | None, words: list[tuple[str, bool]]
) -> tuple[str, list]:
    """Every word is in the text (`text LIKE '%WORD%'`; a short one starts a word of it), or, for a typo, like a
    word of the names (`names %> 'WORD'`), as SQL. The words come as the text has them: upper-cased on PostgreSQL
    (SQLite's UPPER knows only ASCII, and its LIKE ignores ASCII case, as `icontains` does there)."""
    (text_sql, text_params), (names_sql, names_params) = text, names or ("", [])
    contains = connection.operators["contains"]  # "LIKE %s", with an ESCAPE clause on SQLite
    conditions, params = [], []
    # Beside a word found as typed, a typo is looked up in the text's index, which holds the names, with that
    # word: one index scan answers both. The names are then checked row by row (`IS TRUE` keeps the planner from
    # their index): for a typo it answers with many candidates that its recheck drops, and the planner, rightly
    # expecting few rows, would read them alone and recheck every one on the heap (8-14 ms instead of 1 for
    # deals, by the seed's statistics), or AND them in for nothing (1.5-2 ms for contacts).
    beside_found = not all(typo for _word, typo in words)
    for word, typo in words:
        if typo and beside_found:
            conditions.append(f"{text_sql} %%> %s AND ({names_sql} %%> %s) IS TRUE")
            params += [*text_params, word, *names_params, word]
        elif typo:
            conditions.append(f"{names_sql} %%> %s")
            params += [*names_params, word]
        elif len(word) < MIN_SUBSTRING_LENGTH:  # the start of the text or of a word in it
            conditions.append(f"({text_sql} {contains} OR {text_sql} {contains})")
            escaped = connection.ops.prep_for_like_query(word)
            params += [*text_params, f"{escaped}%", *text_params, f"% {escaped}%"]
        else:
            conditions.append(f"{text_sql} {contains}")
            params += [*text_params, f"%{connection.ops.prep_for_like_query(word)}%"]
    return "(" + " AND ".join(conditions) + ")", params


def _marked_words(source: Source, term: str, similar_words: frozenset[str]) -> list[tuple[str, bool]]:
    """Each word of `term` as `_words_sql()` takes it: as the text has it, and whether it is a typo (one of
    `similar_words`, in a source with names to be like)."""
    return [
        (word.upper() if on_postgresql() else word, word in similar_words and bool(source.similar))
        for word in term.split()
    ]


class _Words(Expression):
    """`_words_sql()` as an expression, for a queryset (a list's `?search=`).

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
        names = compiler.compile(self.names) if self.names is not None else None
        return _words_sql(compiler.compile(self.text), names, self.words)


def _phone_digits(source: Source, term: str) -> str | None:
    """The digits of a term that looks like a phone number, for a source with phones."""
    digits = _digits(term)
    if source.phone_field and len(digits) >= MIN_PHONE_DIGITS and len(digits) * 2 >= len(term.replace(" ", "")):
        return digits
    return None


def matches(source: Source, term: str, *, similar_words: frozenset[str] = frozenset()) -> Q:
    """The rows whose text holds every word of `term` (each of `similar_words` by similarity instead), or whose
    phone holds its digits, as a filter for a queryset (the global search writes the same SQL with `_condition`).

    On PostgreSQL each alternative is answered by one trigram index; the phone numbers join as a `UNION`
    of ids, since an `OR` with a subquery would make PostgreSQL scan the whole table.
    """
    words = _marked_words(source, term, similar_words)
    if not words:
        return Q()
    names = SearchText(*source.similar) if any(typo for _word, typo in words) else None
    condition = Q(_Words(SearchText(*source.fields), names, words))
    digits = _phone_digits(source, term)
    if digits:
        rows = source.model._base_manager.order_by()
        by_text = rows.filter(condition).values("pk")
        by_phone = rows.filter(digits_contain(source.phone_field, digits)).values("pk")
        if on_postgresql():
            return Q(pk__in=by_text.union(by_phone))
        return condition | Q(pk__in=by_phone)
    return condition


@functools.cache
def _text_sql(model: type[models.Model], fields: tuple[str, ...], vendor: str) -> tuple[str, tuple]:
    """`SearchText(*fields)` as SQL over the model's table (columns named `"table"."column"`), compiled once."""
    query = Query(model)
    sql, params = (
        SearchText(*fields).resolve_expression(query).as_sql(query.get_compiler(connection=connection), connection)
    )
    return sql, tuple(params)


def _condition(source: Source, term: str, similar_words: frozenset[str] = frozenset()) -> tuple[str, list]:
    """`matches()` as SQL over the source's table, written from texts compiled once: building and compiling a
    queryset per type and phase cost the search more than its SQL did."""
    words = _marked_words(source, term, similar_words)
    names = _text_sql(source.model, source.similar, connection.vendor) if any(typo for _, typo in words) else None
    sql, params = _words_sql(_text_sql(source.model, source.fields, connection.vendor), names, words)
    digits = _phone_digits(source, term)
    if digits:
        by_phone = source.model._base_manager.order_by().filter(digits_contain(source.phone_field, digits))
        phone_sql, phone_params = by_phone.values("pk").query.sql_with_params()
        table, pk = _quoted(source.model._meta.db_table), _quoted(source.model._meta.pk.column)
        sql = f"{table}.{pk} IN (SELECT {table}.{pk} FROM {table} WHERE {sql} UNION {phone_sql})"  # noqa: S608 (values are params)
        params = [*params, *phone_params]
    return sql, params


def _length_rank(source: Source, term: str) -> tuple[str, list]:
    """Hits that contain every word, by how much of their text the words cover: "Шевченко" comes before
    "Шевченкова Олександра", as telling, and a length is cheap where a similarity over thousands of hits is not."""
    text, params = _text_sql(source.model, source.fields, connection.vendor)
    # NULLIF: a row found by its phone alone may have an empty text (a type whose text is one empty field).
    return f"CAST(%s AS DOUBLE PRECISION) / NULLIF(LENGTH({text}), 0)", [float(len(term.replace(" ", ""))), *params]


def _similarity_rank(source: Source, term: str) -> tuple[str, list]:
    """A typo's hits by how alike their names are (pg_trgm's strict word similarity)."""
    names, params = _text_sql(source.model, source.similar, connection.vendor)
    return f"STRICT_WORD_SIMILARITY(%s, {names})", [term.upper(), *params]


_CONDITION, _RANK = "__search_condition__", "__search_rank__"


class _Hole(Expression):
    """A marker in a scope's SQL where `_Scope.select()` writes a phase's own SQL."""

    def __init__(self, marker: str, output_field):
        super().__init__(output_field=output_field)
        self.marker = marker

    def as_sql(self, compiler, connection):
        return self.marker, []


def _placeholders(sql: str) -> int:
    return sum(1 for mark in re.findall(r"%[%s]", sql) if mark == "%s")


@dataclass(frozen=True)
class _Scope:
    """A type's visible rows as SQL, `SELECT pk, <rank> FROM … WHERE <the selector's scope> AND <condition>`,
    compiled once per search; each phase and each typo check fills in its own rank and condition.

    The scope is the app's own list selector, so search shows what the list shows; compiling it again for every
    phase and every word cost more than the SQL of most searches.
    """

    parts: tuple[str, str, str]
    params: tuple[tuple, tuple, tuple]

    @classmethod
    def of(cls, visible: models.QuerySet) -> "_Scope":
        holed = visible.order_by().filter(_Hole(_CONDITION, BooleanField()))
        try:
            sql, params = holed.values("pk", rank=_Hole(_RANK, FloatField())).query.sql_with_params()
        except EmptyResultSet:  # a selector that shows nothing (`.none()`, an empty list of ids) has no SQL
            return cls.of(visible.model._base_manager.filter(Value(False, output_field=BooleanField())))
        head, rest = sql.split(_RANK)
        middle, tail = rest.split(_CONDITION)
        first, second = _placeholders(head), _placeholders(head) + _placeholders(middle)
        return cls((head, middle, tail), (tuple(params[:first]), tuple(params[first:second]), tuple(params[second:])))

    def select(
        self, condition: tuple[str, list], rank: tuple[str, list] = ("0", []), *, limit: int
    ) -> tuple[str, list]:
        (head, middle, tail), (before, between, after) = self.parts, self.params
        sql = f"{head}{rank[0]}{middle}{condition[0]}{tail} LIMIT {int(limit)}"
        return sql, [*before, *rank[1], *between, *condition[1], *after]


# What a selector may not read of a user, for its SQL to be reused: it changes on every visit.
_VISITS = frozenset({"password", "last_login", "last_seen", "updated_at"})


@dataclass(frozen=True)
class _Viewer:
    """The user a search is for, equal to another when every selector must show them the same rows: the same
    row (but for the times of their visits) and the same visible owners, read afresh for each search."""

    user: Any = field(compare=False)
    key: tuple

    @classmethod
    def of(cls, user) -> "_Viewer":
        row = tuple(user.__dict__.get(f.attname) for f in user._meta.concrete_fields if f.attname not in _VISITS)
        owner_ids = visible_owner_ids(user=user)
        return cls(user, (row, None if owner_ids is None else tuple(owner_ids)))


class _Uncacheable(Exception):
    def __init__(self, scope: _Scope):
        super().__init__()
        self.scope = scope


def _scope(source: Source, viewer: _Viewer) -> _Scope:
    """The source's scope for the viewer, compiled once per process for every viewer equal to them.

    Calling the nine list selectors and compiling their querysets took a third of a search. A selector's SQL
    is reused only when it is a function of what `_Viewer` compares: one that read the database (other than
    the visible owners) or put a date or time in its SQL is compiled afresh for every search. Only on
    PostgreSQL, whose compiled parameters keep dates as dates; SQLite's are strings, and it is not the
    database for speed.
    """
    if not on_postgresql():
        return _Scope.of(source.visible_to(user=viewer.user))
    try:
        return _compiled_scope(source, viewer)
    except _Uncacheable as uncacheable:
        return uncacheable.scope


@functools.lru_cache(maxsize=4096)
def _compiled_scope(source: Source, viewer: _Viewer) -> _Scope:
    queries = []

    def count(execute, *args):
        queries.append(args[0])
        return execute(*args)

    with connection.execute_wrapper(count):
        scope = _Scope.of(source.visible_to(user=viewer.user))
    if queries or any(isinstance(param, datetime.date | datetime.time) for part in scope.params for param in part):
        raise _Uncacheable(scope)  # an exception, so that lru_cache keeps nothing
    return scope


def _typos(sources: list[Source], scopes: dict[str, _Scope], term: str) -> frozenset[str]:
    """The words of a term that no visible row of any of the sources contains: those the second phase matches by
    similarity. A word shorter than `MIN_TYPO_LENGTH` is never one.

    A word that some row contains is kept as a substring, so "Бондаренко Олна" looks for an Олена among the
    Бондаренко, not among every name like "Бондаренко". One round trip for every word: each is looked for type by
    type, and PostgreSQL stops at the first type that has it (an `OR` of `EXISTS`, whose subqueries run only
    when needed): a common word costs one index scan, not one per type.
    """
    words = term.split()
    candidates = [word for word in words if len(word) >= MIN_TYPO_LENGTH]
    if len(words) == 1 or not candidates:
        return frozenset(candidates)  # the first phase found nothing
    checks = [
        [scopes[source.type].select(_condition(source, word), limit=1) for source in sources] for word in candidates
    ]
    found = _select_columns(
        [
            ("(" + " OR ".join(f"EXISTS ({sql})" for sql, _params in word_checks) + ")", _flat(word_checks))
            for word_checks in checks
        ]
    )
    return frozenset(word for word, hit in zip(candidates, found, strict=True) if not hit)


def _flat(statements: list[tuple[str, list]]) -> list:
    return [param for _sql, params in statements for param in params]


def _select_columns(columns: list[tuple[str, list]]) -> tuple:
    """`SELECT c1, c2, …` over columns that are each a scalar subquery with its params: one round trip for all."""
    if not columns:
        return ()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for sql, _ in columns), _flat(columns))
        return cursor.fetchone()


_BEST_FIRST = "ORDER BY c.rank DESC NULLS LAST, c.pk DESC"


def _ranked_ids(candidates: dict[str, tuple[str, list]]) -> dict[str, list[tuple]]:
    """Each type's candidates as (id, rank), best first: on PostgreSQL every type in one round trip (most of a
    search's types find nothing, and a query's round trip and Django's handling of it cost more than its SQL)."""
    if not candidates:
        return {}
    if not on_postgresql():
        ranked = {}
        with connection.cursor() as cursor:
            for name, (sql, params) in candidates.items():
                cursor.execute(f"SELECT c.pk, c.rank FROM ({sql}) c {_BEST_FIRST}", params)  # noqa: S608 (as above)
                ranked[name] = cursor.fetchall()
        return ranked
    # One scalar subquery a type, not a join of one-row subqueries: the planner searched the join orders of nine.
    ranked = f"(SELECT json_build_array(array_agg(c.pk {_BEST_FIRST}), array_agg(c.rank {_BEST_FIRST})) FROM ({{}}) c)"  # noqa: S608
    row = _select_columns([(ranked.format(sql), params) for sql, params in candidates.values()])
    return {
        name: list(zip(pks or [], ranks or [], strict=True)) for name, (pks, ranks) in zip(candidates, row, strict=True)
    }


def _rows(best: dict[str, list[tuple]]) -> dict[str, list[tuple[models.Model, float]]]:
    """The rows of each type's best hits, with their ranks: on PostgreSQL in one round trip for every type
    (a query a type, with Django's handling of it, cost three times its SQL); no query when no type has any."""
    wanted = {name: [pk for pk, _rank in hits] for name, hits in best.items() if hits}
    if not wanted:
        loaded = {}
    elif on_postgresql():
        loaded = _rows_as_json(wanted)
    else:
        loaded = {name: _sources[name].model._base_manager.in_bulk(pks) for name, pks in wanted.items()}
    return {name: _in_rank_order(hits, loaded.get(name, {})) for name, hits in best.items()}


def _in_rank_order(hits: list[tuple], rows: dict) -> list[tuple[models.Model, float]]:
    return [(rows[pk], rank) for pk, rank in hits if pk in rows]


def _rows_as_json(wanted: dict[str, list]) -> dict[str, dict]:
    """`{type: {pk: row}}` for the given ids of each type, read as JSON in one statement."""
    models_ = [_sources[name].model for name in wanted]
    found = _select_columns(
        [
            (
                f"(SELECT json_agg({_json_row_sql(model)}) FROM {_quoted(model._meta.db_table)} "  # noqa: S608 (names only)
                f"WHERE {_quoted(model._meta.pk.column)} = ANY(%s))",
                [pks],
            )
            for model, pks in zip(models_, wanted.values(), strict=True)
        ]
    )
    loaded = {}
    for name, model, rows in zip(wanted, models_, found, strict=True):
        instances = (_instance(model, values) for values in rows or [])
        loaded[name] = {instance.pk: instance for instance in instances}
    return loaded


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _json_row_sql(model: type[models.Model]) -> str:
    """A row's concrete columns as a JSON array; decimals as text, which JSON's numbers would round."""
    columns = [
        f"{_quoted(field.column)}::text" if field.get_internal_type() == "DecimalField" else _quoted(field.column)
        for field in model._meta.concrete_fields
    ]
    return f"json_build_array({', '.join(columns)})"


def _instance(model: type[models.Model], values: list) -> models.Model:
    """A model instance from `_json_row_sql()`'s array, each value made its field's Python value as a form's is."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [field.attname for field in fields],
        [None if value is None else field.to_python(value) for field, value in zip(fields, values, strict=True)],
    )


def _group(source: Source, hits: list[tuple[models.Model, float]], total: int) -> dict:
    """One type's answer: its first hits, best first, and how many there are."""
    results = [
        {
            "type": source.type,
            "id": row.pk,
            "title": str(source.title(row)),
            "status": _status(row, source.status_field),
            "rank": round(float(rank or 0), 4),
            "url": reverse(source.url_name, args=[row.pk]),
        }
        for row, rank in hits
    ]
    capped = total > settings.SEARCH_CANDIDATES
    return {
        "type": source.type,
        "count": settings.SEARCH_CANDIDATES if capped else total,
        "count_capped": capped,
        "results": results,
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

    Every type's hits come ranked in one round trip (at most `SEARCH_CANDIDATES` + 1 of them: reading, ranking
    and counting every hit of a common word costs tens of milliseconds a type, and past the cap a search is too
    broad for its first hits to matter; the count says so), and the best rows of the types that have some in
    one more (on PostgreSQL; on SQLite, one a type). Only when no type has a row containing the words are typos
    looked for (on PostgreSQL), by trigram word similarity: a word found as typed somewhere is not a typo.
    """
    sources = [source for name, source in _sources.items() if types is None or name in types]
    cap = settings.SEARCH_CANDIDATES + 1
    with _index_scans_only(), owner_ids_read_once():
        viewer = _Viewer.of(user)
        scopes = {source.type: _scope(source, viewer) for source in sources}
        found = _ranked_ids(
            {s.type: scopes[s.type].select(_condition(s, term), _length_rank(s, term), limit=cap) for s in sources}
        )
        if on_postgresql() and not any(found.values()):
            typos = _typos(sources, scopes, term)
            if typos:
                retried = {
                    source.type: scopes[source.type].select(
                        _condition(source, term, typos), _similarity_rank(source, term), limit=cap
                    )
                    for source in sources
                    if source.similar
                }
                found.update(_ranked_ids(retried))
        rows = _rows({source.type: found[source.type][:limit] for source in sources})
    return [_group(source, rows[source.type], len(found[source.type])) for source in sources]


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
