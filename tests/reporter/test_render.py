"""Text, CSV and JSON forms of suppressed tables."""

import csv
import io
import json

import pytest

from braid.reporter import render
from braid.reporter.suppression import suppress
from braid.reporter.tables import CountTable, Status, SuppressedTable

from .factories import grid_table, line_table

NAMES = {"organization": "Organization", "age-band": "Age band", "program": "Program"}


@pytest.fixture
def table() -> SuppressedTable:
    # The 5 is hidden, and with it the 30, the 20 and the 12 that cover it.
    cells = [[5, 40, 30], [20, 15, 12], [0, 14, 60]]
    counts = grid_table(cells)
    counts.row_labels = ["North", "South", "West"]
    counts.column_labels = ["0-4", "5-9", "10-14"]
    return suppress(counts, 11)


@pytest.fixture
def overlapping() -> SuppressedTable:
    return suppress(
        CountTable(
            row_dimension="organization",
            row_labels=["North", "South"],
            row_totals=[48, 57],
            grand_total=99,
            column_dimension="age-band",
            column_labels=["0-4", "5-9", "10-14"],
            cells=[[16, 20, 12], [30, 12, 15]],
            column_totals=[42, 30, 27],
            rows_overlap=True,
        ),
        11,
    )


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_csv_has_a_header_then_a_row_per_value_then_the_total_row(table):
    rows = csv_rows(render.to_csv(table, NAMES))

    assert rows == [
        ["Organization", "0-4", "5-9", "10-14", "Total"],
        ["North", "<11", "40", "—", "75"],
        ["South", "—", "15", "—", "47"],
        ["West", "0", "14", "60", "74"],
        ["Total", "25", "69", "102", "196"],
    ]


def test_the_csv_of_one_dimension_has_the_dimension_and_a_total_column():
    rows = csv_rows(render.to_csv(suppress(line_table([5, 40, 30]), 11), NAMES))

    assert rows == [
        ["Program", "Total"],
        ["program 0", "<11"],
        ["program 1", "40"],
        ["program 2", "—"],
        ["Total", "75"],
    ]


def test_the_csv_quotes_its_text_and_not_its_numbers(table):
    lines = render.to_csv(table, NAMES).splitlines()

    assert lines[1] == '"North","<11",40,"—",75'


def test_the_csv_is_the_table_alone_so_that_any_reader_gets_a_clean_table(
    overlapping,
):
    text = render.to_csv(overlapping, NAMES)

    assert text.splitlines()[-1].startswith('"Total",')
    assert "#" not in text
    assert all(len(row) == 5 for row in csv_rows(text))


def test_a_data_frame_reads_the_csv_with_numbers_as_numbers(overlapping):
    pandas = pytest.importorskip("pandas")

    frame = pandas.read_csv(io.StringIO(render.to_csv(overlapping, NAMES)))

    assert list(frame.columns) == ["Organization", "0-4", "5-9", "10-14", "Total"]
    assert frame.iloc[-1].tolist() == ["Total", 42, 30, 27, 99]
    assert frame["Total"].dtype.kind == "i"


@pytest.mark.parametrize(
    "label", ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx", " =1", "＝1"]
)
def test_the_csv_disarms_a_label_a_spreadsheet_would_run_as_a_formula(label):
    counts = line_table([12, 40])
    counts.row_labels = [label, "Safe"]

    rows = csv_rows(render.to_csv(suppress(counts, 11), NAMES))

    assert rows[1][0] == "'" + label
    assert rows[2][0] == "Safe"


def test_the_csv_disarms_a_dimension_name_too():
    counts = line_table([12, 40], dimension="=cmd")

    rows = csv_rows(render.to_csv(suppress(counts, 11), {"=cmd": "=cmd"}))

    assert rows[0][0] == "'=cmd"


def test_the_csv_keeps_a_label_with_a_hash_and_a_comma_in_one_quoted_field():
    counts = line_table([12, 40])
    counts.row_labels = ["Site #2, east", "Site 3"]

    text = render.to_csv(suppress(counts, 11), NAMES)

    assert '"Site #2, east",12' in text.splitlines()
    assert csv_rows(text)[1] == ["Site #2, east", "12"]


def test_the_text_table_lines_up_its_columns(table):
    lines = render.to_text(table, NAMES).splitlines()

    assert lines[0] == "Children by Organization and Age band"
    assert lines[2:9] == [
        "Organization  0-4  5-9  10-14  Total",
        "------------  ---  ---  -----  -----",
        "North         <11   40      —     75",
        "South           —   15      —     47",
        "West            0   14     60     74",
        "------------  ---  ---  -----  -----",
        "Total          25   69    102    196",
    ]


def test_the_text_table_says_what_each_marker_stands_for(table):
    text = " ".join(render.to_text(table, NAMES).split())

    assert "<11 marks a hidden number: a count from 1 to 10." in text
    assert (
        "— marks a number of 11 or more, hidden so that no count marked <11, in "
        "this table or another, can be worked out from it."
    ) in text


def test_the_text_table_ends_with_its_notes(overlapping):
    text = render.to_text(overlapping, NAMES)

    assert "Total row, so that row is not the sum of the rows" in text
    assert all(len(line) <= 79 for line in text.splitlines())


def test_the_text_table_replaces_control_characters_in_labels():
    counts = line_table([12, 40])
    counts.row_labels = ["Red\x1b[31m", "Evil\u202eetis"]

    text = render.to_text(suppress(counts, 11), NAMES)

    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "Red\ufffd[31m" in text


def test_the_json_gives_every_number_the_same_keys(table):
    data = json.loads(render.to_json(table, NAMES))

    assert data["cells"][0] == [
        {"value": None, "status": "suppressed", "display": "<11"},
        {"value": 40, "status": "shown", "display": "40"},
        {"value": None, "status": "complementary", "display": "—"},
    ]
    assert data["grand_total"] == {"value": 196, "status": "shown", "display": "196"}


def test_the_json_describes_the_dimensions_threshold_and_labels(overlapping):
    data = json.loads(render.to_json(overlapping, NAMES))

    assert data["dimensions"] == {
        "rows": {"key": "organization", "name": "Organization", "overlap": True},
        "columns": {"key": "age-band", "name": "Age band", "overlap": False},
    }
    assert data["threshold"] == 11
    assert data["row_labels"] == ["North", "South"]
    assert data["column_labels"] == ["0-4", "5-9", "10-14"]
    assert len(data["row_totals"]) == 2
    assert len(data["column_totals"]) == 3
    assert any("not the sum" in note for note in data["notes"])


def test_the_json_of_one_dimension_has_no_columns():
    data = json.loads(render.to_json(suppress(line_table([5, 40, 30]), 11), NAMES))

    assert data["dimensions"]["columns"] is None
    assert data["column_labels"] == data["cells"] == data["column_totals"] == []
    assert [n["display"] for n in data["row_totals"]] == ["<11", "40", "—"]


def test_a_small_count_and_its_complement_are_marked_apart_in_every_form():
    result = suppress(line_table([5, 40, 30]), 11)

    rows = csv_rows(render.to_csv(result, NAMES))
    data = json.loads(render.to_json(result, NAMES))
    page = render.as_context(result, NAMES)

    assert [rows[1][1], rows[3][1]] == ["<11", "—"]
    assert [n["status"] for n in data["row_totals"]] == [
        "suppressed",
        "shown",
        "complementary",
    ]
    assert [line.numbers[0].display for line in page.lines[:3]] == ["<11", "40", "—"]
    assert page.lines[2].numbers[0].title == (
        "Hidden so that another hidden number cannot be worked out"
    )


def test_a_table_that_hides_only_complements_explains_only_their_marker():
    result = suppress(line_table([5, 40, 30]), 11)
    result.row_total_status[0] = Status.SHOWN

    (legend,) = render.notes(result, NAMES)

    assert legend.startswith("— marks a number of 11 or more")


def test_a_day_with_too_few_children_says_every_number_is_hidden():
    result = suppress(line_table([3, 0, 4]), 11)

    assert render.notes(result, NAMES) == [
        "Fewer than 11 children were served that day, so every number is "
        "hidden, zeros too, and marked <11."
    ]


def test_where_a_zero_is_hidden_the_small_count_marker_says_so():
    result = suppress(line_table([5, 40, 30]), 11)
    result.zeros_hidden = True

    legend = render.notes(result, NAMES)[0]

    assert legend.startswith(
        "<11 marks a hidden number below 11: a count from 1 to 10, or a zero"
    )


def test_the_layout_puts_the_total_row_last(table):
    layout = render.as_context(table, NAMES)

    assert [line.label for line in layout.lines] == ["North", "South", "West", "Total"]
    assert layout.lines[-1].is_total
    assert [n.hidden for n in layout.lines[0].numbers] == [True, False, True, False]


def test_dimension_names_come_from_the_reports_dimensions_by_default(table):
    layout = render.as_context(table)

    assert layout.header[0] == "Organization"
    assert layout.title == "Children by organization and age band"


def test_an_unknown_dimension_is_named_by_its_key():
    result = suppress(line_table([12, 40], dimension="district"), 11)

    assert render.as_context(result).header == ["district", "Total"]


def test_the_marker_follows_the_threshold():
    result = suppress(line_table([5, 40, 30]), 20)

    assert csv_rows(render.to_csv(result, NAMES))[1] == ["program 0", "<20"]
    assert "a count from 1 to 19" in render.to_text(result, NAMES)
