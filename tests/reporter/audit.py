"""An attacker's view of a day's suppressed tables, by integer programming.

Independent of the library on purpose: it knows nothing of profiles, trades
or keys, only what a reader of the published tables knows.

- Every number shown is fixed. A number marked ``<11`` is a whole number
  from 1 to 10, or from 0 where the notes say a zero may be hidden under
  it; one marked ``—`` is 11 or more, or anything at all where the notes
  say every number of the day is withheld. The thresholds follow the
  tables'.
- The same count in two tables is one unknown: it is named by the values it
  counts children under, whichever table it is in.
- Each line binds its numbers: a row or column adds up to its total, or,
  where a child can be counted under several values, its total is at least
  each of its counts and at most their sum.
- A program is inside its organization: in any line, a program's count is
  at most its organization's, and an organization's is at most the sum of
  its programs'. An organization's count of one of its own programs is that
  program's total.

Minimising and maximising each hidden number over whole numbers gives what
an attacker holding every table can narrow it to.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from braid.reporter.tables import Status, SuppressedTable

# A number by the values it counts children under: (dimension, label) pairs.
Key = frozenset[tuple[str, str]]

LARGE = 10**7


@dataclass(frozen=True)
class Structure:
    """What a reader knows of the community besides the numbers."""

    many: frozenset[str]  # dimensions a child can be under several values of
    # A dimension whose values group another's: organization -> (program,
    # {program: organization}).
    parents: Mapping[str, tuple[str, Mapping[str, str]]]


@dataclass(frozen=True)
class Interval:
    """What an attacker can know of one hidden number."""

    name: str
    value: int
    status: Status
    low: float
    high: float


class _Problem:
    def __init__(self) -> None:
        self.index: dict[Key, int] = {}
        self.values: list[int] = []
        self.statuses: list[set[Status]] = []
        self.thresholds: list[int] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        # Whether the notes say a zero may be hidden under ``<11``.
        self.zeros = False

    def number(self, key: Key, value: int, status: Status, threshold: int) -> int:
        if key in self.index:
            k = self.index[key]
            assert self.values[k] == value, f"{sorted(key)} differs between tables"
            self.statuses[k].add(status)
            return k
        self.index[key] = len(self.values)
        self.values.append(value)
        self.statuses.append({status})
        self.thresholds.append(threshold)
        return self.index[key]

    def at_most(self, plus: Sequence[int], minus: Sequence[int]) -> None:
        """Require the sum of ``plus`` to be at most the sum of ``minus``."""
        row: dict[int, float] = {}
        for k in plus:
            row[k] = row.get(k, 0) + 1
        for k in minus:
            row[k] = row.get(k, 0) - 1
        self.rows.append((row, -np.inf, 0))

    def equal(self, plus: Sequence[int], minus: Sequence[int]) -> None:
        self.at_most(plus, minus)
        self.at_most(minus, plus)

    def line(self, total: int, members: Sequence[int], overlap: bool) -> None:
        members = list(dict.fromkeys(members))
        if not members:
            return
        if not overlap:
            self.equal(members, [total])
            return
        self.at_most([total], members)
        for member in members:
            self.at_most([member], [total])


def _key(*pairs: tuple[str | None, str]) -> Key:
    return frozenset((d, v) for d, v in pairs if d is not None)


def _read(result: SuppressedTable, problem: _Problem, many: frozenset[str]) -> None:
    table, t = result.table, result.threshold
    rows, columns = table.row_dimension, table.column_dimension
    problem.zeros |= result.zeros_hidden
    grand = problem.number(_key(), table.grand_total, result.grand_total_status, t)
    row_ids = [
        problem.number(_key((rows, label)), count, status, t)
        for label, count, status in zip(
            table.row_labels, table.row_totals, result.row_total_status, strict=True
        )
    ]
    problem.line(grand, row_ids, rows in many)
    if not table.column_labels:
        return

    column_ids = [
        problem.number(_key((columns, label)), count, status, t)
        for label, count, status in zip(
            table.column_labels,
            table.column_totals,
            result.column_total_status,
            strict=True,
        )
    ]
    problem.line(grand, column_ids, columns in many)
    cells = [
        [
            problem.number(_key((rows, r), (columns, c)), count, status, t)
            for c, count, status in zip(
                table.column_labels, counts, statuses, strict=True
            )
        ]
        for r, counts, statuses in zip(
            table.row_labels, table.cells, result.cell_status, strict=True
        )
    ]
    for i, total in enumerate(row_ids):
        problem.line(total, cells[i], columns in many)
    for j, total in enumerate(column_ids):
        problem.line(total, [row[j] for row in cells], rows in many)


def _nesting(problem: _Problem, structure: Structure) -> None:
    """Bind each organization to its programs, in every line both are in."""
    for parent, (child, parent_of) in structure.parents.items():
        contexts = {
            key - {pair} for key in problem.index for pair in key if pair[0] == child
        }
        for context in contexts:
            if any(d in (parent, child) for d, _ in context):
                continue
            groups: dict[str, list[int]] = {}
            for value, group in parent_of.items():
                member = problem.index.get(context | {(child, value)})
                if member is None:
                    continue
                groups.setdefault(group, []).append(member)
                whole = problem.index.get(context | {(parent, group)})
                if whole is not None:
                    problem.at_most([member], [whole])
            for group, members in groups.items():
                whole = problem.index.get(context | {(parent, group)})
                if whole is not None and len(members) == sum(
                    1 for g in parent_of.values() if g == group
                ):
                    problem.at_most([whole], members)
        for value, group in parent_of.items():
            own = problem.index.get(frozenset({(parent, group), (child, value)}))
            alone = problem.index.get(frozenset({(child, value)}))
            if own is not None and alone is not None:
                problem.equal([own], [alone])


def _bounds(problem: _Problem) -> tuple[np.ndarray, np.ndarray]:
    low, high = [], []
    for value, statuses, t in zip(
        problem.values, problem.statuses, problem.thresholds, strict=True
    ):
        if Status.SHOWN in statuses:
            low.append(value)
            high.append(value)
        elif Status.WITHHELD in statuses:
            low.append(0)
            high.append(LARGE)
        elif Status.COMPLEMENTARY in statuses:
            low.append(t)
            high.append(LARGE)
        else:
            low.append(0 if problem.zeros else 1)
            high.append(t - 1)
    return np.array(low, float), np.array(high, float)


class _Program:
    """The integer program of a problem, built once and solved many times."""

    def __init__(self, problem: _Problem) -> None:
        self.problem = problem
        size = len(problem.values)
        entries: dict[tuple[int, int], float] = {}
        for n, (row, _, _) in enumerate(problem.rows):
            for column, coefficient in row.items():
                entries[(n, column)] = coefficient
        self.matrix = csr_array(
            (
                list(entries.values()),
                ([r for r, _ in entries], [c for _, c in entries]),
            ),
            shape=(len(problem.rows), size),
        )
        self.lower = np.array([lo for _, lo, _ in problem.rows])
        self.upper = np.array([hi for _, _, hi in problem.rows])
        self.bounds = Bounds(*_bounds(problem))
        self.size = size

    def solve(self, objective: dict[int, float]) -> np.ndarray:
        """Give a whole-number solution minimising ``objective``."""
        c = np.zeros(self.size)
        for k, weight in objective.items():
            c[k] = weight
        found = milp(
            c,
            constraints=LinearConstraint(self.matrix, self.lower, self.upper),
            bounds=self.bounds,
            integrality=np.ones(self.size),
        )
        assert found.status == 0, found.message
        return np.round(found.x)


def _problem(results: Sequence[SuppressedTable], structure: Structure) -> _Problem:
    problem = _Problem()
    for result in results:
        _read(result, problem, structure.many)
    _nesting(problem, structure)
    return problem


def _name(key: Key) -> str:
    return " ".join(f"{d}={v}" for d, v in sorted(key)) or "grand total"


def _hidden(problem: _Problem) -> list[int]:
    return [k for k, s in enumerate(problem.statuses) if Status.SHOWN not in s]


def intervals(
    results: Sequence[SuppressedTable], structure: Structure
) -> list[Interval]:
    """Give the attacker's interval for each hidden number of the tables."""
    problem = _problem(results, structure)
    program = _Program(problem)
    names = {k: _name(key) for key, k in problem.index.items()}
    found = []
    for k in _hidden(problem):
        low = program.solve({k: 1})[k]
        high = program.solve({k: -1})[k]
        (status,) = problem.statuses[k]
        found.append(Interval(names[k], problem.values[k], status, low, high))
    return found


def leaks(results: Sequence[SuppressedTable], structure: Structure) -> list[str]:
    """Name each hidden number of the tables that can be worked out exactly.

    Every solution found proves free each hidden number it gives another
    value to, so most numbers are cleared a few solutions at a time: the
    unproved ones pushed up together, then down together, then each alone.
    """
    problem = _problem(results, structure)
    program = _Program(problem)
    values = np.array(problem.values, float)
    open_ = set(_hidden(problem))

    def clear(objective: dict[int, float]) -> np.ndarray:
        solution = program.solve(objective)
        open_.difference_update(np.flatnonzero(solution != values).tolist())
        return solution

    for sign in (-1, 1):
        if open_:
            clear(dict.fromkeys(open_, sign))
    found = []
    for k in sorted(open_):
        pinned = k in open_ and clear({k: -1})[k] == values[k]
        if pinned and clear({k: 1})[k] == values[k]:
            found.append(f"{_name(_key_of(problem, k))} is worked out exactly")
    return found


def _key_of(problem: _Problem, k: int) -> Key:
    return next(key for key, index in problem.index.items() if index == k)


def shown_in_one_hidden_in_another(results: Sequence[SuppressedTable]) -> list[str]:
    """Name the numbers that two tables show or mark differently."""
    problem = _Problem()
    for result in results:
        _read(result, problem, frozenset())
    return [
        " ".join(f"{d}={v}" for d, v in sorted(key))
        for key, k in problem.index.items()
        if len(problem.statuses[k]) > 1
    ]


def thin_lines(results: Sequence[SuppressedTable]) -> list[str]:
    """Name the lines whose total is shown and whose hidden numbers add up
    to less than the threshold."""
    found = []
    for result in results:
        table, t = result.table, result.threshold
        lines = [
            (
                "grand",
                result.grand_total_status,
                table.row_totals,
                result.row_total_status,
            )
        ]
        if table.column_labels:
            lines.append(
                (
                    "grand",
                    result.grand_total_status,
                    table.column_totals,
                    result.column_total_status,
                )
            )
            for i, label in enumerate(table.row_labels):
                lines.append(
                    (
                        label,
                        result.row_total_status[i],
                        table.cells[i],
                        result.cell_status[i],
                    )
                )
            for j, label in enumerate(table.column_labels):
                lines.append(
                    (
                        label,
                        result.column_total_status[j],
                        [row[j] for row in table.cells],
                        [row[j] for row in result.cell_status],
                    )
                )
        for name, total_status, counts, statuses in lines:
            hidden = [c for c, s in zip(counts, statuses, strict=True) if s.hidden]
            if total_status is Status.SHOWN and hidden and sum(hidden) < t:
                found.append(
                    f"{table.row_dimension} x {table.column_dimension}: {name}"
                )
    return found
