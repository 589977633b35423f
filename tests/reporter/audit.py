"""An attacker's view of a suppressed table, computed with linear programming.

Independent of the library on purpose: it knows nothing of graphs or cycles,
only what a reader of the published table knows. Every number shown is fixed,
every hidden number is an unknown of at least zero, and the table's
arithmetic binds them: a line adds up to its total, or, where a child can be
counted under several values, its total is at least each of its counts and at
most their sum. Minimising and maximising each unknown gives the interval an
attacker can narrow it to. Because these constraint matrices are totally
unimodular, the bounds of every interval are whole numbers of children.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from braid.reporter.tables import SuppressedTable

INFINITY = float("inf")


@dataclass(frozen=True)
class Interval:
    """What an attacker can know of one hidden number."""

    name: str
    value: int
    low: float
    high: float


class _Variables:
    """Every number of a table, in one vector."""

    def __init__(self, result: SuppressedTable) -> None:
        table = result.table
        self.names: list[str] = []
        self.values: list[int] = []
        self.hidden: list[bool] = []
        self.cell: dict[tuple[int, int], int] = {}
        self.row: dict[int, int] = {}
        self.column: dict[int, int] = {}
        for i, row in enumerate(table.cells):
            for j, value in enumerate(row):
                self.cell[i, j] = self._add(
                    f"cell {i},{j}", value, result.cell_hidden[i][j]
                )
        for i, value in enumerate(table.row_totals):
            self.row[i] = self._add(f"row {i}", value, result.row_total_hidden[i])
        for j, value in enumerate(table.column_totals):
            self.column[j] = self._add(
                f"column {j}", value, result.column_total_hidden[j]
            )
        self.grand = self._add("grand", table.grand_total, result.grand_total_hidden)

    def _add(self, name: str, value: int, hidden: bool) -> int:
        self.names.append(name)
        self.values.append(value)
        self.hidden.append(hidden)
        return len(self.names) - 1

    def __len__(self) -> int:
        return len(self.names)


class _Constraints:
    def __init__(self, size: int) -> None:
        self.size = size
        self.equal: list[np.ndarray] = []
        self.at_most: list[np.ndarray] = []

    def _vector(self, plus: list[int], minus: list[int]) -> np.ndarray:
        vector = np.zeros(self.size)
        vector[plus] += 1
        vector[minus] -= 1
        return vector

    def line(self, total: int, members: list[int], overlap: bool) -> None:
        """Bind a line to its total: a sum, or bounds where children overlap."""
        if not members:
            return
        if not overlap:
            self.equal.append(self._vector(members, [total]))
            return
        self.at_most.append(self._vector([total], members))
        for member in members:
            self.at_most.append(self._vector([member], [total]))


def _constraints(result: SuppressedTable, variables: _Variables) -> _Constraints:
    table = result.table
    rows, columns = range(len(table.row_labels)), range(len(table.column_labels))
    constraints = _Constraints(len(variables))
    constraints.line(
        variables.grand, [variables.row[i] for i in rows], table.rows_overlap
    )
    if not table.column_labels:
        return constraints

    constraints.line(
        variables.grand, [variables.column[j] for j in columns], table.columns_overlap
    )
    for i in rows:
        cells = [variables.cell[i, j] for j in columns]
        constraints.line(variables.row[i], cells, table.columns_overlap)
    for j in columns:
        cells = [variables.cell[i, j] for i in rows]
        constraints.line(variables.column[j], cells, table.rows_overlap)
    return constraints


def intervals(result: SuppressedTable) -> list[Interval]:
    """Give the attacker's interval for every hidden number of ``result``."""
    variables = _Variables(result)
    constraints = _constraints(result, variables)
    bounds = [
        (0, None) if hidden else (value, value)
        for value, hidden in zip(variables.values, variables.hidden, strict=True)
    ]
    problem = {
        "A_eq": np.array(constraints.equal) if constraints.equal else None,
        "b_eq": np.zeros(len(constraints.equal)) if constraints.equal else None,
        "A_ub": np.array(constraints.at_most) if constraints.at_most else None,
        "b_ub": np.zeros(len(constraints.at_most)) if constraints.at_most else None,
        "bounds": bounds,
        "method": "highs",
    }
    found = []
    for k, hidden in enumerate(variables.hidden):
        if hidden:
            low = _optimum(problem, k, len(variables), 1)
            high = -_optimum(problem, k, len(variables), -1)
            found.append(Interval(variables.names[k], variables.values[k], low, high))
    return found


def _optimum(problem: dict, k: int, size: int, sign: int) -> float:
    objective = np.zeros(size)
    objective[k] = sign
    solution = linprog(objective, **problem)
    if solution.status == 3:
        return -INFINITY
    assert solution.status == 0, solution.message
    return round(solution.fun, 6)


def leaks(result: SuppressedTable) -> list[str]:
    """Say how each hidden number of ``result`` is not protected, if it is not.

    A hidden number must be free to take more than one value. A small count,
    moreover, must be free to reach the threshold: otherwise the numbers
    shown would prove by themselves that it is a small count, and narrow it
    below what the marker says.
    """
    problems = []
    for interval in intervals(result):
        if not interval.low <= interval.value <= interval.high:
            problems.append(f"{interval} does not hold its own value")
        elif interval.high - interval.low < 1:
            problems.append(f"{interval} is worked out exactly")
        elif 0 < interval.value < result.threshold <= interval.high:
            continue
        elif 0 < interval.value < result.threshold:
            problems.append(f"{interval} is proved to be below the threshold")
    return problems
