"""A client of the Google Analytics 4 Data API (v1beta `properties.runReport`), through google-api-python-client.

The API's discovery document is the one bundled with the library (`static_discovery=True`),
so building the client needs no network. Credentials are a service-account key read by
google-auth (oauth2client is deprecated and unmaintained). Every call has a timeout; 429 and
5xx answers and network errors are retried with exponential backoff and jitter (tenacity).
"""

import datetime
import json
import socket

import httplib2
from django.conf import settings
from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

from dashboard.metrics import GA4_METRICS

SCOPES = ["https://www.googleapis.com/auth/analytics.readonly"]
PAGE_SIZE = 10000
RETRIED_STATUSES = {429, 500, 502, 503, 504}


class AnalyticsError(Exception):
    """Google refused or failed the report; the message says why."""


def authorized_http() -> httplib2.Http:
    """The HTTP transport signed with the service account of `GA_CREDENTIALS_FILE`, with a timeout."""
    import google_auth_httplib2
    from google.oauth2 import service_account

    try:
        credentials = service_account.Credentials.from_service_account_file(settings.GA_CREDENTIALS_FILE, scopes=SCOPES)
    except (OSError, ValueError) as error:
        raise AnalyticsError(
            f"cannot read the service-account key {settings.GA_CREDENTIALS_FILE!r}: {error}"
        ) from error
    return google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=settings.GA_TIMEOUT_SECONDS))


def build_client(http: httplib2.Http):
    return build("analyticsdata", "v1beta", http=http, static_discovery=True, cache_discovery=False)


def report_body(*, start: datetime.date, end: datetime.date, offset: int = 0) -> dict:
    return {
        "dateRanges": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
        "dimensions": [{"name": "yearMonth"}],
        "metrics": [{"name": name} for name in GA4_METRICS],
        "orderBys": [{"dimension": {"dimensionName": "yearMonth"}}],
        "limit": PAGE_SIZE,
        "offset": offset,
        "keepEmptyRows": True,
    }


def _is_transient(error: BaseException) -> bool:
    if isinstance(error, HttpError):
        return error.resp.status in RETRIED_STATUSES
    return isinstance(error, (TimeoutError, socket.timeout, ConnectionError, httplib2.HttpLib2Error, TransportError))


def _describe(error: BaseException) -> str:
    if isinstance(error, HttpError):
        try:
            detail = json.loads(error.content)["error"]
            message = f"{detail.get('status', '')} {detail.get('message', '')}".strip()
        except (ValueError, KeyError, TypeError):
            message = error.reason or ""
        return f"Google Analytics answered {error.resp.status}: {message}"
    return f"Google Analytics could not be reached: {error}"


def _execute(request):
    retrying = Retrying(
        retry=retry_if_exception(_is_transient),
        stop=stop_after_attempt(settings.GA_MAX_ATTEMPTS),
        wait=wait_random_exponential(multiplier=settings.GA_RETRY_WAIT_SECONDS, max=60),
        reraise=True,
    )
    try:
        return retrying(request.execute)
    except RefreshError as error:  # the key is revoked, deleted or not the service account's
        raise AnalyticsError(
            f"Google refused the service account's key {settings.GA_CREDENTIALS_FILE!r}: {error}"
        ) from error
    except (HttpError, TimeoutError, ConnectionError, httplib2.HttpLib2Error, GoogleAuthError) as error:
        raise AnalyticsError(_describe(error)) from error


def run_report(client, *, property_id: str, start: datetime.date, end: datetime.date) -> tuple[list[dict], dict]:
    """Every row of the monthly report for the range (following pages) and the response metadata.

    Each row is {"yearMonth": "202401", "<metric>": "<value>", ...}: GA4 sends every value as a string.
    """
    rows, offset, metadata = [], 0, {}
    while True:
        body = report_body(start=start, end=end, offset=offset)
        response = _execute(client.properties().runReport(property=f"properties/{property_id}", body=body))
        metadata = response.get("metadata", {})
        dimensions = [header["name"] for header in response.get("dimensionHeaders", [])]
        metrics = [header["name"] for header in response.get("metricHeaders", [])]
        page = response.get("rows", [])
        for row in page:
            values = dict(zip(dimensions, (v.get("value") for v in row.get("dimensionValues", [])), strict=False))
            values.update(zip(metrics, (v.get("value") for v in row.get("metricValues", [])), strict=False))
            rows.append(values)
        offset += len(page)
        if not page or offset >= int(response.get("rowCount", 0) or 0):
            return rows, metadata
