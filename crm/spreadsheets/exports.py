"""`…/export/?format=csv|xlsx`: a list as a spreadsheet, with the list's own filters, search, ordering and scope.

Rows are read with `QuerySet.iterator()` in chunks (prefetches included) and
written as they come: CSV streams to the client, XLSX goes through openpyxl's
write-only workbook into a temporary file. Either way memory stays flat
whatever the number of rows. Columns come from the app's django-import-export
resource, so an export re-imports as it is.

No stored text becomes a formula (OWASP's CSV injection rule): text starting with
`=`, `+`, `-`, `@`, a tab or a carriage return goes into a CSV file behind a single
quote (`'=1+1`), which an import drops again, and into an XLSX file as a text cell,
unchanged. Numbers are written as numbers.
"""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer

from crm.spreadsheets import cell_value, looks_like_formula

CHUNK = 2000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class _Echo:
    def write(self, value):
        return value


def spreadsheet_format(request) -> str:
    fmt = request.query_params.get("format", "csv")
    if fmt not in FORMATS:
        raise ValidationError({"format": [_("Choose csv or xlsx.")]})
    return fmt


def _csv_text(value):
    return "'" + value if looks_like_formula(value) else value


def _csv_lines(header, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that Excel opens UTF-8 (Cyrillic) text as such
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([_csv_text(value) for value in row])


def _xlsx_text(sheet, value):
    """openpyxl makes a formula of any text starting with `=`: such text goes in a cell typed as text."""
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _xlsx_file(header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_text(sheet, value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it once sent
    workbook.save(handle)
    handle.seek(0)
    return handle


def spreadsheet_response(*, name: str, fmt: str, header: list[str], rows):
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(header, rows), content_type=FORMATS["csv"])
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
        return response
    return FileResponse(_xlsx_file(header, rows), as_attachment=True, filename=filename, content_type=FORMATS["xlsx"])


SPREADSHEET_RESPONSES = {(200, media.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY) for media in FORMATS.values()}
FORMAT_PARAMETER = OpenApiParameter("format", OpenApiTypes.STR, enum=list(FORMATS), description=_("csv or xlsx"))


class SpreadsheetNegotiationMixin:
    """`?format=` names the file format of these actions, not a DRF renderer; errors still answer in JSON."""

    spreadsheet_actions = ("export", "import_template")

    def perform_content_negotiation(self, request, force=False):
        if self.action in self.spreadsheet_actions:
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)


class ExportMixin(SpreadsheetNegotiationMixin):
    """A list viewset with `resource_class` (a django-import-export ModelResource) gets `export/`."""

    resource_class = None

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses=SPREADSHEET_RESPONSES,
        filters=True,  # the list's filters, search and ordering apply: declare them all
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The list, under the same filters, search and ordering, as a CSV or XLSX file of every matching row."""
        fmt = spreadsheet_format(request)
        resource = self.resource_class(user=request.user)
        fields = resource.get_export_fields()
        queryset = resource.export_queryset(self.filter_queryset(self.get_queryset()))
        exporters = resource.exporters(fields)

        def rows():
            for instance in queryset.iterator(chunk_size=CHUNK):
                yield [cell_value(export(instance)) for export in exporters]

        return spreadsheet_response(
            name=self.model._meta.model_name, fmt=fmt, header=resource.headings(fields), rows=rows()
        )
