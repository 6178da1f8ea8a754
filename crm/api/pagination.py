import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import EmptyQuerySet
from django.utils.functional import cached_property
from rest_framework import pagination


def estimated_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows `queryset` returns: no row is read.

    Asked of the ids alone: the columns of the rows a list joins (`select_related`, to rows its foreign keys
    point at) change neither the rows nor the estimate, and compiling them costs a list's page about a millisecond.
    """
    queryset = queryset.order_by()
    if not (queryset.query.combinator or queryset.query.distinct):
        queryset = queryset.values("pk")
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # drivers that do not decode json columns
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class MergedRows:
    """Rows of several querysets (`values()` of the same columns, such as leads and deals) as one list in
    `ordering`, newest first say, for a paginator: it is sliced for a page and counted like a queryset.

    A page of `UNION ALL … ORDER BY … LIMIT` reads and sorts every row of every part: PostgreSQL merges the
    parts' index orders only for parts without a WHERE. So a page is asked of each part on its own, in the same
    order and as far as the page's end (each walking an index that gives its rows in order, where there is
    one), and the union of those sorts at most that many rows a part: "my work" of an admin over 100,000 leads
    and 100,000 deals took 100-130 ms of SQL for its first page, and 0.5 ms so. Deep pages cost more, as a
    deep OFFSET does.
    """

    def __init__(self, parts: list[QuerySet], ordering: tuple[str, ...]):
        # Parts that are `.none()` are left out, as Django's union would leave them (one stays if all are).
        self.parts = [part for part in parts if not isinstance(part, EmptyQuerySet)] or parts[:1]
        self.ordering = ordering

    @property
    def db(self) -> str:
        return self.parts[0].db

    def union(self, parts: list[QuerySet] | None = None) -> QuerySet:
        first, *rest = self.parts if parts is None else parts
        return (first.union(*rest, all=True) if rest else first).order_by(*self.ordering)

    def count(self) -> int:
        return self.union().count()

    def __getitem__(self, index):
        # `[:0]` (the page of an empty list) would empty every part, and Django's union would drop them all.
        page = isinstance(index, slice) and bool(index.stop) and len(self.parts) > 1
        if page and connections[self.db].features.supports_slicing_ordering_in_compound:
            return self.union([part.order_by(*self.ordering)[: index.stop] for part in self.parts])[index]
        return self.union()[index]


class CappedCountPaginator(Paginator):
    """Counts exactly up to `LIST_EXACT_COUNT_LIMIT` rows; past it, PostgreSQL's estimate.

    An exact count reads every row of the scope: over a large table it costs far more
    than the page itself (bench/README.md). Counting stops one row past the limit, and a
    larger scope is reported as the planner's estimate (never below the limit), with
    `estimated` set so the response can say so.
    """

    estimated = False

    @cached_property
    def count(self):
        queryset, limit = self.object_list, settings.LIST_EXACT_COUNT_LIMIT
        if isinstance(queryset, MergedRows):
            queryset = queryset.union()
        if not limit or not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        counted = queryset.order_by()[: limit + 1].count()
        if counted <= limit:
            return counted
        self.estimated = True
        return max(estimated_rows(queryset), limit + 1)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`, 25 rows by default and 200 at most.

    When the count is an estimate (see CappedCountPaginator) the response carries
    `X-Count-Estimated: true`.
    """

    django_paginator_class = CappedCountPaginator
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.page.paginator.estimated:
            response["X-Count-Estimated"] = "true"
        return response
