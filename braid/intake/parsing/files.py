"""Turn the bytes of a roster file into a header and records of cells.

Text files are decoded, their delimiter found and their CSV read with line
numbers as in the file; workbooks are read from their first worksheet. What
the cells mean is left to the other modules.
"""

import codecs
import csv
import datetime
import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from braid.intake.parsing.codes import Code
from braid.intake.parsing.types import Issue

if TYPE_CHECKING:
    from _csv import Reader

EXCEL_EPOCH_1900 = datetime.date(1899, 12, 30)
EXCEL_EPOCH_1904 = datetime.date(1904, 1, 1)

DELIMITERS = (",", ";", "\t", "|")

# Enough records to tell the delimiter from the punctuation inside values,
# few enough that a large file is not read four times over.
_SNIFF_RECORDS = 200

# A workbook is a zip archive, and a small one can unpack to gigabytes. No
# roster comes near this once unpacked.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm"})


@dataclass(frozen=True)
class FormulaError:
    """A spreadsheet cell whose formula failed (``#N/A``, ``#REF!``)."""

    text: str


# What one cell can hold. Text files give only strings; a workbook also
# gives numbers, dates and times (``bool`` is an ``int``, ``datetime`` a
# ``date``).
Cell = (
    (str | int | float | datetime.date | datetime.time | datetime.timedelta)
    | FormulaError
    | None
)


@dataclass
class Record:
    line: int
    cells: list[Cell]


@dataclass
class Table:
    """A file's header and the records after it, blank ones included or not."""

    encoding: str
    delimiter: str | None
    headers: list[str]
    records: list[Record]
    notices: list[Issue] = field(default_factory=list)
    serial_epoch: datetime.date = EXCEL_EPOCH_1900


class UnreadableFile(Exception):
    """The file cannot be read at all; ``issue`` says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX file, deciding which by its content and its name."""
    suffix = PurePath(filename).suffix.casefold()

    if not data.strip():
        raise UnreadableFile(Issue(Code.EMPTY_FILE, _("The file is empty.")))
    if data.startswith(_OLE2_MAGIC) or suffix == ".xls":
        raise UnreadableFile(Issue(Code.LEGACY_XLS, _legacy_xls_message()))
    if data.startswith(_ZIP_MAGIC) or suffix in _WORKBOOK_SUFFIXES:
        return read_workbook(data)
    return read_text(data)


def _legacy_xls_message() -> str:
    return _(
        "Braid cannot read old Excel files (.xls). Open the file in a "
        "spreadsheet program and save it as an Excel workbook (.xlsx) or as "
        "CSV UTF-8, then upload that file."
    )


# Text files


def read_text(data: bytes) -> Table:
    text, encoding, notices = decode(data)
    delimiter = sniff_delimiter(text)
    headers, records = _split_header(parse_csv(text, delimiter))
    return Table(encoding, delimiter, headers, records, notices)


def decode(data: bytes) -> tuple[str, str, list[Issue]]:
    """Return the text, the encoding it was read with, and any notice."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UnreadableFile(Issue(Code.UNSUPPORTED_ENCODING, _utf16_message()))
    if b"\x00" in data:
        raise UnreadableFile(Issue(Code.NOT_TEXT, _not_text_message()))

    has_bom = data.startswith(codecs.BOM_UTF8)
    body = data[len(codecs.BOM_UTF8) :] if has_bom else data
    try:
        return body.decode("utf-8"), "utf-8-sig" if has_bom else "utf-8", []
    except UnicodeDecodeError:
        pass

    try:
        text = body.decode("cp1252")
    except UnicodeDecodeError as error:
        line = body[: error.start].count(b"\n") + 1
        raise UnreadableFile(
            Issue(Code.UNDECODABLE, _undecodable_message(line), line=line)
        ) from None
    return text, "cp1252", [Issue(Code.CP1252, _cp1252_message())]


def _utf16_message() -> str:
    return _(
        "The file is saved as UTF-16 (“Unicode text”), which Braid does not "
        "read. Save it as CSV UTF-8 and upload it again."
    )


def _not_text_message() -> str:
    return _(
        "The file is not a text file. Upload a CSV file or an Excel workbook (.xlsx)."
    )


def _undecodable_message(line: int) -> str:
    return _(
        "The file is neither UTF-8 nor Windows-1252 text (the first unreadable "
        "character is on line %(line)s). Save it as CSV UTF-8 and upload it "
        "again."
    ) % {"line": line}


def _cp1252_message() -> str:
    return _(
        "The file is not UTF-8, so it was read as Windows-1252. Check that "
        "accented names look right; if they do not, save the file as CSV UTF-8 "
        "and upload it again."
    )


def sniff_delimiter(text: str) -> str:
    """Return the delimiter that splits the file into the most regular table.

    Each candidate reads the first records with quotes respected, so commas
    inside quoted names do not count. A tie goes to the earlier candidate.
    """
    scores = {delimiter: _delimiter_score(text, delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=scores.__getitem__)
    if not scores[best][0]:
        raise UnreadableFile(Issue(Code.ONE_COLUMN, _one_column_message()))
    return best


def _delimiter_score(text: str, delimiter: str) -> tuple[bool, int, int]:
    """Prefer a header wider than one field, then rows as wide as it."""
    widths: list[int] = []
    try:
        for cells in islice(_reader(text, delimiter), _SNIFF_RECORDS):
            if not is_blank(cells):
                widths.append(len(cells))
    except csv.Error:
        # A wrong delimiter often breaks the quoting; what was read still
        # counts, and the real error is reported when the file is read.
        pass

    if not widths or widths[0] <= 1:
        return (False, 0, 0)
    matching = sum(1 for width in widths[1:] if width == widths[0])
    return (True, matching, widths[0])


def _one_column_message() -> str:
    return _(
        "The file has only one column: no comma, semicolon, tab or pipe "
        "separates its values. Save it as CSV with one column for each field "
        "(ID, first name, last name, date of birth…)."
    )


def parse_csv(text: str, delimiter: str) -> list[Record]:
    """Read every record, numbered by the line of the file it starts on."""
    records: list[Record] = []
    reader = _reader(text, delimiter)
    start = 1
    try:
        for cells in reader:
            records.append(Record(start, list(cells)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(_malformed(error, start)) from None
    return records


def _reader(text: str, delimiter: str) -> "Reader":
    # Strict mode turns an unclosed quote into an error instead of a record
    # that silently swallows the rest of the file.
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=delimiter,
        strict=True,
        skipinitialspace=True,
    )


def _malformed(error: csv.Error, line: int) -> Issue:
    detail = str(error)
    if "end of data" in detail or "field larger" in detail:
        message = _("A quoted value that starts on line %(line)s is never closed.")
    elif "expected after" in detail:
        message = _(
            "Line %(line)s is not well-formed CSV: a closing quote is followed "
            "by other characters before the next separator."
        )
    else:
        message = _("Line %(line)s could not be read as CSV.")
    return Issue(Code.MALFORMED_CSV, message % {"line": line}, line=line)


# Workbooks


def read_workbook(data: bytes) -> Table:
    _check_unpacked_size(data)
    try:
        rows, epoch = _first_sheet(data)
    except Exception:
        # A damaged or foreign archive fails inside openpyxl or zipfile in
        # many ways; to the person uploading it, each means the same thing.
        raise UnreadableFile(
            Issue(Code.INVALID_XLSX, _invalid_xlsx_message())
        ) from None

    headers, records = _split_header(rows)
    for record in records:
        record.cells.extend([None] * (len(headers) - len(record.cells)))
    return Table("xlsx", None, headers, records, [], epoch)


def workbook_rows(data: bytes, at_most: int) -> int:
    """Count the first sheet's rows below the header, up to ``at_most + 1``.

    Rows are counted as they are read, not taken from the size the workbook
    records, which some programs write wrong; the count stops past
    ``at_most``, so that a large workbook is not read whole to learn that it
    is large. A workbook that cannot be opened counts none: reading it says
    why.
    """
    try:
        _check_unpacked_size(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True)
            try:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()
                rows = sheet.iter_rows(values_only=True)
                counted = sum(1 for _ in islice(rows, at_most + 2))
            finally:
                workbook.close()
    except Exception:
        return 0
    return max(counted - 1, 0)


def _first_sheet(data: bytes) -> tuple[list[Record], datetime.date]:
    # openpyxl warns about workbook features it drops (data validation,
    # styles); none of them matters to the values read here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            # The size a workbook records for its sheet is read as the truth
            # in read-only mode; some programs write it wrong (A1 for a
            # whole sheet), and every row beyond it would be lost.
            sheet.reset_dimensions()
            rows = list(_sheet_rows(sheet))
        finally:
            workbook.close()

    mac = workbook.epoch == CALENDAR_MAC_1904
    return rows, EXCEL_EPOCH_1904 if mac else EXCEL_EPOCH_1900


def _check_unpacked_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile(
            Issue(Code.INVALID_XLSX, _invalid_xlsx_message())
        ) from None
    if unpacked > MAX_UNPACKED_BYTES:
        message = _("The workbook is too large to read. Save it as CSV instead.")
        raise UnreadableFile(Issue(Code.XLSX_TOO_LARGE, message))


def _invalid_xlsx_message() -> str:
    return _(
        "The file is not an Excel workbook (.xlsx) that Braid can read. Open "
        "it in a spreadsheet program, save it as .xlsx or as CSV UTF-8, and "
        "upload it again."
    )


def _sheet_rows(sheet: Any) -> Iterator[Record]:
    """Yield the rows that hold something, numbered as in the spreadsheet.

    ``sheet`` and its cells are openpyxl's read-only classes, which it does
    not export.
    """
    line = 0
    for row in sheet.iter_rows():
        # Empty cells carry no row number; a row of them follows the last.
        numbered = [cell.row for cell in row if getattr(cell, "row", None)]
        line = numbered[0] if numbered else line + 1
        cells = [_sheet_cell(cell) for cell in row]
        if not is_blank(cells):
            yield Record(line, cells)


def _sheet_cell(cell: Any) -> Cell:
    value: Cell = cell.value
    if getattr(cell, "data_type", None) == "e" and value is not None:
        return FormulaError(str(value))
    return value


# Both


def _split_header(records: Sequence[Record]) -> tuple[list[str], list[Record]]:
    """Take the first non-blank record as the header, the rest as data."""
    for index, record in enumerate(records):
        if not is_blank(record.cells):
            headers = [_header_text(cell) for cell in record.cells]
            while headers and not headers[-1].strip():
                headers.pop()
            return headers, list(records[index + 1 :])
    raise UnreadableFile(Issue(Code.EMPTY_FILE, _("The file is empty.")))


def _header_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def is_blank(cells: Sequence[Cell]) -> bool:
    return all(map(is_blank_cell, cells))


def is_blank_cell(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())
