"""Statistical disclosure control for tables of counts of children.

A count from 1 to ``threshold - 1`` is hidden (a primary suppression). Other
numbers are then hidden beside it (complementary suppressions) so that no
hidden number can be worked out from the numbers that are shown.

A table with its margins is read as a bipartite graph. One side has a node
for each row and one for the row of column totals; the other side has a node
for each column and one for the column of row totals. Every number joins a
node of one side to a node of the other: cell (i, j) joins row i to column j,
row total i joins row i to the totals column, column total j joins the totals
row to column j, and the grand total joins the two totals nodes. Each node
stands for one equation: its line adds up to its total.

Given the published numbers, the hidden ones can change without breaking an
equation only by going round a cycle of hidden edges, adding and taking away
in turn. So a hidden number is determined exactly when its edge lies on no
cycle of hidden edges. Turning each edge into an arc (row to column for a
cell, column to the totals row for a column total, on to the totals column
for the grand total, and back to the row for a row total) makes the table a
circulation, and how far a hidden number can rise is a maximum flow.

A pattern is complete when:

- every line whose total is shown hides no cell, or at least two that add up
  to at least the threshold;
- every hidden number lies on a cycle of hidden numbers;
- every hidden small count could, for all the published numbers tell, be as
  large as the threshold, so they never prove that it is a small count.

The margins of a two-dimensional table are the one-dimensional tables of its
dimensions, so they are suppressed first, by the same function, and then
locked: complements inside the table are chosen among its cells only. A
one-dimensional report and the margins of any table built on the same counts
therefore hide exactly the same numbers.

A table turned on its side (rows by columns, or columns by rows) hides the
same numbers, so that the two views cannot be laid side by side to recover
one.

Where a child can fall under several values of a dimension, the totals
across it count distinct children and are not sums. The same pattern is
used: such a total is bounded by its line (at least its largest count, at
most their sum) rather than equal to the sum, which tells a reader less;
the tests audit the patterns against those bounds.
"""

import heapq
import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from braid.reporter.tables import CountTable, SuppressedTable

logger = logging.getLogger(__name__)

# What it costs to hide one more number: zeros last (a hidden zero can only
# move up, so it leaves the numbers beside it bounded on one side), then the
# fewest children hidden, then the fewest numbers hidden.
Cost = tuple[int, int, int]
FREE: Cost = (0, 0, 0)

# A step of a path: the node reached, the edge to hide on the way (or None
# for one already hidden) and what hiding it costs.
Step = tuple[int, int | None, Cost]


def suppress(table: CountTable, threshold: int) -> SuppressedTable:
    """Hide every number of ``table`` that could disclose a small count.

    Ties between equal counts go to the first in the order of the table's
    rows and columns. Each dimension's values must therefore come in one
    fixed order, the same whoever reads the report and in whatever language;
    sort for display after suppressing, never before.
    """
    _check(table, threshold)

    turned = _is_two_dimensional(table) and _turn_over(table)
    pattern = _suppress_upright(_transposed(table) if turned else table, threshold)
    if turned:
        pattern = pattern.transposed()
    return pattern.applied_to(table, threshold)


def suppress_line(
    counts: Sequence[int], total: int, threshold: int
) -> tuple[list[bool], bool]:
    """Hide the small counts of one line and enough others to cover them.

    Return which counts are hidden and whether the total is.
    """
    if is_small(total, threshold):
        return [True] * len(counts), True

    hidden = [is_small(count, threshold) for count in counts]
    while is_exposed(_hidden_counts(counts, hidden), threshold):
        choice = _smallest_shown(counts, hidden)
        if choice is None:
            break
        hidden[choice] = True
    return hidden, False


def is_small(count: int, threshold: int) -> bool:
    """Tell whether ``count`` may not be shown on its own."""
    return 0 < count < threshold


def is_exposed(hidden_counts: Sequence[int], threshold: int) -> bool:
    """Tell whether the hidden counts of a line whose total is shown need more.

    One hidden count is the total less the others; two or more that add up
    to less than the threshold are a small count between them.
    """
    if not hidden_counts:
        return False
    return len(hidden_counts) < 2 or sum(hidden_counts) < threshold


def _hidden_counts(counts: Sequence[int], hidden: Sequence[bool]) -> list[int]:
    return [count for count, is_hidden in zip(counts, hidden, strict=True) if is_hidden]


def _smallest_shown(counts: Sequence[int], hidden: Sequence[bool]) -> int | None:
    shown = [k for k in range(len(counts)) if not hidden[k]]
    if not shown:
        return None
    # A zero comes last: hidden, it can only rise, so it covers less.
    return min(shown, key=lambda k: (counts[k] == 0, counts[k], k))


@dataclass
class _Pattern:
    """Which numbers of a table are hidden."""

    cells: list[list[bool]]
    rows: list[bool]
    columns: list[bool]
    grand: bool

    def transposed(self) -> "_Pattern":
        cells = [list(column) for column in zip(*self.cells, strict=True)]
        return _Pattern(cells, self.columns, self.rows, self.grand)

    def applied_to(self, table: CountTable, threshold: int) -> SuppressedTable:
        return SuppressedTable(
            table=table,
            threshold=threshold,
            cell_hidden=self.cells,
            row_total_hidden=self.rows,
            column_total_hidden=self.columns,
            grand_total_hidden=self.grand,
        )


def _check(table: CountTable, threshold: int) -> None:
    if threshold < 1:
        raise ValueError(f"The threshold must be at least 1, not {threshold}.")

    rows, columns = len(table.row_labels), len(table.column_labels)
    if len(table.row_totals) != rows:
        raise ValueError("There must be one row total for each row label.")
    if table.column_dimension is None and (columns or table.cells):
        raise ValueError("A table of one dimension has no columns or cells.")
    if len(table.column_totals) != columns:
        raise ValueError("There must be one column total for each column label.")
    if len(table.cells) != (rows if columns else 0) or any(
        len(row) != columns for row in table.cells
    ):
        raise ValueError("There must be one row of cells per row label.")

    if any(count < 0 for count in _all_counts(table)):
        raise ValueError("Counts cannot be negative.")


def _all_counts(table: CountTable) -> Iterator[int]:
    for row in table.cells:
        yield from row
    yield from table.row_totals
    yield from table.column_totals
    yield table.grand_total


def _is_two_dimensional(table: CountTable) -> bool:
    return table.column_dimension is not None and bool(table.column_labels)


def _turn_over(table: CountTable) -> bool:
    # By the dimensions' keys, which do not change with the reader's language.
    return (table.column_dimension or "") < table.row_dimension


def _transposed(table: CountTable) -> CountTable:
    return CountTable(
        row_dimension=table.column_dimension or "",
        row_labels=table.column_labels,
        row_totals=table.column_totals,
        grand_total=table.grand_total,
        column_dimension=table.row_dimension,
        column_labels=table.row_labels,
        cells=[list(column) for column in zip(*table.cells, strict=True)],
        column_totals=table.row_totals,
        rows_overlap=table.columns_overlap,
        columns_overlap=table.rows_overlap,
    )


def _suppress_upright(table: CountTable, threshold: int) -> _Pattern:
    rows, grand = suppress_line(table.row_totals, table.grand_total, threshold)
    if not _is_two_dimensional(table):
        return _Pattern([], rows, [False] * len(table.column_labels), grand)
    if grand:
        return _everything(table)

    columns, _ = suppress_line(table.column_totals, table.grand_total, threshold)
    graph = _Graph(table, rows, columns, threshold)
    if _complete(graph):
        return graph.pattern()

    # The margins are locked, and for some shapes no choice of cells covers
    # them; hiding the whole table is then the only safe answer.
    logger.warning(
        "No complementary suppression for a %sx%s table; hiding all of it.",
        len(table.row_labels),
        len(table.column_labels),
    )
    return _everything(table)


def _everything(table: CountTable) -> _Pattern:
    # With fewer children in all than the threshold, even where the zeros
    # fall says where those few children are, so zeros are hidden too.
    return _Pattern(
        [[True] * len(row) for row in table.cells],
        [True] * len(table.row_totals),
        [True] * len(table.column_totals),
        True,
    )


class _Graph:
    """The numbers of a two-dimensional table as arcs between its lines.

    See the module docstring. Lines are rows and columns; a line's total is
    the arc joining it to the totals node on the other side. Edges are
    numbered cells first (row by row), then row totals, column totals and
    the grand total, and ties are broken in that order.
    """

    def __init__(
        self,
        table: CountTable,
        rows_hidden: list[bool],
        columns_hidden: list[bool],
        threshold: int,
    ) -> None:
        m, n = len(table.row_labels), len(table.column_labels)
        self.shape = (m, n)
        self.threshold = threshold
        self.nodes = m + n + 2
        totals_row, totals_column = m, m + n + 1
        self.arcs: list[tuple[int, int]] = []
        self.values: list[int] = []
        self.locked: list[bool] = []
        self.hidden: list[bool] = []

        for i in range(m):
            for j in range(n):
                count = table.cells[i][j]
                self._add((i, m + 1 + j), count, False, is_small(count, threshold))
        for i, count in enumerate(table.row_totals):
            self._add((totals_column, i), count, True, rows_hidden[i])
        for j, count in enumerate(table.column_totals):
            self._add((m + 1 + j, totals_row), count, True, columns_hidden[j])
        self._add((totals_row, totals_column), table.grand_total, True, False)

        self.lines = [self._row(i) for i in range(m)]
        self.lines += [self._column(j) for j in range(n)]
        self.incident: list[list[int]] = [[] for _ in range(self.nodes)]
        for edge, (tail, head) in enumerate(self.arcs):
            self.incident[tail].append(edge)
            self.incident[head].append(edge)

    def _add(
        self, arc: tuple[int, int], count: int, locked: bool, hidden: bool
    ) -> None:
        self.arcs.append(arc)
        self.values.append(count)
        self.locked.append(locked)
        self.hidden.append(hidden)

    def _row(self, i: int) -> tuple[list[int], int]:
        m, n = self.shape
        return [i * n + j for j in range(n)], m * n + i

    def _column(self, j: int) -> tuple[list[int], int]:
        m, n = self.shape
        return [i * n + j for i in range(m)], m * n + m + j

    def lines_of(self, cell: int) -> tuple[int, int]:
        """Give the row and the column of a cell, as indexes into ``lines``."""
        m, n = self.shape
        i, j = divmod(cell, n)
        return i, m + j

    def other_end(self, edge: int, node: int) -> int:
        tail, head = self.arcs[edge]
        return head if node == tail else tail

    def can_hide(self, edge: int) -> bool:
        return not self.hidden[edge] and not self.locked[edge]

    def cost(self, edge: int) -> Cost:
        if self.hidden[edge]:
            return FREE
        return (int(self.values[edge] == 0), self.values[edge], 1)

    def hide(self, edges: Iterable[int]) -> None:
        for edge in edges:
            self.hidden[edge] = True

    def pattern(self) -> _Pattern:
        m, n = self.shape
        hidden = self.hidden
        return _Pattern(
            [hidden[i * n : (i + 1) * n] for i in range(m)],
            hidden[m * n : m * n + m],
            hidden[m * n + m : m * n + m + n],
            hidden[-1],
        )


def _complete(graph: _Graph) -> bool:
    """Hide complements until the pattern is complete; tell whether it is.

    Each step hides at least one more number, so the steps come to an end.
    """
    while _cover_a_line(graph) or _close_a_cycle(graph) or _free_a_number(graph):
        pass
    held = next(_held_numbers(graph), None)
    return not _exposed_lines(graph) and held is None


# Lines whose total is shown.


def _exposed_lines(graph: _Graph) -> list[int]:
    return [
        line
        for line, (cells, total) in enumerate(graph.lines)
        if not graph.hidden[total]
        and is_exposed(
            [graph.values[e] for e in cells if graph.hidden[e]], graph.threshold
        )
    ]


def _cover_a_line(graph: _Graph) -> bool:
    for line in _exposed_lines(graph):
        choice = _line_complement(graph, line)
        if choice is not None:
            graph.hide([choice])
            return True
    return False


def _line_complement(graph: _Graph, line: int) -> int | None:
    """Choose the next cell to hide in an exposed line, if any will do.

    A cell whose other line shows its total and has no other cell is that
    total, so hiding it protects nothing. A cell that would be the only one
    hidden in a line of zeros would need a zero beside it, so it comes after
    the others.
    """
    cells, _ = graph.lines[line]
    candidates = [
        e for e in cells if graph.can_hide(e) and not _is_pinned(graph, e, line)
    ]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda e: (
            graph.values[e] == 0,
            _needs_a_zero(graph, e, line),
            graph.values[e],
            e,
        ),
    )


def _crossing_lines(graph: _Graph, cell: int, line: int) -> Iterator[list[int]]:
    """Give the cells of the other line through ``cell`` if its total shows."""
    for other in graph.lines_of(cell):
        cells, total = graph.lines[other]
        if other != line and not graph.hidden[total]:
            yield cells


def _is_pinned(graph: _Graph, cell: int, line: int) -> bool:
    return any(len(cells) == 1 for cells in _crossing_lines(graph, cell, line))


def _needs_a_zero(graph: _Graph, cell: int, line: int) -> bool:
    for cells in _crossing_lines(graph, cell, line):
        others = [e for e in cells if e != cell]
        if not any(graph.hidden[e] or graph.values[e] for e in others):
            return True
    return False


# Cycles of hidden numbers.


def _close_a_cycle(graph: _Graph) -> bool:
    for bridge in _bridges(graph):
        start, goal = graph.arcs[bridge]
        found = _cheapest_path(start, goal, partial(_cycle_steps, graph, bridge))
        if found and found[1]:
            graph.hide(found[1])
            return True
    return False


def _cycle_steps(graph: _Graph, bridge: int, node: int) -> Iterator[Step]:
    for edge in graph.incident[node]:
        if edge != bridge and (graph.hidden[edge] or graph.can_hide(edge)):
            step = None if graph.hidden[edge] else edge
            yield graph.other_end(edge, node), step, graph.cost(edge)


def _bridges(graph: _Graph) -> list[int]:
    """Find the hidden edges on no cycle of hidden edges (Tarjan's method)."""
    adjacency = [
        [(graph.other_end(e, node), e) for e in graph.incident[node] if graph.hidden[e]]
        for node in range(graph.nodes)
    ]
    order = [-1] * graph.nodes
    low = [0] * graph.nodes
    bridges: list[int] = []
    for root in range(graph.nodes):
        if order[root] < 0 and adjacency[root]:
            _search_bridges(root, adjacency, order, low, bridges)
    return sorted(bridges)


def _search_bridges(
    root: int,
    adjacency: list[list[tuple[int, int]]],
    order: list[int],
    low: list[int],
    bridges: list[int],
) -> None:
    # Depth first without recursion: a wide table would pass Python's limit.
    counter = max(order) + 1
    order[root] = low[root] = counter
    stack = [(root, -1, iter(adjacency[root]))]
    while stack:
        node, via, neighbours = stack[-1]
        for neighbour, edge in neighbours:
            if edge == via:
                continue
            if order[neighbour] < 0:
                counter += 1
                order[neighbour] = low[neighbour] = counter
                stack.append((neighbour, edge, iter(adjacency[neighbour])))
                break
            low[node] = min(low[node], order[neighbour])
        else:
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    bridges.append(via)


# How far a hidden number can move.
#
# Raising a hidden number by one sends one more child round a cycle through
# it: on from its head and back to its tail. Every other hidden number can
# rise without limit and fall to zero, so it offers room forward without end
# and backward as far as its count. A hidden zero offers no room backward,
# and a cycle through two zeros facing opposite ways cannot move at all,
# which is why being on a cycle is not enough.

Residual = dict[int, dict[int, int]]


def _free_a_number(graph: _Graph) -> bool:
    for edge in _held_numbers(graph):
        path = _cheapest_release(graph, edge)
        if path:
            graph.hide(path)
            return True
    return False


def _held_numbers(graph: _Graph) -> Iterator[int]:
    """Give the hidden numbers that do not have the room they need.

    A small count must be able to rise to the threshold; any other hidden
    number must be able to move one way or the other.
    """
    for edge in range(len(graph.arcs)):
        if graph.hidden[edge] and not _has_room(graph, edge):
            yield edge


def _has_room(graph: _Graph, edge: int) -> bool:
    tail, head = graph.arcs[edge]
    count = graph.values[edge]
    if is_small(count, graph.threshold):
        need = graph.threshold - count
        return _push(_residual(graph, edge), head, tail, need) == need
    if _push(_residual(graph, edge), head, tail, 1):
        return True
    return count > 0 and bool(_push(_residual(graph, edge), tail, head, 1))


def _cheapest_release(graph: _Graph, edge: int) -> list[int] | None:
    """Find the cheapest cells to hide that give ``edge`` more room."""
    tail, head = graph.arcs[edge]
    count = graph.values[edge]
    small = is_small(count, graph.threshold)
    need = graph.threshold - count if small else 1

    rising = _residual(graph, edge)
    _push(rising, head, tail, need)
    paths = [_cheapest_path(head, tail, partial(_widening_steps, graph, rising))]
    if count > 0 and not small:
        falling = _residual(graph, edge)
        paths.append(
            _cheapest_path(tail, head, partial(_widening_steps, graph, falling))
        )

    found = [path for path in paths if path is not None]
    return min(found)[1] if found else None


def _residual(graph: _Graph, edge: int) -> Residual:
    unlimited = sum(graph.values) + graph.threshold
    residual: Residual = {node: {} for node in range(graph.nodes)}
    for other, (tail, head) in enumerate(graph.arcs):
        if graph.hidden[other] and other != edge:
            residual[tail][head] = unlimited
            residual[head][tail] = graph.values[other]
    return residual


def _push(residual: Residual, source: int, sink: int, need: int) -> int:
    """Send up to ``need`` along augmenting paths (Edmonds and Karp)."""
    sent = 0
    while sent < need:
        path = _augmenting_path(residual, source, sink)
        if path is None:
            break
        amount = min(need - sent, *(residual[u][v] for u, v in path))
        for u, v in path:
            residual[u][v] -= amount
            residual[v][u] = residual[v].get(u, 0) + amount
        sent += amount
    return sent


def _augmenting_path(
    residual: Residual, source: int, sink: int
) -> list[tuple[int, int]] | None:
    came_from = {source: source}
    queue = deque([source])
    while queue and sink not in came_from:
        node = queue.popleft()
        for neighbour, room in residual[node].items():
            if room > 0 and neighbour not in came_from:
                came_from[neighbour] = node
                queue.append(neighbour)
    if sink not in came_from:
        return None

    path = []
    node = sink
    while node != source:
        path.append((came_from[node], node))
        node = came_from[node]
    return path


def _widening_steps(graph: _Graph, residual: Residual, node: int) -> Iterator[Step]:
    # Room left by the flow already sent is free; a cell not yet hidden
    # offers room forward (it could be larger) and, unless it is zero,
    # backward (it could be smaller).
    for neighbour, room in residual[node].items():
        if room > 0:
            yield neighbour, None, FREE
    for edge in graph.incident[node]:
        tail, _ = graph.arcs[edge]
        if graph.can_hide(edge) and (node == tail or graph.values[edge] > 0):
            yield graph.other_end(edge, node), edge, graph.cost(edge)


# Paths.


def _cheapest_path(
    start: int, goal: int, steps: Callable[[int], Iterable[Step]]
) -> tuple[Cost, list[int]] | None:
    """Find the edges to hide on the cheapest path from start to goal.

    Dijkstra's method; ties go to the lower node, so the answer depends on
    the table alone.
    """
    best: dict[int, Cost] = {start: FREE}
    came_by: dict[int, tuple[int, int | None]] = {}
    queue: list[tuple[Cost, int]] = [(FREE, start)]

    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            return cost, _walk_back(came_by, start, goal)
        if cost > best[node]:
            continue
        for neighbour, edge, step in steps(node):
            total = (cost[0] + step[0], cost[1] + step[1], cost[2] + step[2])
            if neighbour not in best or total < best[neighbour]:
                best[neighbour] = total
                came_by[neighbour] = (node, edge)
                heapq.heappush(queue, (total, neighbour))
    return None


def _walk_back(
    came_by: dict[int, tuple[int, int | None]], start: int, goal: int
) -> list[int]:
    edges = []
    node = goal
    while node != start:
        node, edge = came_by[node]
        if edge is not None:
            edges.append(edge)
    return edges
