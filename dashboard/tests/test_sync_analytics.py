import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from googleapiclient.http import HttpMockSequence

from dashboard import google_analytics
from dashboard.models import MonthlyAnalytics, SyncCheckpoint

pytestmark = pytest.mark.django_db

SAMPLES = Path("/work/shared/samples/google_analytics")
METRICS = list(google_analytics.GA4_METRICS)
OK = {"status": "200", "content-type": "application/json"}


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def report(months: dict[str, dict]) -> str:
    """A runReport response shaped like Google's: every value a string, in the order of the headers."""
    return json.dumps(
        {
            "dimensionHeaders": [{"name": "yearMonth"}],
            "metricHeaders": [{"name": name, "type": "TYPE_INTEGER"} for name in METRICS],
            "rows": [
                {
                    "dimensionValues": [{"value": month}],
                    "metricValues": [{"value": str(values.get(name, 0))} for name in METRICS],
                }
                for month, values in months.items()
            ],
            "rowCount": len(months),
            "metadata": {"currencyCode": "UAH", "timeZone": "Europe/Kiev"},
            "kind": "analyticsData#runReport",
        }
    )


JANUARY = {
    "totalUsers": 1000,
    "sessions": 1500,
    "transactions": 50,
    "ecommercePurchases": 40,
    "addToCarts": 200,
    "purchaseRevenue": "60000.50",
    "itemRevenue": "58000",
    "totalRevenue": "61000",
    "advertiserAdCost": "20000",
}


@pytest.fixture
def google(monkeypatch, settings):
    """`google(*responses)`: the transport the GA client talks through answers these, in order."""
    settings.GA_PROPERTY_ID = "123456"
    settings.GA_CREDENTIALS_FILE = "/run/secrets/ga-key.json"
    settings.GA_RETRY_WAIT_SECONDS = 0
    settings.GA_MAX_ATTEMPTS = 3

    def install(*responses):
        sequence = HttpMockSequence(list(responses))
        monkeypatch.setattr(google_analytics, "authorized_http", lambda: sequence)
        return sequence

    return install


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_analytics", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_request_names_the_property_range_metrics_and_the_month_dimension(google):
    sequence = google((OK, report({"202401": JANUARY})))
    run("--start", "2024-01-01", "--end", "2024-12-31")
    ((uri, method, body, _headers),) = sequence.request_sequence
    assert method == "POST"
    assert uri.startswith("https://analyticsdata.googleapis.com/v1beta/properties/123456:runReport")
    sent = json.loads(body)
    assert sent["dateRanges"] == [{"startDate": "2024-01-01", "endDate": "2024-12-31"}]
    assert sent["dimensions"] == [{"name": "yearMonth"}]
    assert [metric["name"] for metric in sent["metrics"]] == METRICS
    assert len(sent["metrics"]) <= 10  # GA4's limit per report
    # The same keys as the reference request in the samples.
    reference = json.loads(sample("ga4_runReport.request.json"))
    assert set(reference) - {"returnPropertyQuota"} <= set(sent)


def test_months_are_stored_with_their_derived_figures(google):
    february = {**JANUARY, "totalUsers": 0, "sessions": 0, "advertiserAdCost": "0", "addToCarts": 0, "transactions": 0}
    google((OK, report({"202401": JANUARY, "202402": february})))
    out, _ = run("--start", "2024-01-01", "--end", "2024-02-29")
    january = MonthlyAnalytics.objects.get(month="2024-01-01")
    assert (january.users, january.sessions, january.transactions, january.add_to_carts) == (1000, 1500, 50, 200)
    assert january.purchase_revenue == Decimal("60000.50") and january.ad_cost == Decimal("20000")
    assert january.currency == "UAH"
    assert january.roi == Decimal("2.000025")  # (60000.50 - 20000) / 20000
    assert january.failed_purchase_rate == Decimal("0.75")  # 150 of 200 carts never became a transaction
    assert january.transactions_per_user == Decimal("0.05")
    assert january.sessions_per_user == Decimal("1.5")
    assert january.revenue_per_transaction == Decimal("1200.01")
    assert january.product_revenue_per_purchase == Decimal("1450")
    zero = MonthlyAnalytics.objects.get(month="2024-02-01")
    assert zero.roi is None and zero.failed_purchase_rate is None and zero.transactions_per_user is None
    assert "2 month(s) stored (2 new, 0 updated, 0 skipped): 2024-01, 2024-02" in out


def test_the_constructed_sample_response_is_read_by_its_headers(google):
    google((OK, sample("ga4_runReport.response.CONSTRUCTED.json")))
    run("--start", "2024-01-01", "--end", "2024-02-29")
    rows = list(MonthlyAnalytics.objects.values_list("month", "users", "purchase_revenue", "transactions"))
    assert [(str(m), u, r, t) for m, u, r, t in rows] == [
        ("2024-01-01", 1234, Decimal("56789.50"), 0),
        ("2024-02-01", 1100, Decimal("50210.00"), 0),
    ]


def test_a_second_run_updates_in_place(google):
    google((OK, report({"202401": JANUARY})), (OK, report({"202401": {**JANUARY, "totalUsers": 1100}})))
    run("--start", "2024-01-01", "--end", "2024-01-31")
    out, _ = run("--start", "2024-01-01", "--end", "2024-01-31")
    assert MonthlyAnalytics.objects.get().users == 1100
    assert "(0 new, 1 updated, 0 skipped)" in out


def test_a_403_ends_the_run_with_a_message_and_writes_nothing(google):
    MonthlyAnalytics.objects.create(month="2024-01-01", users=7)
    sequence = google(({"status": "403"}, sample("google_api_error.403.CONSTRUCTED.json")))
    with pytest.raises(CommandError) as refused:
        run("--start", "2024-01-01", "--end", "2024-02-29")
    assert "403" in str(refused.value) and "PERMISSION_DENIED" in str(refused.value)
    assert "Nothing was written" in str(refused.value)
    assert len(sequence.request_sequence) == 1  # a refusal is not retried
    assert list(MonthlyAnalytics.objects.values_list("users", flat=True)) == [7]
    assert not SyncCheckpoint.objects.exists()


def test_a_5xx_is_retried(google):
    unavailable = json.dumps(
        {"error": {"code": 503, "message": "The service is unavailable.", "status": "UNAVAILABLE"}}
    )
    sequence = google(
        ({"status": "503"}, unavailable), ({"status": "500"}, unavailable), (OK, report({"202401": JANUARY}))
    )
    run("--start", "2024-01-01", "--end", "2024-01-31")
    assert len(sequence.request_sequence) == 3
    assert MonthlyAnalytics.objects.get().users == 1000


def test_quota_exhausted_after_retries_fails_cleanly(google):
    quota = json.dumps({"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED"}})
    sequence = google(*[({"status": "429"}, quota)] * 3)
    with pytest.raises(CommandError, match=r"429.*RESOURCE_EXHAUSTED"):
        run("--start", "2024-01-01", "--end", "2024-01-31")
    assert len(sequence.request_sequence) == 3
    assert not MonthlyAnalytics.objects.exists()


def test_a_bad_row_is_skipped_and_reported(google):
    google((OK, report({"202401": JANUARY, "2024-2": JANUARY, "202403": {**JANUARY, "sessions": "lots"}})))
    out, err = run("--start", "2024-01-01", "--end", "2024-03-31")
    assert [m.isoformat() for m in MonthlyAnalytics.objects.values_list("month", flat=True)] == ["2024-01-01"]
    assert "'2024-2' is not YYYYMM" in err and "sessions 'lots'" in err
    assert "2 skipped" in out


def test_pages_are_followed(google):
    first = json.loads(report({"202401": JANUARY}))
    first["rowCount"] = 2
    sequence = google(
        (OK, json.dumps(first)), (OK, report({"202402": JANUARY}).replace('"rowCount": 1', '"rowCount": 2'))
    )
    run("--start", "2024-01-01", "--end", "2024-02-29")
    assert json.loads(sequence.request_sequence[1][2])["offset"] == 1
    assert MonthlyAnalytics.objects.count() == 2


def test_without_start_it_goes_on_from_the_checkpoint(google):
    sequence = google((OK, report({"202403": JANUARY})), (OK, report({"202403": JANUARY})))
    run("--start", "2024-03-01", "--end", "2024-03-31")
    assert SyncCheckpoint.objects.get().position == "2024-03-01"
    run("--end", "2024-04-30")
    assert json.loads(sequence.request_sequence[1][2])["dateRanges"] == [
        {"startDate": "2024-03-01", "endDate": "2024-04-30"}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2024-02-01", "--end", "2024-01-01"], "after"),
        (["--start", "2024-02-30"], "not a date"),
    ],
)
def test_bad_arguments_are_refused(google, args, message):
    google()
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_missing_configuration_is_refused(settings):
    settings.GA_PROPERTY_ID = ""
    with pytest.raises(CommandError, match="GA_PROPERTY_ID"):
        run("--start", "2024-01-01")
    settings.GA_PROPERTY_ID, settings.GA_CREDENTIALS_FILE = "123", "/nonexistent/key.json"
    with pytest.raises(CommandError, match="cannot read the service-account key"):
        run("--start", "2024-01-01", "--end", "2024-01-31")


def test_two_runs_never_overlap(google):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    import psycopg2

    from crm.workers.locks import _lock_key as _key

    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")})
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_key("sync_analytics")])
        google()
        with pytest.raises(CommandError, match="Another sync_analytics is running"):
            run("--start", "2024-01-01", "--end", "2024-01-31")
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_key("sync_analytics")])
        other.close()
    google((OK, report({"202401": JANUARY})))
    run("--start", "2024-01-01", "--end", "2024-01-31")
    assert MonthlyAnalytics.objects.count() == 1


@pytest.mark.parametrize(
    "args",
    [["--start", "2024-13-01"], ["--end", "2024-02-30"], ["--start", "9999-12-31"], ["--start", "２０２４-01-01"]],
)
def test_a_bad_date_on_the_command_line_is_a_usage_error_not_a_traceback(google, args, capsys):
    from django.core.management import ManagementUtility

    google()
    with pytest.raises(SystemExit) as stopped:
        ManagementUtility(["manage.py", "sync_analytics", *args]).execute()

    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert args[0] in err and "YYYY-MM-DD" in err and "Traceback" not in err


def test_a_key_google_refuses_ends_the_run_with_a_message(settings, monkeypatch, tmp_path):
    """A real service-account key signed by google-auth, whose token request Google answers invalid_grant."""
    import google_auth_httplib2
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = tmp_path / "ga-key.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "crm",
                "private_key_id": "1",
                "private_key": pem,
                "client_email": "crm@crm.iam.gserviceaccount.com",
                "client_id": "1",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    settings.GA_PROPERTY_ID, settings.GA_CREDENTIALS_FILE = "123456", str(path)
    refused = json.dumps({"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
    transport = HttpMockSequence([({"status": "400", "content-type": "application/json"}, refused)] * 2)
    real = google_analytics.authorized_http

    def signed_over_the_fake():
        http = real()
        return google_auth_httplib2.AuthorizedHttp(http.credentials, http=transport)

    monkeypatch.setattr(google_analytics, "authorized_http", signed_over_the_fake)

    with pytest.raises(CommandError, match="refused the service account's key") as failed:
        run("--start", "2024-01-01", "--end", "2024-01-31")

    assert "invalid_grant" in str(failed.value)
    assert not MonthlyAnalytics.objects.exists()
