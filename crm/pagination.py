import json

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from rest_framework import pagination


def estimated_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows `queryset` returns: no row is read."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # drivers that do not decode json columns
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


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
        if (
            not limit
            or not isinstance(queryset, QuerySet)
            or queryset.query.combinator
            or connections[queryset.db].vendor != "postgresql"
        ):
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
