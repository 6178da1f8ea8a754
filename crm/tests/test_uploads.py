import pytest
from django.core.exceptions import ValidationError

from crm.files.uploads import UploadTo, validate_upload
from crm.tests.files import EXE, PDF, PNG, office_file, upload


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.png", PNG),
        ("scan.PDF", PDF),
        ("letter.docx", office_file("docx")),
        ("prices.xlsx", office_file("xlsx")),
    ],
)
def test_real_files_of_allowed_kinds_pass(name, content):
    validate_upload(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", EXE, "content"),  # a renamed executable
        ("photo.jpg", PNG, "content"),  # a PNG is not a JPEG
        ("letter.docx", office_file("xlsx"), "content"),
        ("tool.exe", EXE, "extension"),
        ("notes.txt", b"hello", "extension"),
        ("no-extension", PDF, "extension"),
    ],
)
def test_impostors_and_other_kinds_are_refused(name, content, code):
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))
    assert caught.value.code == code


def test_size_limit_comes_from_settings(settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload("scan.pdf", PDF))
    assert caught.value.code == "size"


def test_names_are_generated_by_the_server():
    name = UploadTo("returns")(None, "../../etc/passwd.PDF")
    assert name.startswith("returns/") and name.endswith(".pdf")
    assert ".." not in name and "passwd" not in name
