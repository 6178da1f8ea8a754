"""`…/import/`: a CSV or XLSX file into a table, previewed first (`dry_run=true`, nothing written).

The app's django-import-export resource does the matching (a re-import updates
instead of duplicating) and the checks; a bad row is reported with its number,
column and reason and skipped, the rest is imported in one transaction. What the
database still refuses rolls the whole file back: the answer then says
`written: false`, with a `detail`, and counts nothing as created or updated.
`…/import/template/` gives an empty file headed in the user's language.
"""

import tablib
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from crm.spreadsheets.exports import (
    FORMAT_PARAMETER,
    SPREADSHEET_RESPONSES,
    SpreadsheetNegotiationMixin,
    spreadsheet_format,
    spreadsheet_response,
)
from crm.workers.records import refusal


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("A .csv (UTF-8 or Windows-1251) or .xlsx file; the first row names the columns.")
    )
    dry_run = serializers.BooleanField(default=True, help_text=_("true: only say what would happen; false: import."))


ImportResultSerializer = inline_serializer(
    "ImportResult",
    {
        "dry_run": serializers.BooleanField(),
        "written": serializers.BooleanField(help_text=_("Whether anything of the file was written.")),
        "detail": serializers.CharField(allow_null=True, help_text=_("Why nothing was written, if it was not.")),
        "rows": serializers.IntegerField(),
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "skipped": serializers.IntegerField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


def _read_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError({"file": [_("The CSV file is neither UTF-8 nor Windows-1251 text.")]})


def read_dataset(upload) -> tablib.Dataset:
    name = (upload.name or "").lower()
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError({"file": [_("The file is too large.")]})
    raw = upload.read()
    try:
        if name.endswith(".csv"):
            dataset = tablib.Dataset().load(_read_csv(raw), format="csv")
        elif name.endswith(".xlsx"):
            dataset = tablib.Dataset().load(raw, format="xlsx")
        else:
            raise ValidationError({"file": [_("Send a .csv or .xlsx file.")]})
    except ValidationError:
        raise
    except Exception:  # tablib and openpyxl raise many kinds of errors for a damaged file
        raise ValidationError({"file": [_("The file cannot be read as a spreadsheet.")]}) from None
    if not dataset.headers:
        raise ValidationError({"file": [_("The first row must name the columns.")]})
    if dataset.height > settings.IMPORT_MAX_ROWS:
        raise ValidationError({"file": [_("At most %(n)s rows per file.") % {"n": settings.IMPORT_MAX_ROWS}]})
    return dataset


def _reason(error: BaseException) -> str:
    """What to tell of an error no check foresaw: the database's refusal, or only that the row failed."""
    if isinstance(error, DatabaseError):
        return str(_("The database refused it: %(reason)s")) % {"reason": refusal(error)}
    return str(_("This row could not be imported."))


def _errors(result, resource) -> list[dict]:
    """Every bad row: its number in the file (the heading is row 1), the column and the reason."""
    labels = {field.column_name: str(resource.label_of(field)) for field in resource.get_import_fields()}
    errors = []
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            for message in messages:
                name = None if column == "__all__" else column
                errors.append({"row": invalid.number + 1, "column": labels.get(name, name), "message": str(message)})
    for error in result.base_errors:  # a batch the database refused: nothing of the file is written
        errors.append({"row": None, "column": None, "message": _reason(error.error)})
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append({"row": number + 1, "column": None, "message": _reason(error.error)})
    return sorted(errors, key=lambda e: e["row"] or 0)


def _rolled_back(dry_run: bool) -> str:
    if dry_run:
        return str(_("Nothing would be imported: the errors below would stop the whole file."))
    return str(_("Nothing was imported: the errors below stopped the whole file."))


def import_file(*, resource, dataset, dry_run: bool) -> dict:
    resource.normalise_headers(dataset)
    result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True, raise_errors=False)
    rolled_back = result.has_errors()  # django-import-export rolls the file back for these, not for bad rows
    totals = result.totals
    return {
        "dry_run": dry_run,
        "written": not (dry_run or rolled_back),
        "detail": _rolled_back(dry_run) if rolled_back else None,
        "rows": dataset.height,
        "created": 0 if rolled_back else totals["new"],
        "updated": 0 if rolled_back else totals["update"],
        "skipped": totals["skip"],
        "errors": _errors(result, resource),
    }


class ImportMixin(SpreadsheetNegotiationMixin):
    """A viewset with `resource_class` gets `import/` (who may create the records may import them) and its template."""

    resource_class = None

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer}, responses=ImportResultSerializer)
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser, FormParser])
    def import_file(self, request):
        """Preview (`dry_run=true`, the default) or import a spreadsheet; bad rows are reported and skipped."""
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dataset = read_dataset(serializer.validated_data["file"])
        resource = self.resource_class(user=request.user)
        answer = import_file(resource=resource, dataset=dataset, dry_run=serializer.validated_data["dry_run"])
        return Response(answer)

    @extend_schema(parameters=[FORMAT_PARAMETER], responses=SPREADSHEET_RESPONSES)
    @action(detail=False, methods=["get"], url_path="import/template", pagination_class=None, filter_backends=[])
    def import_template(self, request):
        """An empty file with the columns an import reads, headed in the user's language."""
        fmt = spreadsheet_format(request)
        resource = self.resource_class(user=request.user)
        header = resource.headings(resource.get_import_fields())
        return spreadsheet_response(name=f"{self.model._meta.model_name}-template", fmt=fmt, header=header, rows=[])
