"""Helpers shared by the test suites of every app."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, params: dict | None = None) -> int:
    """Queries one GET of `url` runs, after a first GET has warmed up per-user state (presence)."""
    params = {"page_size": 200, **(params or {})}
    assert client.get(url, params).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.content
    return len(captured)


def assert_constant_queries(client, url: str, add_rows, *, few: int = 2, many: int = 40, params=None) -> int:
    """The same number of queries for `few` rows as for `many`; `add_rows(n)` adds n more rows."""
    add_rows(few)
    for_few = count_queries(client, url, params)
    add_rows(many - few)
    for_many = count_queries(client, url, params)
    assert for_few == for_many, f"{for_few} queries for {few} rows, {for_many} for {many}"
    return for_many
