"""Export and import of contacts at scale, beside PostgreSQL's own COPY of the same rows.

Not part of the suite; needs PostgreSQL (DATABASE_URL):

    BENCH_EXPORT_ROWS=100000 BENCH_IMPORT_ROWS=10000 pipenv run pytest bench/test_spreadsheets.py -s

Export: `GET /api/contacts/export/?format=csv` of every contact (one phone each),
read chunk by chunk as a client would; rows per second, the peak of Python
allocations while streaming (tracemalloc) and the growth of the process's
resident memory. Floor: `COPY (SELECT the same columns) TO STDOUT CSV`.
Import: `POST /api/contacts/import/` of new contacts with a phone each;
rows per second. Floor: `COPY` of the same rows into the contacts and phones tables.
"""

import csv
import io
import os
import time
import tracemalloc

import psutil
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from contacts.models import Contact
from users.models import Role
from users.tests.factories import UserFactory

EXPORT_ROWS = int(os.environ.get("BENCH_EXPORT_ROWS", 100_000))
IMPORT_ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 10_000))
TARGET_PEAK_MB = 150
TARGET_IMPORT_ROWS_PER_S = 2000

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="measured on PostgreSQL")


def copy_contacts(cursor, rows: int, first_phone: int, prefix: str) -> None:
    """COPY `rows` contacts and one phone each, the way the floor loads data."""
    contacts = io.StringIO()
    for i in range(rows):
        contacts.write(f"{prefix}{i}\tFirst{i}\t\t{prefix.lower()}{i}@example.com\t\t\t\tf\t\tnow\tnow\t0\n")
    contacts.seek(0)
    cursor.copy_expert(
        "COPY contacts_contact (last_name, first_name, patronymic, email, payment_method, delivery_method, "
        "delivery_company, newsletter, edrpou, created_at, updated_at, loyalty_balance) FROM STDIN",
        contacts,
    )
    cursor.execute(
        "INSERT INTO contacts_phone (contact_id, number, label) "
        "SELECT id, '+38050' || lpad((%s + row_number() OVER (ORDER BY id))::text, 7, '0'), '' "
        "FROM contacts_contact WHERE last_name LIKE %s",
        [first_phone, f"{prefix}%"],
    )


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        owner = UserFactory(role=Role.OWNER, is_staff=True, is_superuser=True)
        with connection.cursor() as cursor:
            copy_contacts(cursor.cursor, EXPORT_ROWS, 0, "Seed")
        yield owner
        Contact.all_objects.all().delete()


@pytest.mark.django_db
def test_export_streams_in_flat_memory(api, seeded):
    client = api.as_user(seeded)
    process = psutil.Process()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get("/api/contacts/export/", {"format": "csv"})
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = (process.memory_info().rss - rss_before) / 2**20

    with connection.cursor() as cursor:
        sink = io.StringIO()
        floor_started = time.perf_counter()
        cursor.cursor.copy_expert(
            "COPY (SELECT c.id, c.last_name, c.first_name, c.patronymic, c.birth_date, c.email, "
            "string_agg(p.number, ', '), c.payment_method, c.delivery_method, c.delivery_company, c.newsletter, "
            "c.edrpou, u.email FROM contacts_contact c LEFT JOIN contacts_phone p ON p.contact_id = c.id "
            "LEFT JOIN users_user u ON u.id = c.responsible_id WHERE c.deleted_at IS NULL "
            "GROUP BY c.id, u.email ORDER BY c.last_name, c.first_name, c.id) TO STDOUT WITH CSV",
            sink,
        )
        floor = time.perf_counter() - floor_started

    assert lines == EXPORT_ROWS + 1
    print(
        f"\nexport of {EXPORT_ROWS} contacts: {EXPORT_ROWS / seconds:,.0f} rows/s ({seconds:.1f} s); "
        f"floor COPY {EXPORT_ROWS / floor:,.0f} rows/s ({floor:.2f} s), ratio {seconds / floor:.1f}; "
        f"Python peak {peak / 2**20:.1f} MB, process RSS growth {rss_growth:.1f} MB"
    )
    assert peak / 2**20 < TARGET_PEAK_MB and rss_growth < TARGET_PEAK_MB


@pytest.mark.django_db
def test_import_rows_per_second(api, seeded):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["last_name", "first_name", "email", "phones", "birth_date"])
    for i in range(IMPORT_ROWS):
        writer.writerow([f"Import{i}", f"Name{i}", f"import{i}@example.com", f"067{i:07d}", "09.03.1990"])
    upload = SimpleUploadedFile("contacts.csv", buffer.getvalue().encode())
    client = api.as_user(seeded)

    started = time.perf_counter()
    response = client.post("/api/contacts/import/", {"file": upload, "dry_run": "false"}, format="multipart")
    seconds = time.perf_counter() - started
    assert response.status_code == 200 and response.data["created"] == IMPORT_ROWS, response.data

    with connection.cursor() as cursor:
        floor_started = time.perf_counter()
        copy_contacts(cursor.cursor, IMPORT_ROWS, 5_000_000, "Floor")
        floor = time.perf_counter() - floor_started

    rate = IMPORT_ROWS / seconds
    print(
        f"\nimport of {IMPORT_ROWS} contacts: {rate:,.0f} rows/s ({seconds:.1f} s); "
        f"floor COPY {IMPORT_ROWS / floor:,.0f} rows/s ({floor:.2f} s), ratio {seconds / floor:.1f}"
    )
    assert rate >= TARGET_IMPORT_ROWS_PER_S
