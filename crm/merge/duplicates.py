"""Likely duplicates of a table: pairs of live rows that share a key or whose names are very alike.

Pairs come from a self-join in SQL, one branch per rule; on PostgreSQL names
are compared by trigram similarity (pg_trgm, with the GIN index the contacts
and companies migrations create), elsewhere by equality of the normalised name.
The result pages like a queryset: `count()` and slicing, one query each.
"""

from dataclasses import dataclass

from django.db import connection, models

# How alike two names must be (pg_trgm similarity, 0..1) to be offered as a pair.
NAME_SIMILARITY = 0.6


@dataclass(frozen=True)
class Rule:
    reason: str
    # SQL of the key over alias `{t}`, and the condition a row needs to take part.
    key: str
    present: str


def name_key(*columns: str) -> str:
    """The normalised name the trigram index is built on: lower(trim(a || ' ' || b))."""
    joined = " || ' ' || ".join("{t}." + column for column in columns)
    return f"lower(trim({joined}))"


class DuplicatePairs:
    def __init__(self, model: type[models.Model], *, exact: list[Rule], similar: Rule | None = None):
        self.table = model._meta.db_table
        self.exact = exact
        self.similar = similar

    def _branch(self, rule: Rule, *, fuzzy: bool) -> str:
        a_key, b_key = rule.key.format(t="a"), rule.key.format(t="b")
        match = (
            f"{a_key} %% {b_key} AND similarity({a_key}, {b_key}) >= {NAME_SIMILARITY}"
            if fuzzy
            else f"{a_key} = {b_key}"
        )
        # Every part comes from model metadata and the rules in code, none from a request.
        return (
            f"SELECT a.id AS first_id, b.id AS second_id, '{rule.reason}' AS reason "  # noqa: S608
            f"FROM {self.table} a JOIN {self.table} b ON a.id < b.id AND {match} "
            f"WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL "
            f"AND {rule.present.format(t='a')} AND {rule.present.format(t='b')}"
        )

    def _sql(self) -> str:
        branches = [self._branch(rule, fuzzy=False) for rule in self.exact]
        if self.similar is not None:
            branches.append(self._branch(self.similar, fuzzy=connection.vendor == "postgresql"))
        return " UNION ALL ".join(branches)

    def count(self) -> int:
        with connection.cursor() as cursor:
            # Parameters (none) are always passed, so that `%%` means one `%` on every backend.
            cursor.execute(f"SELECT COUNT(*) FROM ({self._sql()}) pairs", [])  # noqa: S608 - model metadata
            return cursor.fetchone()[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, page: slice) -> list[dict]:
        start, stop = page.start or 0, page.stop
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT first_id, second_id, reason FROM ({self._sql()}) pairs "  # noqa: S608 - model metadata
                "ORDER BY reason, first_id, second_id LIMIT %s OFFSET %s",
                [stop - start, start],
            )
            return [{"first": a, "second": b, "reason": reason} for a, b, reason in cursor.fetchall()]
