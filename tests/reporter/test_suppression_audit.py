"""Suppression audited by linear programming on seeded random tables."""

import random

import pytest

from braid.reporter.suppression import is_exposed, suppress
from braid.reporter.tables import SuppressedTable

from .audit import intervals, leaks, shown_in_one_hidden_in_another
from .factories import grid_table, line_table, transposed
from .random_tables import (
    random_children_table,
    random_grid,
    random_line,
    random_people,
    tables_of_people,
)


@pytest.mark.parametrize("seed", range(200))
def test_no_hidden_count_of_a_random_line_can_be_narrowed(seed):
    result = suppress(random_line(random.Random(seed)), 11)

    assert leaks(result) == []


@pytest.mark.parametrize("seed", range(400))
def test_no_hidden_number_of_a_random_table_can_be_narrowed(seed):
    rng = random.Random(seed)
    table = random_grid(rng)

    result = suppress(table, rng.choice([3, 11, 11, 11, 20]))

    assert leaks(result) == []


@pytest.mark.parametrize("seed", range(150))
def test_no_hidden_number_of_a_table_of_overlapping_children_can_be_narrowed(seed):
    result = suppress(random_children_table(random.Random(seed)), 11)

    assert leaks(result) == []


@pytest.mark.parametrize("seed", range(100))
def test_tables_read_together_hide_what_each_hides(seed):
    # One report by organization, another by age band, and the two tables
    # of organization by age band and by gender: an attacker holding all
    # four learns nothing that one of them hides.
    people = random_people(random.Random(seed))
    results = [suppress(table, 11) for table in tables_of_people(people)]

    assert shown_in_one_hidden_in_another(results) == []
    assert leaks(*results) == []


@pytest.mark.parametrize("seed", range(200))
def test_the_margins_of_a_random_table_hide_what_the_one_dimension_reports_hide(
    seed,
):
    table = random_grid(random.Random(seed))

    result = suppress(table, 11)

    by_rows = suppress(line_table(table.row_totals), 11)
    by_columns = suppress(line_table(table.column_totals), 11)
    assert result.row_total_hidden == by_rows.row_total_hidden
    assert result.column_total_hidden == by_columns.row_total_hidden
    assert result.grand_total_hidden == by_rows.grand_total_hidden


@pytest.mark.parametrize("seed", range(200))
def test_a_random_table_turned_on_its_side_hides_the_same_numbers(seed):
    table = random_grid(random.Random(seed))

    upright = suppress(table, 11)
    turned = suppress(transposed(table), 11)

    columns = zip(*upright.cell_hidden, strict=True)
    assert turned.cell_hidden == [list(column) for column in columns]
    assert turned.row_total_hidden == upright.column_total_hidden


@pytest.mark.parametrize("seed", range(400))
def test_every_line_of_a_random_table_hides_enough_or_shows_its_total(seed):
    result = suppress(random_grid(random.Random(seed)), 11)

    for cells, total, total_hidden in _lines(result):
        assert total_hidden or not is_exposed(cells, 11), (cells, total)


def _lines(result: SuppressedTable) -> list[tuple[list[int], int, bool]]:
    table = result.table
    rows = [
        (
            [c for c, h in zip(row, flags, strict=True) if h],
            table.row_totals[i],
            result.row_total_hidden[i],
        )
        for i, (row, flags) in enumerate(
            zip(table.cells, result.cell_hidden, strict=True)
        )
    ]
    columns = [
        (
            [
                table.cells[i][j]
                for i in range(len(table.cells))
                if result.cell_hidden[i][j]
            ],
            table.column_totals[j],
            result.column_total_hidden[j],
        )
        for j in range(len(table.column_labels))
    ]
    return rows + columns


def test_the_audit_finds_a_count_worked_out_from_its_total():
    table = line_table([5, 40, 30])
    result = SuppressedTable(table, 11, [], [True, False, False], [], False)

    assert leaks(result) == [
        "Interval(name='program program 0', value=5, low=5.0, high=5.0, "
        "threshold=11) is worked out exactly"
    ]


def test_the_audit_finds_small_counts_hidden_only_among_themselves():
    table = grid_table([[1, 2, 30], [2, 1, 30], [30, 30, 30]])
    hidden = [[True, True, False], [True, True, False], [False, False, False]]
    result = SuppressedTable(table, 11, hidden, [False] * 3, [False] * 3, False)

    found = intervals(result)

    assert [(i.low, i.high) for i in found] == [(0, 3), (0, 3), (0, 3), (0, 3)]
    assert len(leaks(result)) == 4
