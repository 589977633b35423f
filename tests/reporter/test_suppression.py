"""Suppression of small counts, on tables made by hand."""

import pytest

from braid.reporter.population import population_of
from braid.reporter.suppression import protect, suppress
from braid.reporter.tables import CountTable, Status, SuppressedTable

from .audit import Structure, leaks
from .factories import grid_table, line_table, transposed

S, C, _ = Status.SUPPRESSED, Status.COMPLEMENTARY, Status.SHOWN
ALONE = Structure(many=frozenset(), parents={})
OVERLAPPING = Structure(many=frozenset({"organization"}), parents={})


def hidden_cells(result: SuppressedTable) -> set[tuple[int, int]]:
    return {
        (i, j)
        for i, row in enumerate(result.cell_hidden)
        for j, hidden in enumerate(row)
        if hidden
    }


def only_small_counts_hidden(table: CountTable) -> SuppressedTable:
    """Suppress the small counts and nothing else, as a naive report would."""

    def status(count: int) -> Status:
        return S if 0 < count < 11 else _

    return SuppressedTable(
        table=table,
        threshold=11,
        cell_status=[[status(count) for count in row] for row in table.cells],
        row_total_status=[status(count) for count in table.row_totals],
        column_total_status=[status(count) for count in table.column_totals],
        grand_total_status=status(table.grand_total),
    )


def test_it_suppresses_counts_from_one_to_ten_and_shows_zero():
    result = suppress(line_table([0, 1, 10, 11, 40, 300]), 11)

    assert result.row_total_status == [_, S, S, _, _, _]
    assert result.grand_total_status is _
    assert leaks([result], ALONE) == []


def test_hiding_only_the_small_count_of_a_line_would_leak_through_the_total():
    table = line_table([5, 40, 30])
    assert leaks([only_small_counts_hidden(table)], ALONE) == [
        "program=program 0 is worked out exactly"
    ]

    result = suppress(table, 11)

    assert result.row_total_status == [S, _, C]
    assert leaks([result], ALONE) == []


def test_hiding_only_the_small_cell_of_a_table_would_leak_through_its_totals():
    table = grid_table([[5, 40, 30], [20, 15, 12], [25, 14, 60]])
    assert leaks([only_small_counts_hidden(table)], ALONE)

    result = suppress(table, 11)

    assert (0, 0) in hidden_cells(result)
    assert len(hidden_cells(result)) >= 4
    assert not any(result.row_total_hidden + result.column_total_hidden)
    assert leaks([result], ALONE) == []


def test_a_number_hidden_to_protect_a_small_count_is_marked_apart():
    result = suppress(grid_table([[5, 40, 30], [20, 15, 12], [25, 14, 60]]), 11)

    statuses = {
        result.table.cells[i][j]: status
        for i, row in enumerate(result.cell_status)
        for j, status in enumerate(row)
        if status.hidden
    }
    assert statuses.pop(5) is S
    assert statuses
    assert all(status is C for status in statuses.values())


def test_the_hidden_counts_of_a_line_add_up_to_at_least_the_threshold():
    result = suppress(line_table([3, 4, 50, 60]), 11)

    assert result.row_total_status == [S, S, C, _]
    assert leaks([result], ALONE) == []


def test_two_small_counts_that_reach_the_threshold_together_need_no_complement():
    result = suppress(line_table([4, 7, 50, 60]), 11)

    assert result.row_total_status == [S, S, _, _]
    assert leaks([result], ALONE) == []


def test_a_table_of_fewer_children_than_the_threshold_is_hidden_entirely():
    result = suppress(grid_table([[3, 0], [0, 4]]), 11)

    # Zeros too: shown, they would say where the few children are.
    assert hidden_cells(result) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert all(result.row_total_hidden + result.column_total_hidden)
    assert result.grand_total_status is S
    assert result.zeros_hidden


def test_a_table_of_no_children_shows_its_zeros():
    result = suppress(grid_table([[0, 0], [0, 0]]), 11)

    assert hidden_cells(result) == set()
    assert result.grand_total_status is _


@pytest.mark.parametrize(
    ("threshold", "statuses"),
    [
        (1, [_, _, _, _, _]),
        (3, [S, C, _, _, _]),
        (5, [S, S, _, _, _]),
        (11, [S, S, S, _, _]),
        (20, [S, S, S, C, _]),
    ],
)
def test_the_threshold_is_a_parameter(threshold, statuses):
    result = suppress(line_table([2, 4, 5, 30, 40]), threshold)

    assert result.threshold == threshold
    assert result.row_total_status == statuses
    assert leaks([result], ALONE) == []


def test_a_larger_threshold_protects_a_table_to_that_threshold():
    table = grid_table([[5, 40, 30, 12], [20, 15, 12, 3], [25, 14, 60, 18]])

    for threshold in (5, 11, 20):
        assert leaks([suppress(table, threshold)], ALONE) == []


def test_a_table_turned_on_its_side_hides_the_same_numbers():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60], [2, 0, 4]])

    upright = suppress(table, 11)
    turned = suppress(transposed(table), 11)

    columns = zip(*upright.cell_status, strict=True)
    assert turned.cell_status == [list(column) for column in columns]
    assert turned.row_total_status == upright.column_total_status
    assert turned.column_total_status == upright.row_total_status


def test_the_margins_of_a_table_hide_what_the_tables_of_one_dimension_hide():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60], [2, 0, 4]])

    protection = protect(population_of(table), 11)
    result = protection.table(["organization", "age-band"])

    by_rows = protection.table(["organization"])
    by_columns = protection.table(["age-band"])
    assert result.row_total_status == by_rows.row_total_status
    assert result.column_total_status == by_columns.row_total_status
    assert result.row_total_status[3] is S
    assert leaks([result, by_rows, by_columns], ALONE) == []


def test_a_small_count_whose_line_is_otherwise_zeros_is_protected():
    result = suppress(grid_table([[5, 0, 0], [20, 15, 12], [30, 14, 13]]), 11)

    assert result.row_total_status[0] is S
    assert leaks([result], ALONE) == []


def test_a_table_of_one_row_hides_what_its_line_hides():
    result = suppress(grid_table([[5, 40, 30]]), 11)

    assert result.cell_status == [[S, _, C]]
    assert result.column_total_status == [S, _, C]
    assert leaks([result], ALONE) == []


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
    assert leaks([result], OVERLAPPING) == []


def test_the_same_table_always_hides_the_same_numbers():
    table = grid_table([[5, 40, 30], [20, 3, 12], [25, 14, 60]])

    assert suppress(table, 11) == suppress(table, 11)


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


def test_it_rejects_a_total_no_children_could_give():
    table = line_table([5, 40])
    table.grand_total = 50

    with pytest.raises(ValueError, match="between its largest count and their sum"):
        suppress(table, 11)
