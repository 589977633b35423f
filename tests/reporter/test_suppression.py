"""Suppression of small counts, on tables made by hand."""

import pytest

from braid.reporter.suppression import suppress, suppress_line
from braid.reporter.tables import CountTable, SuppressedTable

from .audit import intervals, leaks
from .factories import grid_table, line_table, transposed


def hidden_cells(result: SuppressedTable) -> set[tuple[int, int]]:
    return {
        (i, j)
        for i, row in enumerate(result.cell_hidden)
        for j, hidden in enumerate(row)
        if hidden
    }


def only_small_cells_hidden(table: CountTable) -> SuppressedTable:
    """Suppress the small counts and nothing else, as a naive report would."""

    def small(count: int) -> bool:
        return 0 < count < 11

    return SuppressedTable(
        table=table,
        threshold=11,
        cell_hidden=[[small(count) for count in row] for row in table.cells],
        row_total_hidden=[small(count) for count in table.row_totals],
        column_total_hidden=[small(count) for count in table.column_totals],
        grand_total_hidden=small(table.grand_total),
    )


def test_it_hides_counts_from_one_to_ten_and_shows_zero():
    result = suppress(line_table([0, 1, 10, 11, 40, 300]), 11)

    assert result.row_total_hidden == [False, True, True, False, False, False]
    assert not result.grand_total_hidden
    assert leaks(result) == []


def test_hiding_only_the_small_count_of_a_line_would_leak_through_the_total():
    table = line_table([5, 40, 30])
    assert "worked out exactly" in leaks(only_small_cells_hidden(table))[0]

    result = suppress(table, 11)

    assert result.row_total_hidden == [True, False, True]
    assert leaks(result) == []


def test_hiding_only_the_small_cell_of_a_table_would_leak_through_its_totals():
    table = grid_table([[5, 40, 30], [20, 15, 12], [25, 14, 60]])
    assert leaks(only_small_cells_hidden(table))

    result = suppress(table, 11)

    assert (0, 0) in hidden_cells(result)
    assert len(hidden_cells(result)) >= 4
    assert not any(result.row_total_hidden + result.column_total_hidden)
    assert leaks(result) == []


def test_the_hidden_counts_of_a_line_add_up_to_at_least_the_threshold():
    result = suppress(line_table([3, 4, 50, 60]), 11)

    assert result.row_total_hidden == [True, True, True, False]


def test_two_small_counts_that_reach_the_threshold_together_need_no_complement():
    result = suppress(line_table([4, 7, 50, 60]), 11)

    assert result.row_total_hidden == [True, True, False, False]
    assert leaks(result) == []


def test_a_table_of_fewer_children_than_the_threshold_is_hidden_entirely():
    result = suppress(grid_table([[3, 0], [0, 4]]), 11)

    # Zeros too: shown, they would say where the few children are.
    assert hidden_cells(result) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert all(result.row_total_hidden + result.column_total_hidden)
    assert result.grand_total_hidden


def test_a_line_of_fewer_children_than_the_threshold_is_hidden_entirely():
    result = suppress(line_table([3, 0, 4]), 11)

    assert result.row_total_hidden == [True, True, True]
    assert result.grand_total_hidden


def test_a_table_of_no_children_shows_its_zeros():
    result = suppress(grid_table([[0, 0], [0, 0]]), 11)

    assert hidden_cells(result) == set()
    assert not result.grand_total_hidden


@pytest.mark.parametrize(
    ("threshold", "hidden"),
    [
        (1, [False, False, False, False, False]),
        (3, [True, True, False, False, False]),
        (5, [True, True, False, False, False]),
        (11, [True, True, True, False, False]),
        (20, [True, True, True, True, False]),
    ],
)
def test_the_threshold_is_a_parameter(threshold, hidden):
    result = suppress(line_table([2, 4, 5, 30, 40]), threshold)

    assert result.threshold == threshold
    assert result.row_total_hidden == hidden
    assert leaks(result) == []


def test_a_larger_threshold_protects_a_table_to_that_threshold():
    table = grid_table([[5, 40, 30, 12], [20, 15, 12, 3], [25, 14, 60, 18]])

    for threshold in (5, 11, 20):
        assert leaks(suppress(table, threshold)) == []


def test_the_margins_of_a_table_hide_what_the_one_dimension_reports_hide():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60], [2, 0, 4]])

    result = suppress(table, 11)

    by_rows = suppress(line_table(table.row_totals), 11)
    by_columns = suppress(line_table(table.column_totals), 11)
    assert result.row_total_hidden == by_rows.row_total_hidden
    assert result.column_total_hidden == by_columns.row_total_hidden
    assert result.row_total_hidden == [False, True, False, True]
    assert leaks(result) == []


def test_a_table_turned_on_its_side_hides_the_same_numbers():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60], [2, 0, 4]])

    upright = suppress(table, 11)
    turned = suppress(transposed(table), 11)

    columns = zip(*upright.cell_hidden, strict=True)
    assert turned.cell_hidden == [list(column) for column in columns]
    assert turned.row_total_hidden == upright.column_total_hidden
    assert turned.column_total_hidden == upright.row_total_hidden


def test_a_small_count_whose_line_is_otherwise_zeros_is_covered_without_zeros():
    table = grid_table([[5, 0, 0], [20, 15, 12], [30, 14, 13]])

    result = suppress(table, 11)

    # The row total is 5, so it is hidden too, with the next total.
    assert result.row_total_hidden == [True, True, False]
    assert hidden_cells(result) == {(0, 0), (1, 0)}
    assert leaks(result) == []


def test_hidden_zeros_facing_each_other_do_not_lock_a_cycle():
    # Hiding 13 and 11 with the zeros below them makes a cycle, but one that
    # cannot move: each way round, a hidden zero would have to go below 0.
    table = grid_table([[0, 13, 0, 11], [30, 0, 0, 0], [0, 0, 21, 0], [3, 0, 10, 0]])

    result = suppress(table, 11)

    assert leaks(result) == []


def test_a_small_count_is_never_proved_to_be_small():
    # Hiding these cells and the first two column totals leaves every line
    # with two hidden numbers or more adding up to 11 or more, and every
    # hidden number on a cycle; yet the row of 15 and the 26 beside the 10
    # prove that the 2 and the 3 add up to 6 at most.
    table = grid_table([[2, 3, 10], [1, 15, 16]])
    naive = only_small_cells_hidden(table)
    naive.cell_hidden = [[True, True, True], [True, False, True]]
    naive.column_total_hidden = [True, True, False]
    found = leaks(naive)
    assert not any("exactly" in leak for leak in found)
    assert any("cell 0 0" in leak and "proved to be below" in leak for leak in found)

    result = suppress(table, 11)

    assert leaks(result) == []


def test_a_table_of_one_row_hides_what_its_line_hides():
    result = suppress(grid_table([[5, 40, 30]]), 11)

    assert result.cell_hidden == [[True, False, True]]
    assert result.column_total_hidden == [True, False, True]
    assert leaks(result) == []


def test_a_table_of_one_column_hides_what_its_line_hides():
    result = suppress(grid_table([[5], [40], [30]]), 11)

    assert result.cell_hidden == [[True], [False], [True]]
    assert result.row_total_hidden == [True, False, True]
    assert leaks(result) == []


def test_a_table_where_a_child_can_be_under_two_organizations_is_protected():
    # Four children are served by both organizations, so the column totals
    # and the grand total are less than the sums of the rows.
    table = CountTable(
        row_dimension="organization",
        row_labels=["North", "South"],
        row_totals=[48, 57],
        grand_total=101,
        column_dimension="age-band",
        column_labels=["0-4", "5-9", "10-14"],
        cells=[[6, 20, 22], [30, 12, 15]],
        column_totals=[34, 30, 37],
        rows_overlap=True,
    )

    result = suppress(table, 11)

    assert (0, 0) in hidden_cells(result)
    assert leaks(result) == []


def test_the_same_table_always_hides_the_same_numbers():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60]])

    assert suppress(table, 11) == suppress(table, 11)


def test_every_hidden_small_count_could_be_as_large_as_the_threshold():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60], [2, 0, 4]])

    small = [i for i in intervals(suppress(table, 11)) if 0 < i.value < 11]

    assert small
    assert all(interval.high >= 11 for interval in small)


def test_suppress_line_says_whether_the_total_is_hidden():
    assert suppress_line([5, 40, 30], 75, 11) == ([True, False, True], False)
    assert suppress_line([5, 0, 3], 8, 11) == ([True, True, True], True)


def test_it_rejects_a_threshold_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        suppress(line_table([5, 40]), 0)


def test_it_rejects_cells_that_do_not_fit_the_labels():
    table = grid_table([[5, 40], [30, 12]])
    table.cells.append([1, 2])

    with pytest.raises(ValueError, match="one row of cells per row label"):
        suppress(table, 11)


def test_it_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        suppress(line_table([5, -1, 40]), 11)
