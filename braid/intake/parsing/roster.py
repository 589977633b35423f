"""Read a roster file into clean rows, with every problem found at once.

Nothing here touches the database: the result says what the file holds and
what is wrong with it, and the importer decides what to do with that.
"""

import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from braid.children.normalize import id_key
from braid.intake.parsing.codes import Code
from braid.intake.parsing.columns import ColumnPlan, field_label, plan_columns
from braid.intake.parsing.dates import check_date_format, read_birth_dates
from braid.intake.parsing.files import (
    Cell,
    Record,
    Table,
    UnreadableFile,
    is_blank,
    is_blank_cell,
    read_table,
)
from braid.intake.parsing.types import REQUIRED_FIELDS, Field, Issue, ParsedRoster, Row
from braid.intake.parsing.values import (
    Invalid,
    cell_text,
    check_length,
    normalize_email,
    normalize_gender,
    normalize_grade,
    normalize_phone,
    normalize_zip,
    zip_from_number,
)

logger = logging.getLogger(__name__)

_NORMALIZERS: Mapping[Field, Callable[[str], str]] = {
    Field.GENDER: normalize_gender,
    Field.GRADE: normalize_grade,
    Field.ZIP_CODE: normalize_zip,
    Field.GUARDIAN_EMAIL: normalize_email,
    Field.GUARDIAN_PHONE: normalize_phone,
}


_NO_VALUES: Mapping[Field, str] = dict.fromkeys(Field, "")


@dataclass
class _Draft:
    """A row on its way to becoming a ``Row``, or not."""

    line: int
    values: dict[Field, str | datetime.date] = field(
        default_factory=lambda: dict(_NO_VALUES)
    )
    birth_cell: Cell = None
    errors: list[Issue] = field(default_factory=list)


def read_roster(
    data: bytes,
    filename: str,
    *,
    overrides: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date,
) -> ParsedRoster:
    """Read a roster file (CSV or XLSX) and check every row of it.

    ``overrides`` maps headers, exactly as written in the file, to a field
    name or to ``IGNORE``; ``date_format`` is a strptime format for every
    date written as text; a date of birth after ``today`` is an error.
    """
    try:
        table = read_table(data, filename)
    except UnreadableFile as problem:
        return _finish(_refused(filename, problem.issue))

    plan = plan_columns(table.headers, overrides)
    roster = ParsedRoster(
        filename=filename,
        encoding=table.encoding,
        delimiter=table.delimiter,
        headers=table.headers,
        mapping=plan.mapping,
        unused_columns=plan.unused,
        date_format=date_format,
        errors=list(plan.errors),
        notices=[*table.notices, *plan.notices],
    )
    records = [record for record in table.records if not is_blank(record.cells)]
    roster.row_count = len(records)

    _check_file(roster, records, date_format)
    if not roster.errors:
        _read_rows(roster, table, plan, records, date_format, today)
    return _finish(roster)


def _refused(filename: str, issue: Issue) -> ParsedRoster:
    return ParsedRoster(
        filename=filename,
        encoding="",
        delimiter=None,
        headers=[],
        mapping={},
        unused_columns=[],
        date_format=None,
        errors=[issue],
    )


def _check_file(
    roster: ParsedRoster, records: Sequence[Record], date_format: str | None
) -> None:
    if date_format is not None and (issue := check_date_format(date_format)):
        roster.errors.append(issue)
    if not records:
        message = _("The file has a header but no rows of children.")
        roster.errors.append(Issue(Code.NO_ROWS, message))


def _finish(roster: ParsedRoster) -> ParsedRoster:
    # File-wide issues first, then by line; the order found is kept within.
    roster.errors.sort(key=_issue_order)
    roster.notices.sort(key=_issue_order)
    logger.debug(
        "Read a roster: %s rows, %s valid, %s errors, %s notices",
        roster.row_count,
        len(roster.rows),
        len(roster.errors),
        len(roster.notices),
    )
    return roster


def _issue_order(issue: Issue) -> tuple[bool, int]:
    return (issue.line is not None, issue.line or 0)


def _read_rows(
    roster: ParsedRoster,
    table: Table,
    plan: ColumnPlan,
    records: Sequence[Record],
    date_format: str | None,
    today: datetime.date,
) -> None:
    drafts = [_draft(record, table.headers, plan) for record in records]
    births = read_birth_dates(
        [(d.line, d.birth_cell) for d in drafts if d.birth_cell is not None],
        column=plan.column(Field.BIRTH_DATE) or "",
        declared=date_format,
        today=today,
        epoch=table.serial_epoch,
    )
    roster.date_format = births.date_format
    roster.errors.extend(births.errors)
    roster.notices.extend(births.notices)
    roster.notices.extend(_numeric_id_notices(records, table.headers, plan))

    rows: list[Row] = []
    for draft in drafts:
        roster.errors.extend(draft.errors)
        if not draft.errors and draft.line in births.dates:
            draft.values[Field.BIRTH_DATE] = births.dates[draft.line]
            rows.append(Row(draft.line, draft.values))
    roster.rows = _drop_duplicates(rows, plan, roster)


def _draft(record: Record, headers: Sequence[str], plan: ColumnPlan) -> _Draft:
    draft = _Draft(record.line)
    if issue := _width_issue(record, len(headers)):
        draft.errors.append(issue)
        return draft

    for index, field_ in plan.fields.items():
        cell = record.cells[index]
        if field_ is Field.BIRTH_DATE and not is_blank_cell(cell):
            draft.birth_cell = cell
            continue
        try:
            draft.values[field_] = _read_value(field_, cell)
        except Invalid as problem:
            issue = Issue(problem.code, problem.message, record.line, headers[index])
            draft.errors.append(issue)
    return draft


def _width_issue(record: Record, width: int) -> Issue | None:
    """Say so when a row has more or fewer fields than the header.

    Empty fields past the last header are left over from spreadsheets and
    carry nothing, so they do not count.
    """
    cells = record.cells
    count = len(cells)
    if count == width or (count > width and is_blank(cells[width:])):
        return None
    while count > width and is_blank_cell(cells[count - 1]):
        count -= 1

    message = _("Line %(line)s has %(count)s fields, but the header has %(width)s.") % {
        "line": record.line,
        "count": count,
        "width": width,
    }
    return Issue(Code.FIELD_COUNT, message, line=record.line)


def _read_value(field_: Field, cell: Cell) -> str:
    if field_ is Field.ZIP_CODE and isinstance(cell, int | float) and _is_whole(cell):
        text = zip_from_number(cell)
    else:
        text = cell_text(cell)

    if "\ufffd" in text:
        message = _(
            "The value holds a character that could not be read (shown as �). "
            "Save the file as CSV UTF-8 from the program that made it, and "
            "upload it again."
        )
        raise Invalid(Code.REPLACEMENT_CHARACTER, message)
    if not text and field_ in REQUIRED_FIELDS:
        message = _("The %(field)s is empty.") % {"field": field_label(field_)}
        raise Invalid(Code.MISSING_VALUE, message)

    normalize = _NORMALIZERS.get(field_)
    value = normalize(text) if normalize else text
    check_length(field_, value)
    return value


def _is_number(cell: Cell) -> bool:
    return isinstance(cell, int | float) and not isinstance(cell, bool)


def _is_whole(number: int | float) -> bool:
    return not isinstance(number, bool) and float(number).is_integer()


def _numeric_id_notices(
    records: Sequence[Record], headers: Sequence[str], plan: ColumnPlan
) -> list[Issue]:
    """Warn where a spreadsheet kept IDs as numbers, losing leading zeros."""
    notices = []
    for index, field_ in plan.fields.items():
        if field_ not in (Field.LOCAL_ID, Field.STATE_ID):
            continue
        if any(_is_number(record.cells[index]) for record in records):
            message = _(
                "Some IDs in this column are stored as numbers in the "
                "spreadsheet, so any leading zeros are lost (00123 becomes "
                "123). If your IDs have them, format the column as text and "
                "export the file again."
            )
            notices.append(Issue(Code.NUMERIC_IDS, message, column=headers[index]))
    return notices


def _drop_duplicates(
    rows: Sequence[Row], plan: ColumnPlan, roster: ParsedRoster
) -> list[Row]:
    """Keep one of each repeated row; refuse an ID given to different rows."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(id_key(str(row.values[Field.LOCAL_ID])), []).append(row)

    kept: list[Row] = []
    for group in groups.values():
        lines = tuple(row.line for row in group)
        differing = _differing_columns(group, plan) if len(group) > 1 else []
        if differing:
            roster.errors.append(_duplicate_id(lines, differing))
            continue
        if len(group) > 1:
            roster.notices.append(_duplicate_row(lines))
        kept.append(group[0])
    return kept


def _differing_columns(group: Sequence[Row], plan: ColumnPlan) -> list[str]:
    # The ID is the same by ``id_key``; a difference in its case or spacing
    # does not make two rows two children.
    differing = []
    for field_ in Field:
        if (
            field_ is not Field.LOCAL_ID
            and len({row.values[field_] for row in group}) > 1
        ):
            differing.append(plan.column(field_) or field_.value)
    return differing


def _duplicate_id(lines: tuple[int, ...], columns: Sequence[str]) -> Issue:
    message = _(
        "Lines %(lines)s have the same ID but differ in %(columns)s. Give each "
        "child an ID of their own, or remove the extra rows."
    ) % {
        "lines": _lines(lines),
        "columns": ", ".join(f"“{column}”" for column in columns),
    }
    column = columns[0] if len(columns) == 1 else None
    return Issue(Code.DUPLICATE_ID, message, lines[0], column, lines)


def _duplicate_row(lines: tuple[int, ...]) -> Issue:
    message = _("Lines %(lines)s are the same row, so it is read once.") % {
        "lines": _lines(lines)
    }
    return Issue(Code.DUPLICATE_ROW, message, lines[0], lines=lines)


def _lines(lines: Sequence[int]) -> str:
    return ", ".join(str(line) for line in lines)
