"""Read a roster file into clean rows, with every problem found at once.

Nothing here touches the database: the result says what the file holds and
what is wrong with it, and the importer decides what to do with that.
"""

import datetime
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from braid.children.normalize import clean_text, id_key, mask
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
from braid.intake.parsing.types import (
    MAY_BE_BLANK,
    REQUIRED_FIELDS,
    Field,
    Issue,
    ParsedRoster,
    Row,
)
from braid.intake.parsing.values import (
    Invalid,
    cell_text,
    check_length,
    lost_leading_zero,
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


_NO_VALUES: Mapping[Field, str | None] = {
    **dict.fromkeys(Field, ""),
    Field.BIRTH_DATE: None,
}

# Each field a row may leave blank, with the code of the notice that lists
# the rows which do.
_BLANK_CODES: Mapping[Field, Code] = {
    Field.FIRST_NAME: Code.NO_FIRST_NAME,
    Field.LAST_NAME: Code.NO_LAST_NAME,
    Field.BIRTH_DATE: Code.NO_BIRTH_DATE,
}

# Enough line numbers for a person to find the rows by; a message listing
# thousands of them would be read by nobody.
_LINES_SHOWN = 20


@dataclass
class _Draft:
    """A row on its way to becoming a ``Row``, or not."""

    line: int
    values: dict[Field, str | datetime.date | None] = field(
        default_factory=lambda: dict(_NO_VALUES)
    )
    birth_cell: Cell = None
    errors: list[Issue] = field(default_factory=list)
    zip_zero_restored: bool = False


def read_roster(
    data: bytes,
    filename: str,
    *,
    overrides: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date,
    as_of: datetime.date | None = None,
) -> ParsedRoster:
    """Read a roster file (CSV or XLSX) and check every row of it.

    ``overrides`` maps headers to a field name or to ``IGNORE``, a header
    being found as header detection finds one (without case, spaces or
    punctuation); ``date_format`` is a strptime format for every date
    written as text; a date of birth after ``today``, or after ``as_of``,
    the day the roster describes, is an error.
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
        _read_rows(roster, table, plan, records, date_format, today=today, as_of=as_of)
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
    *,
    today: datetime.date,
    as_of: datetime.date | None,
) -> None:
    drafts = [_draft(record, table.headers, plan) for record in records]
    births = read_birth_dates(
        [(d.line, d.birth_cell) for d in drafts if d.birth_cell is not None],
        column=plan.column(Field.BIRTH_DATE) or "",
        declared=date_format,
        today=today,
        as_of=as_of,
        epoch=table.serial_epoch,
    )
    roster.date_format = births.date_format
    roster.errors.extend(births.errors)
    roster.notices.extend(births.notices)
    roster.notices.extend(_numeric_id_notices(records, table.headers, plan))

    rows: list[Row] = []
    for draft in drafts:
        roster.errors.extend(draft.errors)
        if draft.errors:
            continue
        # A row without a birth cell keeps None; one whose date could not be
        # read has an error of its own in ``births``.
        if draft.birth_cell is not None:
            if draft.line not in births.dates:
                continue
            draft.values[Field.BIRTH_DATE] = births.dates[draft.line]
        rows.append(Row(draft.line, draft.values))
    roster.rows = _drop_duplicates(rows, plan, roster)
    roster.notices.extend(_shared_state_ids(roster.rows, plan))
    roster.notices.extend(_blank_value_notices(roster.rows, plan))
    restored = {draft.line for draft in drafts if draft.zip_zero_restored}
    if notice := _zip_zero_notice(roster.rows, restored, plan):
        roster.notices.append(notice)


def _draft(record: Record, headers: Sequence[str], plan: ColumnPlan) -> _Draft:
    draft = _Draft(record.line)
    if issue := _width_issue(record, len(headers)):
        draft.errors.append(issue)
        return draft

    blank: set[Field] = set()
    for index, field_ in plan.fields.items():
        cell = record.cells[index]
        if field_ is Field.BIRTH_DATE:
            if not _is_empty(cell):
                draft.birth_cell = cell
            continue
        try:
            draft.values[field_] = _read_value(field_, cell)
        except Invalid as problem:
            issue = Issue(problem.code, problem.message, record.line, headers[index])
            draft.errors.append(issue)
        else:
            if not draft.values[field_]:
                blank.add(field_)
            if field_ is Field.ZIP_CODE and _zero_dropped_from_text(cell):
                draft.zip_zero_restored = True

    if {Field.FIRST_NAME, Field.LAST_NAME} <= blank:
        draft.errors.append(_nameless(record.line, plan))
    return draft


def _is_empty(cell: Cell) -> bool:
    # A cell of spaces or invisible characters holds no more than an empty
    # one, and would otherwise be read as a date that cannot be read.
    return is_blank_cell(cell) or (isinstance(cell, str) and not clean_text(cell))


def _nameless(line: int, plan: ColumnPlan) -> Issue:
    message = _(
        "Line %(line)s has neither a first name (column “%(first)s”) nor a "
        "last name (column “%(last)s”), so nothing names the child. Give at "
        "least one of them."
    ) % {
        "line": line,
        "first": plan.column(Field.FIRST_NAME),
        "last": plan.column(Field.LAST_NAME),
    }
    return Issue(Code.MISSING_VALUE, message, line=line)


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
    if not text and field_ in REQUIRED_FIELDS and field_ not in MAY_BE_BLANK:
        message = _("The %(field)s is empty.") % {"field": field_label(field_)}
        raise Invalid(Code.MISSING_VALUE, message)

    normalize = _NORMALIZERS.get(field_)
    value = normalize(text) if normalize else text
    check_length(field_, value)
    return value


def _zero_dropped_from_text(cell: Cell) -> bool:
    # A ZIP kept as a number lost its zero for certain and gets it back
    # silently; four digits written as text could also be a mistyped ZIP, so
    # a person is told.
    return isinstance(cell, str) and lost_leading_zero(cell_text(cell))


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


def _shared_state_ids(rows: Sequence[Row], plan: ColumnPlan) -> list[Issue]:
    """List the state student IDs the roster gives to more than one child.

    Each row is a child of its own (rows with one local ID are one row by
    now), and a state ID belongs to one child: a keying error in the
    contributor's system, which the linkage puts to the steward as well.
    """
    holders: dict[str, list[Row]] = {}
    for row in rows:
        if state_id := row.values.get(Field.STATE_ID):
            holders.setdefault(id_key(str(state_id)), []).append(row)
    notices = []
    for group in holders.values():
        if len(group) < 2:
            continue
        lines = tuple(row.line for row in group)
        message = _(
            "Lines %(lines)s give one state student ID (%(id)s) to different "
            "children. A state ID belongs to one child: correct it in your "
            "system. Braid asks the community's steward whether they are one "
            "child."
        ) % {"lines": _lines(lines), "id": mask(str(group[0].values[Field.STATE_ID]))}
        column = plan.column(Field.STATE_ID)
        notices.append(Issue(Code.SHARED_STATE_ID, message, lines[0], column, lines))
    return notices


def _blank_value_notices(rows: Sequence[Row], plan: ColumnPlan) -> list[Issue]:
    """List the kept rows that lack a name or a date of birth, by column."""
    notices = []
    for field_, code in _BLANK_CODES.items():
        lines = [row.line for row in rows if not row.values[field_]]
        if lines:
            message = _blank_message(field_, len(lines)) % {
                "count": len(lines),
                "lines": some_lines(lines),
            }
            notices.append(Issue(code, message, column=plan.column(field_)))
    return notices


def _zip_zero_notice(
    rows: Sequence[Row], restored: set[int], plan: ColumnPlan
) -> Issue | None:
    """List the kept rows whose four-digit ZIP code got its zero back."""
    lines = [row.line for row in rows if row.line in restored]
    if not lines:
        return None
    message = ngettext(
        "%(count)s ZIP code has 4 digits (line %(lines)s). It was read with the "
        "leading zero a spreadsheet drops, so 2134 is 02134; check it if your "
        "ZIP codes do not start with 0.",
        "%(count)s ZIP codes have 4 digits (lines %(lines)s). They were read "
        "with the leading zero a spreadsheet drops, so 2134 is 02134; check "
        "them if your ZIP codes do not start with 0.",
        len(lines),
    ) % {"count": len(lines), "lines": some_lines(lines)}
    return Issue(Code.ZIP_LEADING_ZERO, message, column=plan.column(Field.ZIP_CODE))


def _blank_message(field_: Field, count: int) -> str:
    if field_ is Field.FIRST_NAME:
        return ngettext(
            "%(count)s row has no first name (line %(lines)s). It is kept and "
            "matched on what it does have; add the name when you can.",
            "%(count)s rows have no first name (lines %(lines)s). They are kept "
            "and matched on what they do have; add the names when you can.",
            count,
        )
    if field_ is Field.LAST_NAME:
        return ngettext(
            "%(count)s row has no last name (line %(lines)s). It is kept and "
            "matched on what it does have; add the name when you can.",
            "%(count)s rows have no last name (lines %(lines)s). They are kept "
            "and matched on what they do have; add the names when you can.",
            count,
        )
    return ngettext(
        "%(count)s row has no date of birth (line %(lines)s). It is kept and "
        "matched on what it does have; add the date when you can.",
        "%(count)s rows have no date of birth (lines %(lines)s). They are kept "
        "and matched on what they do have; add the dates when you can.",
        count,
    )


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


def some_lines(lines: Sequence[int]) -> str:
    """Return the lines as messages list them: the first few, then a count."""
    shown = _lines(lines[:_LINES_SHOWN])
    if len(lines) <= _LINES_SHOWN:
        return shown
    more = _("and %(count)s more") % {"count": len(lines) - _LINES_SHOWN}
    return f"{shown} {more}"
