"""Text, CSV and JSON forms of a suppressed table, and its layout for pages.

Every hidden number is shown the same way, ``<11`` for a threshold of 11,
whether it is a small count or a larger one hidden to protect it. Marking
the complements apart would tell a reader they are 11 or more, and in a line
such as 1, 11, 100 with the 1 and the 11 hidden, the 1 would then be the
line's hidden sum less at least 11: exactly 1. A note under every table that
hides something says what the marker stands for.
"""

import csv
import io
import json
import textwrap
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from braid.reporter.tables import CountTable, SuppressedTable

# A spreadsheet reads a cell that starts with one of these as a formula; the
# full-width forms count too, as some spreadsheets fold them to ASCII.
FORMULA_STARTS = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")

# Characters that could move a terminal's cursor or reverse the text after
# them, put there by whoever named an organization.
BIDI_CONTROLS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e")
BIDI_CONTROLS |= set("\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Number:
    """One number of a table as a reader sees it."""

    display: str
    value: int | None  # None when hidden
    hidden: bool


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
    # The same in every language, so that an export parses the same.
    return f"<{threshold}"


def as_context(
    result: SuppressedTable, names: Mapping[str, str] | None = None
) -> Layout:
    """Lay ``result`` out as the page and the text and CSV forms show it.

    ``names`` gives the display name of each dimension by its key; by default
    the names of the reports' dimensions are used, or else the keys.
    """
    table = result.table
    marker = hidden_marker(result.threshold)
    header = [_name(table.row_dimension, names), *table.column_labels, _("Total")]

    lines = [_row_line(result, i, marker) for i in range(len(table.row_labels))]
    lines.append(_total_line(result, marker))
    return Layout(_title(table, names), header, lines, notes(result, names))


def _row_line(result: SuppressedTable, i: int, marker: str) -> Line:
    table = result.table
    counts = [*(table.cells[i] if table.cells else []), table.row_totals[i]]
    hidden = [
        *(result.cell_hidden[i] if table.cells else []),
        result.row_total_hidden[i],
    ]
    return Line(table.row_labels[i], _numbers(counts, hidden, marker))


def _total_line(result: SuppressedTable, marker: str) -> Line:
    table = result.table
    counts = [*table.column_totals, table.grand_total]
    hidden = [*result.column_total_hidden, result.grand_total_hidden]
    return Line(_("Total"), _numbers(counts, hidden, marker), is_total=True)


def _numbers(counts: list[int], hidden: list[bool], marker: str) -> list[Number]:
    return [
        _number(count, flag, marker) for count, flag in zip(counts, hidden, strict=True)
    ]


def _number(count: int, hidden: bool, marker: str) -> Number:
    if hidden:
        return Number(marker, None, True)
    return Number(str(count), count, False)


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
    if _hides_anything(result):
        found.append(
            _(
                "%(marker)s marks a hidden number: a count from 1 to %(largest)s, "
                "or another number hidden so that such a count cannot be worked "
                "out from the rest of the table."
            )
            % {
                "marker": hidden_marker(result.threshold),
                "largest": result.threshold - 1,
            }
        )
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


def _hides_anything(result: SuppressedTable) -> bool:
    return (
        result.grand_total_hidden
        or any(result.row_total_hidden)
        or any(result.column_total_hidden)
        or any(any(row) for row in result.cell_hidden)
    )


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
    last a Total column. Hidden numbers read ``<11``; every other cell under
    the header is a whole number, so ``pandas.to_numeric(errors="coerce")``
    turns the hidden ones into missing values. Text is quoted, numbers are
    not.

    The table stays a plain rectangle. Its title and notes (what ``<11``
    means, which totals are not sums) follow it, one per line, each line
    starting with ``#``: ``pandas.read_csv(..., comment="#")`` and R's
    ``read.csv(..., comment.char="#")`` skip them, and a spreadsheet shows
    them below the table. A label that a spreadsheet would run as a formula
    is written with a leading apostrophe.
    """
    layout = as_context(result, names)
    buffer = io.StringIO()
    # Text is always quoted, so that a "#" in a label is not read as the
    # start of a note; numbers are not, so that they read as numbers.
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([_inert(text) for text in layout.header])
    for line in layout.lines:
        numbers = [n.display if n.value is None else n.value for n in line.numbers]
        writer.writerow([_inert(line.label), *numbers])

    for note in [layout.title, *layout.notes]:
        # Written by hand: quoting a note would hide its "#" from the parsers.
        buffer.write("# " + " ".join(note.split()) + "\r\n")
    return buffer.getvalue()


def _inert(text: str) -> str:
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


# JSON.


def as_data(
    result: SuppressedTable, names: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Give ``result`` as one JSON-ready object.

    Every number is an object with the same keys: ``{"value": 12,
    "suppressed": false, "display": "12"}`` when shown, ``{"value": null,
    "suppressed": true, "display": "<11"}`` when hidden. With one dimension,
    ``columns`` is null and the column lists and ``cells`` are empty.
    """
    table = result.table
    marker = hidden_marker(result.threshold)
    return {
        "title": _title(table, names),
        "dimensions": _dimensions(table, names),
        "threshold": result.threshold,
        "row_labels": list(table.row_labels),
        "column_labels": list(table.column_labels),
        "cells": [
            _json_numbers(row, flags, marker)
            for row, flags in zip(table.cells, result.cell_hidden, strict=True)
        ],
        "row_totals": _json_numbers(table.row_totals, result.row_total_hidden, marker),
        "column_totals": _json_numbers(
            table.column_totals, result.column_total_hidden, marker
        ),
        "grand_total": _json_numbers(
            [table.grand_total], [result.grand_total_hidden], marker
        )[0],
        "notes": notes(result, names),
    }


def _json_numbers(
    counts: list[int], hidden: list[bool], marker: str
) -> list[dict[str, object]]:
    return [
        {"value": number.value, "suppressed": number.hidden, "display": number.display}
        for number in _numbers(counts, hidden, marker)
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
