"""What an import answers and writes: the API's rules on every row, a rolled-back file said as such,
nothing rewritten that did not change, and nothing told about records the importer may not see."""

from unittest.mock import ANY

import pytest
from django.db.models import CheckConstraint, Q

from companies.models import Company
from companies.tests.factories import CompanyFactory
from companies.validators import edrpou_check_digit
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from crm.tests.test_records import database_refuses, needs_postgresql
from crm.tests.test_spreadsheets import csv_file, xlsx_file
from deals.models import Product
from leads.models import Lead
from leads.tests.factories import LeadFactory
from users.models import Role
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTACTS, COMPANIES, LEADS, PRODUCTS = "/api/contacts/", "/api/companies/", "/api/leads/", "/api/deals/products/"


def edrpou(n: int) -> str:
    """An EDRPOU code with a right control digit."""
    base = f"{n:07d}"
    return base + str(edrpou_check_digit(base + "0"))


def wrong_edrpou(n: int) -> str:
    right = edrpou(n)
    return right[:7] + str((int(right[7]) + 1) % 10)


def imported(client, url, upload, *, dry_run=False):
    response = client.post(
        f"{url}import/",
        {"file": upload, "dry_run": "true" if dry_run else "false"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.data
    return response.data


def errors_of(answer) -> list[tuple]:
    return [(error["row"], error["column"], error["message"]) for error in answer["errors"]]


# A cell that cannot be read is a bad row, with its column and a plain reason; the rest is written.


def test_an_unknown_colleague_is_a_bad_row_and_the_rest_is_imported(api, employee):
    rows = [["first_name", "email", "responsible"], ["Good", "good@example.com", ""], ["Bad", "", "nobody@example.com"]]
    answer = imported(api.as_user(employee), CONTACTS, csv_file(rows))
    assert errors_of(answer) == [(3, "responsible", "No colleague with this email: nobody@example.com")]
    assert (answer["written"], answer["created"]) == (True, 1)
    assert list(Contact.objects.values_list("first_name", flat=True)) == ["Good"]


def test_a_colleague_is_named_by_email_in_any_case(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE, email="Colleague@example.com")
    rows = [["first_name", "responsible"], ["Theirs", " colleague@EXAMPLE.com "]]
    answer = imported(api.as_user(employee), CONTACTS, csv_file(rows))
    assert (answer["created"], answer["errors"]) == (1, [])
    assert Contact.objects.get().responsible == colleague


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("abc", "Not a number: abc"),
        ("1.5", "Not a whole number: 1.5"),
        ("1" + "0" * 30, "Too large a number: 1" + "0" * 30),
        ("9" * 19, None),  # beyond the column (32 bits on PostgreSQL, 64 on SQLite)
    ],
)
def test_a_quantity_that_is_not_a_whole_number_is_a_bad_row(api, admin_user, quantity, message):
    rows = [["sku", "name", "quantity_in_stock"], ["A-1", "Boots", "3"], ["A-2", "Shoes", quantity]]
    answer = imported(api.as_user(admin_user), PRODUCTS, xlsx_file(rows, name="products.xlsx"))
    [(row, column, reason)] = errors_of(answer)
    assert (row, column) == (3, "quantity in stock")
    assert reason == message if message else reason.startswith("Ensure this value is less than or equal to")
    assert answer["written"] is True
    assert list(Product.objects.values_list("sku", "quantity_in_stock")) == [("A-1", 3)]


def test_a_cell_longer_than_its_column_is_a_bad_row_naming_the_column(api, employee):
    rows = [["last_name", "first_name"], ["Short", "Name"], ["Long", "x" * 151]]
    answer = imported(api.as_user(employee), CONTACTS, csv_file(rows))
    assert [(row, column) for row, column, _message in errors_of(answer)] == [(3, "first name")]
    assert "150" in answer["errors"][0]["message"]
    assert (answer["written"], answer["created"]) == (True, 1)
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Short"]


def test_nul_characters_are_dropped_from_imported_text(api, employee):
    rows = [["last_name", "first_name"], ["Shev\x00chenko", "Taras\x00"]]
    answer = imported(api.as_user(employee), CONTACTS, csv_file(rows))
    assert (answer["created"], answer["errors"]) == (1, [])
    assert Contact.objects.values_list("last_name", "first_name").get() == ("Shevchenko", "Taras")


# The API's rules: what a serializer refuses, an import refuses, row by row.


@pytest.mark.parametrize(
    ("url", "rows", "column"),
    [
        (CONTACTS, [["first_name", "email"], ["Ok", "ok@example.com"], ["Bad", "not-an-email"]], "email"),
        (CONTACTS, [["first_name", "edrpou"], ["Ok", edrpou(1)], ["Bad", wrong_edrpou(2)]], "EDRPOU code"),
        (CONTACTS, [["first_name", "edrpou"], ["Ok", edrpou(1)], ["Bad", "12ab"]], "EDRPOU code"),
        (COMPANIES, [["name", "edrpou"], ["Ok", edrpou(1)], ["Bad", wrong_edrpou(2)]], "EDRPOU code"),
        (COMPANIES, [["name", "edrpou"], ["Ok", edrpou(1)], ["", edrpou(2)]], "name"),
        (LEADS, [["name", "source"], ["Ok", "shop"], ["Bad", "nowhere"]], "source"),
        (LEADS, [["name", "status"], ["Ok", "new"], ["Bad", "lost"]], "status"),
        (LEADS, [["name", "phone"], ["Ok", "0501234567"], ["x" * 256, "0501234568"]], "name"),
    ],
    ids=["email", "edrpou-check-digit", "edrpou-format", "company-edrpou", "company-name", "source", "status", "long"],
)
def test_an_import_refuses_what_the_api_refuses(api, employee, url, rows, column):
    client = api.as_user(employee)
    preview = imported(client, url, csv_file(rows), dry_run=True)
    answer = imported(client, url, csv_file(rows))
    for result in (preview, answer):
        assert [(row, col) for row, col, _message in errors_of(result)] == [(3, column)]
        assert result["created"] == 1
    model = {CONTACTS: Contact, COMPANIES: Company, LEADS: Lead}[url]
    assert model.objects.count() == 1


def test_a_valid_edrpou_is_imported(api, employee):
    answer = imported(api.as_user(employee), COMPANIES, csv_file([["name", "edrpou"], ["Ok", edrpou(7)]]))
    assert (answer["created"], answer["errors"]) == (1, [])
    assert Company.objects.get().edrpou == edrpou(7)


# A file the database refuses is rolled back, and the answer says so.


@needs_postgresql
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_rolled_back_import_says_nothing_was_written(api, employee, dry_run):
    rows = [["name", "edrpou"], ["One", edrpou(42)], ["Refused", edrpou(44)], ["Three", edrpou(43)]]
    refusal = CheckConstraint(condition=~Q(name="Refused"), name="test_refused_company")
    with database_refuses(Company, refusal):
        answer = imported(api.as_user(employee), COMPANIES, csv_file(rows), dry_run=dry_run)
    assert answer["written"] is False
    assert (answer["created"], answer["updated"]) == (0, 0)
    detail = "Nothing would be imported: the errors below would stop" if dry_run else "Nothing was imported"
    assert answer["detail"].startswith(detail)
    assert answer["errors"] and all("Traceback" not in e["message"] for e in answer["errors"])
    assert Company.objects.count() == 0


def test_a_written_import_says_so(api, employee):
    answer = imported(api.as_user(employee), COMPANIES, csv_file([["name"], ["One"]]))
    assert (answer["written"], answer["dry_run"], answer["created"]) == (True, False, 1)
    preview = imported(api.as_user(employee), COMPANIES, csv_file([["name"], ["Two"]]), dry_run=True)
    assert (preview["written"], preview["dry_run"], preview["created"]) == (False, True, 1)


# An unchanged row changes nothing.


@pytest.mark.parametrize(
    ("url", "make", "rows"),
    [
        (
            CONTACTS,
            lambda user, n: ContactFactory(responsible=user, first_name=f"F{n}", email=f"c{n}@example.com"),
            lambda n: ["first_name", "email", "responsible"] if n is None else [f"F{n}", f"c{n}@example.com", ""],
        ),
        (
            COMPANIES,
            lambda user, n: CompanyFactory(responsible=user, name=f"C{n}", edrpou=edrpou(n)),
            lambda n: ["name", "edrpou", "responsible"] if n is None else [f"C{n}", edrpou(n), ""],
        ),
        (
            LEADS,
            lambda user, n: LeadFactory(responsible=user, created_by=user, name=f"L{n}", phone=f"+38050000000{n}"),
            lambda n: ["name", "phone", "responsible"] if n is None else [f"L{n}", f"050000000{n}", ""],
        ),
    ],
    ids=["contacts", "companies", "leads"],
)
def test_an_unchanged_row_with_an_empty_responsible_cell_is_skipped(api, employee, url, make, rows):
    records = [make(employee, n) for n in (1, 2)]
    stamps = [record.updated_at for record in records]
    answer = imported(api.as_user(employee), url, csv_file([rows(None), rows(1), rows(2)]))
    assert (answer["created"], answer["updated"], answer["skipped"], answer["errors"]) == (0, 0, 2, [])
    for record, stamp in zip(records, stamps, strict=True):
        record.refresh_from_db()
        assert (record.updated_at, record.responsible) == (stamp, employee)


# A match names no record the importer may not see or change.


def test_a_match_with_a_hidden_lead_names_no_record(api, employee):
    colleague = UserFactory(role=Role.EMPLOYEE, first_name="Secretive")
    lead = LeadFactory(responsible=colleague, created_by=colleague, phone="+380501234567", email="x@example.com")
    contact = ContactFactory(responsible=colleague, email="c@example.com")
    client = api.as_user(employee)
    for dry_run in (True, False):
        leads = imported(client, LEADS, csv_file([["name", "email"], ["Mine", "X@example.com"]]), dry_run=dry_run)
        contacts = imported(client, CONTACTS, csv_file([["first_name", "email"], ["Mine", "c@example.com"]]))
        [(row, column, message)] = errors_of(leads)
        assert (row, column) == (2, None)
        assert str(lead.pk) not in message and "Secretive" not in message and colleague.email not in message
        assert errors_of(contacts) == [(2, None, message)]  # the same refusal as for any record not yours
    assert Lead.objects.get().name == lead.name and Lead.objects.count() == 1
    contact.refresh_from_db()
    assert contact.first_name != "Mine"


def test_a_code_twice_in_one_file_is_one_company_updated_by_the_later_row(api, employee):
    rows = [["name", "edrpou"], ["First spelling", edrpou(5)], ["Later spelling", edrpou(5)], ["Other", edrpou(6)]]
    answer = imported(api.as_user(employee), COMPANIES, csv_file(rows))
    assert (answer["written"], answer["created"], answer["updated"], answer["errors"]) == (True, 2, 1, [])
    assert sorted(Company.objects.values_list("name", "edrpou")) == [
        ("Later spelling", edrpou(5)),
        ("Other", edrpou(6)),
    ]


# The API's status rules hold for a lead import.


def test_a_file_neither_converts_nor_fails_a_lead(api, employee):
    open_lead = LeadFactory(responsible=employee, created_by=employee, phone="+380501230001", status="new")
    rows = [["name", "phone", "status"], ["Open", "0501230001", "converted"], ["New", "0501230002", "failed"]]
    answer = imported(api.as_user(employee), LEADS, csv_file(rows))
    assert sorted(errors_of(answer)) == [(2, "status", ANY), (3, "status", ANY)]
    assert "convert or fail action" in answer["errors"][0]["message"]
    open_lead.refresh_from_db()
    assert open_lead.status == "new" and Lead.objects.count() == 1


def test_a_converted_lead_is_not_changed_by_a_file_but_its_exported_row_is_skipped(api, employee):
    lead = LeadFactory(
        responsible=employee, created_by=employee, name="Done", phone="+380501230003", status="converted"
    )
    client = api.as_user(employee)
    unchanged = imported(client, LEADS, csv_file([["name", "phone", "status"], ["Done", "0501230003", "converted"]]))
    assert (unchanged["errors"], unchanged["skipped"]) == ([], 1)
    changed = imported(client, LEADS, csv_file([["name", "phone", "status"], ["Renamed", "0501230003", "new"]]))
    [(row, column, message)] = errors_of(changed)
    assert (row, column, message) == (2, None, "This lead is converted or failed already.")
    lead.refresh_from_db()
    assert (lead.name, lead.status) == ("Done", "converted")
