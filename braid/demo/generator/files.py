"""Roster files as the contributors' own systems would export them."""

import csv
import datetime
import io
import zipfile
from typing import Literal

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

# Zip entries and the workbook's properties carry this moment instead of the
# time of the run, so that the same seed gives the same bytes.
_FIXED_MOMENT = datetime.datetime(2026, 9, 1, 8, 0, 0)

Value = str | datetime.date


def csv_bytes(
    headers: list[str],
    rows: list[list[Value]],
    *,
    encoding: str,
    delimiter: str = ",",
    line_end: str = "\r\n",
    quote_all: bool = False,
) -> bytes:
    buffer = io.StringIO()
    quoting: Literal[0, 1] = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    writer = csv.writer(
        buffer, delimiter=delimiter, lineterminator=line_end, quoting=quoting
    )
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers: list[str], rows: list[list[Value]], *, author: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Roster"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, datetime.date | datetime.datetime):
                cell.number_format = "m/d/yyyy"

    workbook.properties.creator = author
    workbook.properties.created = _FIXED_MOMENT
    workbook.properties.modified = _FIXED_MOMENT
    return _with_fixed_times(_saved(workbook))


def _saved(workbook: Workbook) -> bytes:
    # Workbook.save stamps the current time into the file, so the writer it
    # wraps is called directly.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    return buffer.getvalue()


def _with_fixed_times(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, _FIXED_MOMENT.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            archive.writestr(fixed, source.read(entry.filename))
    return buffer.getvalue()
