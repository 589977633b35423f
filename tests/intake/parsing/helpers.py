"""Small synthetic roster files, built in code; every person is invented."""

import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook

from braid.intake.parsing import Field, Issue, ParsedRoster, read_roster

TODAY = datetime.date(2025, 6, 1)

HEADER = "Student ID,First Name,Last Name,Birthdate"


def csv_bytes(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> bytes:
    return newline.join(lines).encode(encoding)


def read_csv(*lines: str, filename: str = "roster.csv", **options: Any) -> ParsedRoster:
    return read_roster(csv_bytes(*lines), filename, today=TODAY, **options)


def xlsx_bytes(rows: Iterable[Sequence[object]], *, epoch_1904: bool = False) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if epoch_1904:
        workbook.epoch = datetime.datetime(1904, 1, 1)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(rows: Iterable[Sequence[object]], **options: Any) -> ParsedRoster:
    return read_roster(xlsx_bytes(rows), "roster.xlsx", today=TODAY, **options)


def codes(issues: Iterable[Issue]) -> list[str]:
    return [str(issue.code) for issue in issues]


def only(issues: Sequence[Issue], code: str) -> Issue:
    found = [issue for issue in issues if issue.code == code]
    assert len(found) == 1, [issue.as_dict() for issue in issues]
    return found[0]


def values(roster: ParsedRoster, field: Field) -> list[object]:
    return [row.values[field] for row in roster.rows]
