"""Import from CSV and XLSX with a preview, and export of any list with its filters, as a spreadsheet."""

import csv
import io
from datetime import date

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from companies.validators import edrpou_check_digit
from contacts.models import Contact, Phone
from contacts.tests.factories import ContactFactory, PhoneFactory
from deals.models import Product
from leads.models import Lead
from leads.tests.factories import LeadFactory
from tasks.tests.factories import TaskFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/contacts/"


def csv_file(rows, name="contacts.csv"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, name="contacts.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def do_import(client, url, upload, dry_run):
    return client.post(f"{url}import/", {"file": upload, "dry_run": "true" if dry_run else "false"}, format="multipart")


def table_sizes():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def exported(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


ROWS = [
    ["last_name", "first_name", "email", "phones", "birth_date", "newsletter"],
    ["Шевченко", "Тарас", "taras@example.com", "050 123 45 67", "09.03.1814", "так"],
    ["Українка", "Леся", "lesya@example.com", "+380 67 765 43 21; 0631112233", "1871-02-25", "no"],
    ["Broken", "Row", "not-an-email", "12", "31.02.2020", "maybe"],
]


def test_the_preview_writes_nothing_and_reports_each_bad_row(api, employee):
    client = api.as_user(employee)
    before = table_sizes()
    response = do_import(client, CONTACTS, csv_file(ROWS), dry_run=True)
    assert response.status_code == 200, response.data
    assert (response.data["created"], response.data["updated"], response.data["rows"]) == (2, 0, 3)
    assert response.data["dry_run"] is True
    assert {error["row"] for error in response.data["errors"]} == {4}
    assert table_sizes() == before


def test_an_import_creates_then_a_reimport_changes_nothing(api, employee):
    client = api.as_user(employee)
    first = do_import(client, CONTACTS, csv_file(ROWS[:3]), dry_run=False).data
    assert (first["created"], first["errors"]) == (2, [])
    taras = Contact.objects.get(email="taras@example.com")
    assert taras.birth_date == date(1814, 3, 9) and taras.newsletter is True and taras.responsible == employee
    assert set(Phone.objects.values_list("number", flat=True)) == {"+380501234567", "+380677654321", "+380631112233"}

    again = do_import(client, CONTACTS, csv_file(ROWS[:3]), dry_run=False).data
    assert (again["created"], again["updated"], again["skipped"]) == (0, 0, 2)
    assert Contact.objects.count() == 2 and Phone.objects.count() == 3


def test_a_row_is_matched_by_a_phone_in_another_spelling(api, employee):
    contact = ContactFactory(responsible=employee, first_name="Old", email="")
    PhoneFactory(contact=contact, number="+380501234567")
    rows = [["first_name", "phones"], ["New", "(050) 123-45-67"]]
    answer = do_import(api.as_user(employee), CONTACTS, csv_file(rows), dry_run=False).data
    assert (answer["created"], answer["updated"]) == (0, 1)
    contact.refresh_from_db()
    assert contact.first_name == "New" and Contact.objects.count() == 1


def test_a_ukrainian_xlsx_from_the_template_imports(api, employee):
    client = api.as_user(employee)
    template = client.get(f"{CONTACTS}import/template/", {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="uk")
    assert template.status_code == 200
    headers = next(load_workbook(io.BytesIO(b"".join(template.streaming_content))).active.iter_rows(values_only=True))
    assert "Прізвище" in headers and "Телефони" in headers
    column = {name: i for i, name in enumerate(headers)}
    row = [None] * len(headers)
    row[column["Прізвище"]], row[column["Телефони"]] = "Франко", "0501234567"
    row[column["Дата народження"]] = "27.08.1856"
    answer = do_import(client, CONTACTS, xlsx_file([list(headers), row]), dry_run=False).data
    assert (answer["created"], answer["errors"]) == (1, [])
    assert Contact.objects.get().birth_date == date(1856, 8, 27)


def test_a_colleagues_records_are_not_overwritten(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    lead = LeadFactory(responsible=colleague, created_by=colleague, phone="+380501234567", name="Theirs")
    contact = ContactFactory(responsible=colleague, email="c@example.com", first_name="Theirs")
    client = api.as_user(employee)
    leads = do_import(client, "/api/leads/", csv_file([["name", "phone"], ["Mine now", "0501234567"]]), False).data
    contacts = do_import(client, CONTACTS, csv_file([["first_name", "email"], ["Mine", "c@example.com"]]), False).data
    assert leads["errors"][0]["row"] == 2 and contacts["errors"][0]["row"] == 2
    lead.refresh_from_db()
    contact.refresh_from_db()
    assert lead.name == "Theirs" and contact.first_name == "Theirs" and Lead.objects.count() == 1


def test_products_are_imported_by_admins_only(api, employee, admin_user):
    rows = [["sku", "name", "quantity_in_stock"], ["A-1", "Boots", "3"]]
    assert do_import(api.as_user(employee), "/api/deals/products/", csv_file(rows), False).status_code == 403
    answer = do_import(api.as_user(admin_user), "/api/deals/products/", csv_file(rows), False).data
    assert answer["created"] == 1 and Product.objects.get().quantity_in_stock == 3


@pytest.mark.parametrize(
    ("name", "content"),
    [("x.pdf", b"%PDF-1.4"), ("x.xlsx", b"not a zip"), ("x.csv", b"")],
)
def test_a_file_that_is_not_a_spreadsheet_is_a_400(api, employee, name, content):
    response = api.as_user(employee).post(
        f"{CONTACTS}import/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.data


def test_export_follows_the_lists_filters_search_and_ordering(api, employee):
    for name in ("Bravo", "Alpha", "Charlie"):
        PhoneFactory(contact=ContactFactory(last_name=name, first_name="Qwzy"))
    ContactFactory(last_name="Zulu", first_name="Other")
    client = api.as_user(employee)
    rows = exported(client.get(f"{CONTACTS}export/", {"format": "csv", "search": "Qwzy", "ordering": "-last_name"}))
    assert rows[0][:3] == ["ID", "Last name", "First name"]
    assert [row[1] for row in rows[1:]] == ["Charlie", "Bravo", "Alpha"]


def test_export_shows_only_what_the_user_sees(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE)
    LeadFactory(responsible=colleague, created_by=colleague, name="Theirs")
    LeadFactory(responsible=employee, created_by=employee, name="Mine")
    rows = exported(api.as_user(employee).get("/api/leads/export/"))
    assert [row[1] for row in rows[1:]] == ["Mine"]


def test_xlsx_export_of_tasks(api, employee):
    TaskFactory(created_by=employee, name="Call back")
    response = api.as_user(employee).get("/api/tasks/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][1] == "Call back" and employee.email in values[1][4]


def test_an_unknown_export_format_is_a_400(api, employee):
    assert api.as_user(employee).get(f"{CONTACTS}export/", {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("rows", [2, 40])
def test_export_runs_a_constant_number_of_queries(api, employee, django_assert_max_num_queries, rows):
    for _ in range(rows):
        PhoneFactory(contact=ContactFactory())
    client = api.as_user(employee)
    with django_assert_max_num_queries(4):
        exported(client.get(f"{CONTACTS}export/"))


def test_a_number_twice_in_one_file_is_a_bad_row(api, employee):
    rows = [["first_name", "phones"], ["One", "0501234567"], ["Two", "050 123 45 67"]]
    answer = do_import(api.as_user(employee), CONTACTS, csv_file(rows), dry_run=False).data
    assert [(e["row"], e["column"]) for e in answer["errors"]] == [(3, "phones")]
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["One"]


def _lead_rows(count, start):
    return [["name", "phone", "email"]] + [
        [f"Lead {n}", f"050{n:07d}", f"lead{n}@example.com"] for n in range(start, start + count)
    ]


def _company_rows(count, start):
    codes = [f"{n:07d}0" for n in range(start, start + count)]
    return [["name", "edrpou"]] + [[f"Company {code}", code[:7] + str(edrpou_check_digit(code))] for code in codes]


def _contact_rows(count, start):
    return [["last_name", "first_name", "phones"]] + [
        [f"Last {n}", f"First {n}", f"067{n:07d}"] for n in range(start, start + count)
    ]


@pytest.mark.parametrize(
    ("url", "rows"),
    [(CONTACTS, _contact_rows), ("/api/leads/", _lead_rows), ("/api/companies/", _company_rows)],
    ids=["contacts", "leads", "companies"],
)
def test_an_import_reads_and_writes_in_bulk_whatever_the_number_of_rows(api, employee, url, rows):
    """Matching and saving take as many queries for 3 rows as for 30 (new rows and re-imported ones)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api.as_user(employee)

    def queries(count, start):
        do_import(client, url, csv_file(rows(count, start)), dry_run=False)  # first import: all new
        changed = [row if n == 0 else [f"{row[0]} v2", *row[1:]] for n, row in enumerate(rows(count, start))]
        with CaptureQueriesContext(connection) as captured:
            answer = do_import(client, url, csv_file(changed), dry_run=False).data
        assert (answer["created"], answer["updated"], answer["errors"]) == (0, count, []), answer
        return len(captured)

    assert queries(3, 1000) == queries(30, 2000)
