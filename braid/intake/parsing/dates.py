"""Read dates of birth: a whole file puts the day or the month first.

A date such as 4/2/2015 means April or February depending on who wrote it,
and the file itself is the only witness: one date like 4/23/2015 settles it
for every other. When nothing settles it, guessing would silently give some
children the wrong birthday, so the file is refused instead.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from braid.children.normalize import clean_text, mask
from braid.intake.parsing.codes import Code
from braid.intake.parsing.files import EXCEL_EPOCH_1900, Cell, FormulaError
from braid.intake.parsing.types import Issue
from braid.intake.parsing.values import Invalid, formula_problem

MONTH_FIRST = "%m/%d/%Y"
DAY_FIRST = "%d/%m/%Y"
EARLIEST = datetime.date(1900, 1, 1)

# A time of midnight is what databases add when they export a date; any
# other time may be a date shifted by a time zone, so it is not read.
_ISO = re.compile(r"(\d{4})([-/])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?")
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4})")
_TWO_DIGIT_YEAR = re.compile(r"\d{1,2}([/-])\d{1,2}\1\d{2}")
_SERIAL = re.compile(r"(\d+)(?:\.0+)?")

# Excel serial numbers from 1927 to 2173: five digits, so that a year typed
# alone (2015) or a date run together (20150307) is never taken for one.
_SERIALS = range(10_000, 100_000)


@dataclass(frozen=True)
class _Slashed:
    """A day and a month in an order not yet known."""

    first: int
    second: int
    year: int
    separator: str


@dataclass
class BirthDates:
    """The dates read from a column, by line, and what went wrong."""

    dates: dict[int, datetime.date] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)
    date_format: str | None = None


def check_date_format(date_format: str) -> Issue | None:
    """Return why a declared strptime format cannot be used, if it cannot."""
    if "%y" in date_format.replace("%%", ""):
        message = _(
            "The date format %(format)s has a two-digit year (%%y), which "
            "cannot tell 1915 from 2015. Use %%Y and four-digit years."
        ) % {"format": date_format}
        return Issue(Code.TWO_DIGIT_YEAR_FORMAT, message)

    # Day, month and year all differ here, so a format that drops or
    # confuses one of them does not give the same date back.
    sample = datetime.date(2001, 2, 3)
    try:
        parsed = datetime.datetime.strptime(sample.strftime(date_format), date_format)
    except (ValueError, re.error):
        # strptime builds a regular expression from the format, which fails
        # when a code is repeated.
        parsed = None
    if parsed is None or parsed.date() != sample:
        message = _(
            "The date format %(format)s is not one Braid can use. Give "
            "strptime codes for the day, the month and the four-digit year, "
            "such as %%m/%%d/%%Y or %%d/%%m/%%Y."
        ) % {"format": date_format}
        return Issue(Code.INVALID_DATE_FORMAT, message)
    return None


def read_birth_dates(
    cells: Sequence[tuple[int, Cell]],
    *,
    column: str,
    declared: str | None,
    today: datetime.date,
    as_of: datetime.date | None = None,
    epoch: datetime.date = EXCEL_EPOCH_1900,
) -> BirthDates:
    """Read the non-empty birth date cells of a file, given by line.

    A date after ``today``, or after ``as_of``, the day the roster describes,
    is an error.
    """
    result = BirthDates(date_format=declared)
    pending: dict[int, _Slashed] = {}
    shown: dict[int, str] = {}

    for line, cell in cells:
        shown[line] = _shown(cell)
        try:
            value = _read_cell(cell, declared, epoch)
        except Invalid as problem:
            result.errors.append(_row_issue(problem, line, column))
            continue
        if isinstance(value, _Slashed):
            pending[line] = value
        else:
            result.dates[line] = value

    if pending:
        order = _decide_order(pending, column, result)
        _resolve(pending, order, shown, column, result)
    _check_range(result, shown, column, today, as_of)
    return result


def _shown(cell: Cell) -> str:
    if isinstance(cell, datetime.date):
        return cell.isoformat()
    return clean_text(str(cell))


def _row_issue(problem: Invalid, line: int, column: str) -> Issue:
    return Issue(problem.code, problem.message, line=line, column=column)


def _read_cell(
    cell: Cell, declared: str | None, epoch: datetime.date
) -> datetime.date | _Slashed:
    # Spreadsheet dates carry no time zone: the date shown is the date meant.
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, FormulaError):
        raise formula_problem(cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _from_serial(cell, epoch, _shown(cell))
    if isinstance(cell, str):
        return _read_text(clean_text(cell), declared)
    raise _unreadable(_shown(cell))


def _read_text(text: str, declared: str | None) -> datetime.date | _Slashed:
    if _TWO_DIGIT_YEAR.fullmatch(text):
        message = _(
            "“%(value)s” has a two-digit year. Write the year in full (2015, not 15)."
        ) % {"value": mask(text)}
        raise Invalid(Code.TWO_DIGIT_YEAR, message)
    if declared:
        return _read_declared(text, declared)

    if iso := _ISO.fullmatch(text):
        return _make_date(int(iso[1]), int(iso[3]), int(iso[4]), text)
    if slashed := _SLASHED.fullmatch(text):
        return _Slashed(int(slashed[1]), int(slashed[3]), int(slashed[4]), slashed[2])
    if serial := _SERIAL.fullmatch(text):
        return _from_serial(int(serial[1]), EXCEL_EPOCH_1900, text)
    raise _unreadable(text)


def _read_declared(text: str, declared: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, declared).date()
    except ValueError as error:
        # strptime says "out of range" for 31 February; the other failures
        # mean the text is not in the declared form.
        if "out of range" in str(error):
            raise _impossible(text) from None
    message = _("“%(value)s” does not match the file's date format %(format)s.") % {
        "value": mask(text),
        "format": declared,
    }
    raise Invalid(Code.INVALID_DATE, message)


def _from_serial(number: int | float, epoch: datetime.date, text: str) -> datetime.date:
    if int(number) not in _SERIALS:
        raise _unreadable(text)
    # A fraction is a time of day, which a date of birth does not need.
    return epoch + datetime.timedelta(days=int(number))


def _make_date(year: int, month: int, day: int, text: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _impossible(text) from None


def _unreadable(text: str) -> Invalid:
    message = _(
        "“%(value)s” is not a date Braid reads. Write dates of birth as "
        "YYYY-MM-DD, or as month/day/year or day/month/year with the year in "
        "full."
    ) % {"value": mask(text)}
    return Invalid(Code.INVALID_DATE, message)


def _impossible(text: str) -> Invalid:
    message = _("“%(value)s” is not a date that exists.") % {"value": mask(text)}
    return Invalid(Code.IMPOSSIBLE_DATE, message)


def _decide_order(
    pending: dict[int, _Slashed], column: str, result: BirthDates
) -> str | None:
    """Return the strptime format the file's slashed dates are in, if known."""
    # Only a date that is real in one order and not the other says which
    # order the file uses: 02/31/2016 is no date at all, so it tells nothing.
    month_first = [n for n, date in pending.items() if _only_in(date, True)]
    day_first = [n for n, date in pending.items() if _only_in(date, False)]

    if month_first and day_first:
        result.errors.append(_conflicting(month_first[0], day_first[0], column))
        return None
    if not month_first and not day_first:
        # Dates that no order makes real are row errors of their own, and
        # need no order to be found out.
        if any(_reading(d, True) and _reading(d, False) for d in pending.values()):
            result.errors.append(_ambiguous(column))
        return None

    evidence = month_first[0] if month_first else day_first[0]
    separator = pending[evidence].separator
    order = MONTH_FIRST if month_first else DAY_FIRST
    result.date_format = order.replace("/", separator)
    result.notices.append(_inferred(order, evidence, column))
    return order


def _only_in(slashed: _Slashed, month_first: bool) -> bool:
    """Tell whether the date is real in the given order and only in it."""
    return (
        _reading(slashed, month_first) is not None
        and _reading(slashed, not month_first) is None
    )


def _conflicting(month_line: int, day_line: int, column: str) -> Issue:
    message = _(
        "Some dates of birth put the month first (line %(month_line)s) and "
        "others the day first (line %(day_line)s). Write them all one way, "
        "then declare the format: “Dates of birth are written as” on the "
        "page, or --date-format %(month_first)s on the command line."
    ) % {
        "month_line": month_line,
        "day_line": day_line,
        "month_first": MONTH_FIRST,
    }
    lines = tuple(sorted((month_line, day_line)))
    return Issue(Code.CONFLICTING_DATE_FORMATS, message, column=column, lines=lines)


def _ambiguous(column: str) -> Issue:
    message = _(
        "Every date of birth in the file could be month/day/year or "
        "day/month/year, so Braid cannot tell which is meant. Declare the "
        "format and read the file again: choose it under “Dates of birth are "
        "written as” on the page, or give --date-format %(month_first)s (month "
        "first) or --date-format %(day_first)s (day first) on the command line."
    ) % {"month_first": MONTH_FIRST, "day_first": DAY_FIRST}
    return Issue(Code.AMBIGUOUS_DATES, message, column=column)


def _inferred(order: str, line: int, column: str) -> Issue:
    if order == MONTH_FIRST:
        message = _(
            "Dates of birth were read as month/day/year: on line %(line)s, "
            "only that order gives a real date."
        )
    else:
        message = _(
            "Dates of birth were read as day/month/year: on line %(line)s, "
            "only that order gives a real date."
        )
    return Issue(Code.DATE_FORMAT_INFERRED, message % {"line": line}, column=column)


def _resolve(
    pending: dict[int, _Slashed],
    order: str | None,
    shown: dict[int, str],
    column: str,
    result: BirthDates,
) -> None:
    """Turn slashed dates into dates; without an order, find the impossible."""
    for line, slashed in pending.items():
        if order is None:
            # The file is refused as a whole; only a date that no order
            # makes real is worth a row error of its own.
            if not any(_reading(slashed, first) for first in (True, False)):
                result.errors.append(_row_issue(_impossible(shown[line]), line, column))
            continue

        value = _reading(slashed, month_first=order == MONTH_FIRST)
        if value is None:
            result.errors.append(_row_issue(_impossible(shown[line]), line, column))
        else:
            result.dates[line] = value


def _reading(slashed: _Slashed, month_first: bool) -> datetime.date | None:
    if month_first:
        month, day = slashed.first, slashed.second
    else:
        month, day = slashed.second, slashed.first
    try:
        return datetime.date(slashed.year, month, day)
    except ValueError:
        return None


def _check_range(
    result: BirthDates,
    shown: dict[int, str],
    column: str,
    today: datetime.date,
    as_of: datetime.date | None,
) -> None:
    for line, value in list(result.dates.items()):
        if problem := _out_of_range(value, shown[line], today, as_of):
            del result.dates[line]
            result.errors.append(_row_issue(problem, line, column))


def _out_of_range(
    value: datetime.date,
    text: str,
    today: datetime.date,
    as_of: datetime.date | None,
) -> Invalid | None:
    placeholders = {"value": mask(text)}
    if value > today:
        message = _("“%(value)s” is after today.") % placeholders
        return Invalid(Code.FUTURE_DATE, message)
    if as_of is not None and value > as_of:
        # A child on a roster was born by the day the roster describes.
        message = _("“%(value)s” is after %(as_of)s, the day the roster describes.") % {
            **placeholders,
            "as_of": as_of.isoformat(),
        }
        return Invalid(Code.AFTER_AS_OF, message)
    if value < EARLIEST:
        message = _("“%(value)s” is before 1900.") % placeholders
        return Invalid(Code.EARLY_DATE, message)
    return None
