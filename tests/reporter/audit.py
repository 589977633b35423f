"""An attacker's view of suppressed tables, computed with linear programming.

Independent of the library on purpose: it knows nothing of graphs, cycles or
flows, only what a reader of the published tables knows. Every number shown
is fixed, every hidden number is an unknown of at least zero, and the tables'
arithmetic binds them: a line adds up to its total or, where a child can be
counted under several values, its total is at least each of its counts and
at most their sum. Tables read together share their totals: the count for
one value of one dimension, and the grand total, are the same number in
every table that shows them, and it is known if any table shows it.
Minimising and maximising each unknown gives the interval an attacker can
narrow it to. The constraint matrices of additive tables are totally
unimodular, so the bounds of those intervals are whole numbers of children.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from braid.reporter.tables import SuppressedTable

INFINITY = float("inf")

# A number by what it counts: a value of a dimension, the grand total, or a
# cell of one table.
Key = tuple[object, ...]


@dataclass(frozen=True)
class Interval:
    """What an attacker can know of one hidden number."""

    name: str
    value: int
    low: float
    high: float
    threshold: int


class _Unknowns:
    """Every number of the tables, each once, in one vector."""

    def __init__(self) -> None:
        self.index: dict[Key, int] = {}
        self.names: list[str] = []
        self.values: list[int] = []
        self.hidden: list[bool] = []
        self.thresholds: list[int] = []

    def add(self, key: Key, value: int, hidden: bool, threshold: int) -> int:
        if key in self.index:
            k = self.index[key]
            assert self.values[k] == value, f"{key} differs between tables"
            self.hidden[k] = self.hidden[k] and hidden
            self.thresholds[k] = max(self.thresholds[k], threshold)
            return k
        self.index[key] = len(self.names)
        self.names.append(" ".join(map(str, key)))
        self.values.append(value)
        self.hidden.append(hidden)
        self.thresholds.append(threshold)
        return self.index[key]


class _Constraints:
    def __init__(self) -> None:
        self.equal: list[tuple[list[int], int]] = []
        self.at_most: list[tuple[list[int], list[int]]] = []

    def line(self, total: int, members: list[int], overlap: bool) -> None:
        """Bind a line to its total, as a sum or, where children overlap, by
        bounds: at most the sum, at least each count."""
        if not members:
            return
        if not overlap:
            self.equal.append((members, total))
            return
        self.at_most.append(([total], members))
        for member in members:
            self.at_most.append(([member], [total]))

    def matrices(self, size: int) -> dict[str, object]:
        equal = [_row(size, members, [total]) for members, total in self.equal]
        at_most = [_row(size, plus, minus) for plus, minus in self.at_most]
        return {
            "A_eq": np.array(equal) if equal else None,
            "b_eq": np.zeros(len(equal)) if equal else None,
            "A_ub": np.array(at_most) if at_most else None,
            "b_ub": np.zeros(len(at_most)) if at_most else None,
        }


def _row(size: int, plus: list[int], minus: list[int]) -> np.ndarray:
    row = np.zeros(size)
    np.add.at(row, plus, 1)
    np.add.at(row, minus, -1)
    return row


def _read(
    number: int, result: SuppressedTable, unknowns: _Unknowns, rules: _Constraints
) -> None:
    table, t = result.table, result.threshold
    grand = unknowns.add(("grand",), table.grand_total, result.grand_total_hidden, t)
    rows = [
        unknowns.add((table.row_dimension, label), count, hidden, t)
        for label, count, hidden in zip(
            table.row_labels, table.row_totals, result.row_total_hidden, strict=True
        )
    ]
    rules.line(grand, rows, table.rows_overlap)
    if not table.column_labels:
        return

    columns = [
        unknowns.add((table.column_dimension, label), count, hidden, t)
        for label, count, hidden in zip(
            table.column_labels,
            table.column_totals,
            result.column_total_hidden,
            strict=True,
        )
    ]
    rules.line(grand, columns, table.columns_overlap)
    cells = [
        [
            unknowns.add(("table", number, "cell", i, j), count, hidden, t)
            for j, (count, hidden) in enumerate(zip(row, flags, strict=True))
        ]
        for i, (row, flags) in enumerate(
            zip(table.cells, result.cell_hidden, strict=True)
        )
    ]
    for i, total in enumerate(rows):
        rules.line(total, cells[i], table.columns_overlap)
    for j, total in enumerate(columns):
        rules.line(total, [row[j] for row in cells], table.rows_overlap)


def intervals(*results: SuppressedTable) -> list[Interval]:
    """Give the attacker's interval for every number the tables all hide."""
    unknowns, rules = _Unknowns(), _Constraints()
    for number, result in enumerate(results):
        _read(number, result, unknowns, rules)

    size = len(unknowns.names)
    problem = rules.matrices(size)
    problem["bounds"] = [
        (0, None) if hidden else (value, value)
        for value, hidden in zip(unknowns.values, unknowns.hidden, strict=True)
    ]
    found = []
    for k in range(size):
        if unknowns.hidden[k]:
            low, high = _optimum(problem, k, size, 1), -_optimum(problem, k, size, -1)
            found.append(
                Interval(
                    unknowns.names[k],
                    unknowns.values[k],
                    low,
                    high,
                    unknowns.thresholds[k],
                )
            )
    return found


def _optimum(problem: dict[str, object], k: int, size: int, sign: int) -> float:
    objective = np.zeros(size)
    objective[k] = sign
    solution = linprog(objective, method="highs", **problem)
    if solution.status == 3:
        return -INFINITY
    assert solution.status == 0, solution.message
    return round(solution.fun, 6)


def leaks(*results: SuppressedTable) -> list[str]:
    """Say how each hidden number of the tables is not protected, if it is not.

    A hidden number must be free to take more than one value. A small count,
    moreover, must be free to reach the threshold: otherwise the numbers
    shown would prove by themselves that it is a small count, and narrow it
    below what the marker says.
    """
    problems = []
    for interval in intervals(*results):
        small = 0 < interval.value < interval.threshold
        if not interval.low <= interval.value <= interval.high:
            problems.append(f"{interval} does not hold its own value")
        elif interval.high - interval.low < 1:
            problems.append(f"{interval} is worked out exactly")
        elif small and interval.high < interval.threshold:
            problems.append(f"{interval} is proved to be below the threshold")
    return problems


def shown_in_one_hidden_in_another(
    results: Sequence[SuppressedTable],
) -> list[str]:
    """Name the totals that one table shows and another hides."""
    seen: dict[Key, set[bool]] = {}
    for result in results:
        table = result.table
        labelled = [
            (table.row_dimension, table.row_labels, result.row_total_hidden),
            (table.column_dimension, table.column_labels, result.column_total_hidden),
        ]
        for dimension, labels, hidden in labelled:
            for label, flag in zip(labels, hidden, strict=True):
                seen.setdefault((dimension, label), set()).add(flag)
        seen.setdefault(("grand",), set()).add(result.grand_total_hidden)
    return [" ".join(map(str, key)) for key, flags in seen.items() if len(flags) > 1]
