"""Text, CSV and JSON forms of a suppressed table, and its layout for pages.

A small count is shown as ``<11`` (for a threshold of 11): it is a count
from 1 to 10. A number hidden only so that a small count cannot be worked
out from it is shown as ``—``: it is not a small count, and printing
``<11`` on it would say something false. Both markers are the same in every
language, so that an export parses the same; the notes under a table say
what they stand for.
"""

import csv
import io
import json
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from braid.reporter.tables import CountTable, Status, SuppressedTable

# A spreadsheet reads a cell that starts with one of these as a formula; the
# full-width forms count too, as some spreadsheets fold them to ASCII.
FORMULA_STARTS = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

# Characters that could move a terminal's cursor or reverse the text after
# them, put there by whoever named an organization.
BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
BIDI_CONTROLS |= set("\u2066\u2067\u2068\u2069")


# Marks a number hidden to protect a small count; see the module docstring.
COMPLEMENT_MARKER = "—"


@dataclass(frozen=True)
class Number:
    """One number of a table as a reader sees it."""

    display: str
    value: int | None  # None when hidden
    status: Status
    # Why the number is hidden, for a page's tooltip; empty when shown.
    title: str = ""

    @property
    def hidden(self) -> bool:
        return self.status.hidden


@dataclass(frozen=True)
class Line:
    """A row of the laid-out table: its label, its numbers, then its total."""

    label: str
    numbers: list[Number]
    is_total: bool = False


@dataclass(frozen=True)
class Layout:
    """A table laid out for reading: a header, the rows, the Total row."""

    title: str
    header: list[str]
    lines: list[Line]
    notes: list[str]


def hidden_marker(threshold: int) -> str:
    """Give the marker of a small count: ``<11`` for a threshold of 11."""
    return f"<{threshold}"


def marker(status: Status, threshold: int) -> str:
    if status is Status.SUPPRESSED:
        return hidden_marker(threshold)
    return COMPLEMENT_MARKER


def as_context(
    result: SuppressedTable, names: Mapping[str, str] | None = None
) -> Layout:
    """Lay ``result`` out as the page and the text and CSV forms show it.

    ``names`` gives the display name of each dimension by its key; by default
    the names of the reports' dimensions are used, or else the keys.
    """
    table = result.table
    header = [_name(table.row_dimension, names), *table.column_labels, _("Total")]

    lines = [_row_line(result, i) for i in range(len(table.row_labels))]
    lines.append(_total_line(result))
    return Layout(_title(table, names), header, lines, notes(result, names))


def _row_line(result: SuppressedTable, i: int) -> Line:
    table = result.table
    counts = [*(table.cells[i] if table.cells else []), table.row_totals[i]]
    statuses = [
        *(result.cell_status[i] if table.cells else []),
        result.row_total_status[i],
    ]
    return Line(table.row_labels[i], _numbers(counts, statuses, result.threshold))


def _total_line(result: SuppressedTable) -> Line:
    table = result.table
    counts = [*table.column_totals, table.grand_total]
    statuses = [*result.column_total_status, result.grand_total_status]
    return Line(_("Total"), _numbers(counts, statuses, result.threshold), is_total=True)


def _numbers(counts: list[int], statuses: list[Status], threshold: int) -> list[Number]:
    return [
        _number(count, status, threshold)
        for count, status in zip(counts, statuses, strict=True)
    ]


def _number(count: int, status: Status, threshold: int) -> Number:
    if status is Status.SUPPRESSED:
        title = _("Hidden: fewer than %(threshold)s") % {"threshold": threshold}
    elif status is Status.COMPLEMENTARY:
        title = _("Hidden so that another hidden number cannot be worked out")
    elif status is Status.WITHHELD:
        title = _("Hidden, as is every number of that day")
    else:
        return Number(str(count), count, status)
    return Number(marker(status, threshold), None, status, title)


def _name(dimension: str | None, names: Mapping[str, str] | None) -> str:
    if dimension is None:
        return ""
    if names is None:
        # Imported here: the dimensions' module reads the database models,
        # and rendering itself needs none of them.
        from braid.reporter.counts import DIMENSIONS

        known = DIMENSIONS.get(dimension)
        return str(known.label) if known else dimension
    return names.get(dimension, dimension)


def _noun(dimension: str | None, names: Mapping[str, str] | None) -> str:
    """Name a dimension as it reads in the middle of a sentence."""
    if names is None and dimension is not None:
        from braid.reporter.counts import DIMENSIONS

        known = DIMENSIONS.get(dimension)
        if known:
            return str(known.noun)
    return _name(dimension, names)


def _title(table: CountTable, names: Mapping[str, str] | None) -> str:
    rows = _noun(table.row_dimension, names)
    if table.column_dimension is None:
        return _("Children by %(rows)s") % {"rows": rows}
    columns = _noun(table.column_dimension, names)
    return _("Children by %(rows)s and %(columns)s") % {
        "rows": rows,
        "columns": columns,
    }


def notes(result: SuppressedTable, names: Mapping[str, str] | None = None) -> list[str]:
    """Say what a reader needs to know to read ``result`` right."""
    table = result.table
    found = []
    legend = _legend(result)
    if legend:
        found.append(legend)
    if table.rows_overlap:
        found.append(
            _(
                "A child can fall under more than one %(dimension)s and is counted "
                "once in the %(total)s row, so that row is not the sum of the rows "
                "above it."
            )
            % {"dimension": _noun(table.row_dimension, names), "total": _("Total")}
        )
    if table.columns_overlap and table.column_labels:
        found.append(
            _(
                "A child can fall under more than one %(dimension)s and is counted "
                "once in the %(total)s column, so that column is not the sum of the "
                "columns before it."
            )
            % {"dimension": _noun(table.column_dimension, names), "total": _("Total")}
        )
    return found


def _legend(result: SuppressedTable) -> str:
    """Say what the markers of ``result`` stand for, in one note."""
    used = set(_statuses(result))
    words = {
        "marker": hidden_marker(result.threshold),
        "complement": COMPLEMENT_MARKER,
        "threshold": result.threshold,
        "largest": result.threshold - 1,
    }
    if result.grand_total_status is Status.SUPPRESSED:
        return (
            _(
                "Fewer than %(threshold)s children were served that day, so every "
                "number is hidden, zeros too, and marked %(marker)s."
            )
            % words
        )
    if result.grand_total_status is Status.WITHHELD:
        return (
            _(
                "Every number of that day's tables is hidden and marked "
                "%(complement)s, whatever its size: no fewer hidden numbers "
                "keep every small count from being worked out."
            )
            % words
        )

    sentences = []
    if Status.SUPPRESSED in used and result.zeros_hidden:
        sentences.append(
            _(
                "%(marker)s marks a hidden number below %(threshold)s: a count "
                "from 1 to %(largest)s, or a zero hidden so that such a count "
                "cannot be worked out."
            )
            % words
        )
    elif Status.SUPPRESSED in used:
        sentences.append(
            _("%(marker)s marks a hidden number: a count from 1 to %(largest)s.")
            % words
        )
    if Status.COMPLEMENTARY in used:
        sentences.append(
            _(
                "%(complement)s marks a number of %(threshold)s or more, hidden so "
                "that no count marked %(marker)s, in this table or another, can "
                "be worked out from it."
            )
            % words
        )
    return " ".join(sentences)


def _statuses(result: SuppressedTable) -> list[Status]:
    return [
        *(status for row in result.cell_status for status in row),
        *result.row_total_status,
        *result.column_total_status,
        result.grand_total_status,
    ]


# Text.


def to_text(result: SuppressedTable, names: Mapping[str, str] | None = None) -> str:
    """Render ``result`` as an aligned table for a terminal, with its notes."""
    layout = as_context(result, names)
    grid = [layout.header] + [
        [line.label] + [number.display for number in line.numbers]
        for line in layout.lines
    ]
    grid = [[_printable(text) for text in row] for row in grid]
    widths = [max(len(row[k]) for row in grid) for k in range(len(layout.header))]
    rule = ["-" * width for width in widths]

    rows = [grid[0], rule, *grid[1:-1], rule, grid[-1]]
    lines = [_printable(layout.title), ""]
    lines += [_aligned(row, widths) for row in rows]
    for note in layout.notes:
        lines += ["", textwrap.fill(_printable(note), width=79)]
    return "\n".join(lines) + "\n"


def _aligned(row: list[str], widths: list[int]) -> str:
    label, *numbers = row
    cells = [label.ljust(widths[0])]
    cells += [
        text.rjust(width) for text, width in zip(numbers, widths[1:], strict=True)
    ]
    return "  ".join(cells).rstrip()


def _printable(text: str) -> str:
    return "".join(
        "\ufffd"
        if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS
        else char
        for char in text
    )


# CSV.


def to_csv(result: SuppressedTable, names: Mapping[str, str] | None = None) -> str:
    """Render ``result`` as CSV: a header row, one row per value, a Total row.

    The first column holds the row dimension's values under its name; then
    comes one column per value of the second dimension, if there is one, and
    last a Total column; the last row is the Total row. Nothing else is in
    the file, so that any CSV reader gets the table and only the table: the
    notes (what the markers mean, which totals are not sums) are on the page
    and in the text and JSON forms, and the command prints them apart.

    A hidden number reads ``<11`` or ``—``; every other cell under the header
    is a whole number, so ``pandas.to_numeric(errors="coerce")`` turns the
    hidden ones into missing values. Text is quoted, numbers are not. A label
    that a spreadsheet would run as a formula is written with a leading
    apostrophe.
    """
    layout = as_context(result, names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([inert(text) for text in layout.header])
    for line in layout.lines:
        numbers = [n.display if n.value is None else n.value for n in line.numbers]
        writer.writerow([inert(line.label), *numbers])
    return buffer.getvalue()


def inert(text: str) -> str:
    """Keep a spreadsheet from running a cell that starts like a formula."""
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


# JSON.


def as_data(
    result: SuppressedTable, names: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Give ``result`` as one JSON-ready object.

    Every number is an object with the same keys: ``{"value": 12, "status":
    "shown", "display": "12"}`` when shown; ``{"value": null, "status":
    "suppressed", "display": "<11"}`` for a small count; ``{"value": null,
    "status": "complementary", "display": "—"}`` for a number hidden so that
    a small count cannot be worked out. With one dimension, ``columns`` is
    null and the column lists and ``cells`` are empty.
    """
    table = result.table
    t = result.threshold
    return {
        "title": _title(table, names),
        "dimensions": _dimensions(table, names),
        "threshold": t,
        "row_labels": list(table.row_labels),
        "column_labels": list(table.column_labels),
        "cells": [
            _json_numbers(row, statuses, t)
            for row, statuses in zip(table.cells, result.cell_status, strict=True)
        ],
        "row_totals": _json_numbers(table.row_totals, result.row_total_status, t),
        "column_totals": _json_numbers(
            table.column_totals, result.column_total_status, t
        ),
        "grand_total": _json_numbers(
            [table.grand_total], [result.grand_total_status], t
        )[0],
        "notes": notes(result, names),
    }


def _json_numbers(
    counts: list[int], statuses: list[Status], threshold: int
) -> list[dict[str, object]]:
    return [
        {
            "value": number.value,
            "status": str(number.status),
            "display": number.display,
        }
        for number in _numbers(counts, statuses, threshold)
    ]


def _dimensions(
    table: CountTable, names: Mapping[str, str] | None
) -> dict[str, object]:
    rows = {
        "key": table.row_dimension,
        "name": _name(table.row_dimension, names),
        "overlap": table.rows_overlap,
    }
    if not table.column_labels:
        return {"rows": rows, "columns": None}
    columns = {
        "key": table.column_dimension,
        "name": _name(table.column_dimension, names),
        "overlap": table.columns_overlap,
    }
    return {"rows": rows, "columns": columns}


def to_json(result: SuppressedTable, names: Mapping[str, str] | None = None) -> str:
    """Render ``result`` as JSON; see ``as_data`` for its shape."""
    return json.dumps(as_data(result, names), ensure_ascii=False, indent=2)
