"""Statistical disclosure control for every count table of one day at once.

A count from 1 to ``threshold - 1`` is suppressed: a primary suppression,
shown as ``<11``. Other numbers are hidden beside it, complementary
suppressions shown as ``—``, so that no hidden number can be worked out.

A reader may hold every table the reports offer for a day, by any dimension
and by any two, and combine them: totals shared between tables, an
organization whose only program is a row of another table, a program's
children all inside its organization's. So the decision is taken once, for
every number of every table together (see ``family``), and each table shows
what that one decision says: no number is shown in one table and hidden in
another.

A hidden number is protected when another community could have been served
that day that gives every number shown and fits every marker, each ``<11``
still a count from 1 to ``threshold - 1`` and each ``—`` still not, yet
differs in that number. Whatever a reader works out from the tables, by
sums, by bounds where children overlap, by the programs inside an
organization, or otherwise, holds in both communities alike, so nothing
tells them apart. Such a community is sought near the real one: two
children trade an attribute (a gender, an age band, a grade, a program), or
one child's attribute changes. A number still shown that the change would
move is hidden too, the cheapest change first: fewest totals, then fewest
cells, then fewest zeros, then fewest children hidden. Every hidden number
needs such a change, complements included.

In every line (a row or a column of any table) whose total is shown, the
hidden numbers also add up to at least the threshold: otherwise they would
be a small count between them.

Last resorts, rare outside communities of a few dozen children: where no
change of that kind exists, a zero may be hidden as ``<11``, which then
reads "below the threshold" on every table of the day; then a child may be
added or taken away, which hides the grand total; and where nothing works,
every number of the day is withheld under one marker. A day with fewer
children in all than the threshold hides every number, zeros too, since
even where the zeros fall says where those few children are.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, combinations

from braid.reporter.family import Family, Key
from braid.reporter.population import Population, Profile, population_of
from braid.reporter.tables import CountTable, Status, SuppressedTable

logger = logging.getLogger(__name__)

# Children changed: each pair puts a child of the second profile in place of
# one of the first; None on one side adds a child or takes one away.
Change = tuple[Profile | None, Profile | None]
Move = tuple[Change, ...]

# Children of a profile that a move may change, the attributes it may change
# in them, and the value they must take on if they are to enter the number
# sought (None for children already in it).
Source = tuple[Profile, frozenset[int], int | None]

# What a move costs in numbers that must be hidden: the grand total, other
# totals, cells, zeros among them, and the children in them.
Cost = tuple[int, int, int, int, int]
# A move that hides at most one more cell, not a zero, ends the search: few
# moves do better, and looking for them costs the most time.
GOOD_ENOUGH: Cost = (0, 0, 1, 0, 1 << 62)

# How many decisions are kept, by the population and threshold they are for.
CACHED_DECISIONS = 16


@dataclass
class Protection:
    """What every number of a day's tables shows, decided once for all."""

    family: Family
    threshold: int
    status: dict[Key, Status]
    # Whether a zero is hidden in some table, so that ``<11`` reads "below
    # the threshold", zero included.
    zeros_hidden: bool = False

    def table(
        self,
        dimensions: Sequence[str],
        label: Callable[[str, str], str] | None = None,
    ) -> SuppressedTable:
        """Lay out the table by one dimension or two as the decision says.

        ``label`` names a dimension's value for display; by default the
        value itself.
        """
        table, keys = self.family.table(dimensions, label or _as_is)
        status = self.status
        return SuppressedTable(
            table=table,
            threshold=self.threshold,
            cell_status=[[status[k] for k in row] for row in keys.cells],
            row_total_status=[status[k] for k in keys.rows],
            column_total_status=[status[k] for k in keys.columns],
            grand_total_status=status[()],
            zeros_hidden=self.zeros_hidden,
        )


def _as_is(dimension: str, value: str) -> str:
    return value


_decisions: OrderedDict[tuple[str, int], Protection] = OrderedDict()
_decisions_lock = threading.Lock()


def protect(population: Population, threshold: int) -> Protection:
    """Decide which numbers of all the population's tables are hidden.

    The decision depends on the population and the threshold alone, so it
    is kept and given again for the same children: every table a reader
    asks for that day comes from one decision.
    """
    if threshold < 1:
        raise ValueError(f"The threshold must be at least 1, not {threshold}.")
    cache_key = (population.fingerprint(), threshold)
    with _decisions_lock:
        if cache_key in _decisions:
            _decisions.move_to_end(cache_key)
            return _decisions[cache_key]

    family = Family(population)
    status, zeros = _Engine(family, threshold).run()
    protection = Protection(family, threshold, status, zeros)
    with _decisions_lock:
        _decisions[cache_key] = protection
        while len(_decisions) > CACHED_DECISIONS:
            _decisions.popitem(last=False)
    return protection


def suppress(table: CountTable, threshold: int) -> SuppressedTable:
    """Hide every number of a table that comes alone, without its children.

    The table and its margins are protected as a family of their own, from
    children made up to give its numbers (see ``population_of``).
    """
    _check(table, threshold)
    dimensions = [table.row_dimension]
    if table.column_dimension is not None and table.column_labels:
        dimensions.append(table.column_dimension)
    result = protect(population_of(table), threshold).table(dimensions)
    result.table = table
    return result


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

    counts = [*table.row_totals, *table.column_totals, table.grand_total]
    if any(count < 0 for count in chain(counts, *table.cells)):
        raise ValueError("Counts cannot be negative.")


class _Engine:
    """One run of the decision over a family of tables."""

    def __init__(self, family: Family, threshold: int) -> None:
        self.family = family
        self.threshold = threshold
        self.value = family.counts
        # Numbers marked ``<11``: the small counts, and any zero hidden
        # beside them; the other hidden numbers are marked ``—``.
        self.small = {k for k, v in self.value.items() if 0 < v < threshold}
        self.hidden = set(self.small)
        # Hidden numbers a move has been found for.
        self.free: set[Key] = set()
        # Whether a zero may be hidden, as a last resort; ``<11`` then reads
        # "below 11" on every table of the day, zero included.
        self.zeros = False
        # Totals first, then cells, each in the order of their values.
        self.rank = {k: n for n, k in enumerate(sorted(self.value, key=_key_order))}

        population = family.population
        self.attributes = population.attributes
        self.single = [a not in population.many for a in self.attributes]
        self.choices = [population.values[a] for a in self.attributes]
        place = [{v: n for n, v in enumerate(values)} for values in self.choices]
        self.profiles = sorted(
            population.children,
            key=lambda p: [
                sorted(place[i][v] for v in part) for i, part in enumerate(p)
            ],
        )
        size = len(self.attributes)
        self.near_masks = list(combinations(range(size), min(2, size)))
        self.far_masks = [
            mask for n in range(3, size + 1) for mask in combinations(range(size), n)
        ]
        self.groups = {
            mask: _grouped(self.profiles, mask)
            for mask in [*self.near_masks, *self.far_masks]
        }

    def run(self) -> tuple[dict[Key, Status], bool]:
        """Decide every number's status; tell whether zeros are hidden too."""
        total = self.value[()]
        if 0 < total < self.threshold:
            return dict.fromkeys(self.value, Status.SUPPRESSED), True

        while True:
            for key in sorted(self.hidden - self.free, key=self.rank.__getitem__):
                if key in self.free:
                    continue
                move = self._find(key)
                if move is None and not self.zeros:
                    self.zeros = True
                    move = self._find(key)
                if move is None:
                    return self._withheld(), True
                self._apply(move)
            if not self._cover_lines():
                break
        statuses = {
            k: (
                Status.SUPPRESSED
                if k in self.small
                else Status.COMPLEMENTARY
                if k in self.hidden
                else Status.SHOWN
            )
            for k in self.value
        }
        return statuses, self.zeros

    def _withheld(self) -> dict[Key, Status]:
        logger.warning(
            "No complementary suppression protects every count of a family of "
            "%s lines; hiding all of them.",
            len(self.family.lines),
        )
        # One marker for all: two would tell the small counts from the rest.
        return dict.fromkeys(self.value, Status.WITHHELD)

    # Lines.

    def _cover_lines(self) -> bool:
        """Hide more in each line whose hidden numbers add up too little.

        The smallest number still shown is hidden; where none is left but
        one equal to the total (an organization's count of its own program
        is that program's total), the total is hidden.
        """
        changed = False
        for total, members, _ in self.family.lines:
            if total in self.hidden:
                continue
            unique = set(members)
            hidden = [m for m in unique if m in self.hidden]
            if not hidden or sum(self.value[m] for m in hidden) >= self.threshold:
                continue
            shown = [
                m
                for m in unique
                if m not in self.hidden and m != total and self.value[m]
            ]
            if shown:
                # A number of exactly the threshold can only move up, its
                # marker being true, so it is the last choice.
                self.hidden.add(min(shown, key=self._line_choice))
            else:
                self.hidden.add(total)
            changed = True
        return changed

    def _line_choice(self, key: Key) -> tuple[bool, int, int]:
        value = self.value[key]
        return (value == self.threshold, value, self.rank[key])

    # Moves.

    def _find(self, target: Key) -> Move | None:
        """Find the cheapest move that changes ``target`` and nothing shown."""
        contains = self.family.contains
        carriers = {value: self._attribute_of(value) for value in target}
        # Children counted in the target can leave it by trading or changing
        # an attribute that puts them there; children missing one of its
        # values can enter it by taking that value.
        inside: list[Source] = [
            (p, frozenset(carriers.values()), None)
            for p in self.profiles
            if contains(p, target)
        ]
        near: list[Source] = []
        for profile in self.profiles:
            missing = [v for v in target if not contains(profile, (v,))]
            if len(missing) == 1:
                near.append((profile, frozenset({carriers[missing[0]]}), missing[0]))

        # Trades keep every total of an attribute, so they come first;
        # changing one child moves two totals, and adding a child all of
        # its own. The search stops at the first kind that gives a move
        # hiding no more totals, and otherwise takes the cheapest of all.
        sources = inside + near
        tiers: list[Callable[[], Iterator[Move]]] = [
            lambda: self._trades(inside, target, near=True),
            lambda: self._trades(near, target, near=True),
            lambda: self._trades(sources, target, near=False),
            lambda: self._changes(sources),
        ]
        if self.zeros:
            # Adding a child hides the grand total of every table, the
            # costliest move of all: only once zeros may be hidden as well.
            tiers.append(lambda: self._additions(p for p, _, _ in inside))
        if len(target) == 1 and self._is_attribute(target[0]):
            # A trade keeps every total of the attributes traded.
            del tiers[:3]
        best: tuple[Cost, Move] | None = None
        for tier in tiers:
            for move in tier():
                cost = self._cost(move, target)
                if cost is not None and (best is None or cost < best[0]):
                    best = (cost, move)
                    if cost <= GOOD_ENOUGH:
                        return move
            if best is not None and best[0][:2] == (0, 0):
                break
        return best[1] if best is not None else None

    def _is_attribute(self, value: int) -> bool:
        return self.family.dimension_of[value] in self.attributes

    def _attribute_of(self, value: int) -> int:
        dimension = self.family.dimension_of[value]
        if dimension in self.attributes:
            return self.attributes.index(dimension)
        source, _ = self.family.population.parents[dimension]
        return self.attributes.index(source)

    def _cost(self, move: Move, target: Key) -> Cost | None:
        """Say what hiding what ``move`` changes costs, if it may be made."""
        # Most moves do not move the target, or not the way it may go: tell
        # those from what the children alone say, before reckoning the rest.
        if not self._allowed(target, self._change_of(move, target)):
            return None
        delta = self._delta(move)

        grand = totals = cells = zeros = children = 0
        for key, change in delta.items():
            if not change:
                continue
            # A hidden number must stay what its marker says: a small count
            # for ``<11``; for a complement, or a number that would become
            # one, not a small count, and not a zero either, which a hidden
            # number never is.
            if not self._allowed(key, change):
                return None
            if key not in self.hidden:
                grand += not key
                totals += len(key) == 1
                cells += len(key) == 2
                zeros += not self.value[key]
                children += self.value[key]
        return (grand, totals, cells, zeros, children)

    def _change_of(self, move: Move, key: Key) -> int:
        contains = self.family.contains
        return sum(
            (new is not None and contains(new, key))
            - (old is not None and contains(old, key))
            for old, new in move
        )

    def _allowed(self, key: Key, change: int) -> bool:
        """Tell whether a number may change so, its marker still true.

        A ``<11`` stays below the threshold, and above zero unless zeros
        may be hidden; a ``—``, or a number shown that would become one,
        stays at the threshold or above. A zero shown may move only when
        zeros may be hidden: it becomes a ``<11``.
        """
        if not change:
            return False
        value = self.value[key]
        after = value + change
        if key in self.small or (value == 0 and key not in self.hidden):
            lowest = 0 if self.zeros else 1
            return (self.zeros or value > 0) and lowest <= after < self.threshold
        return after >= self.threshold

    def _delta(self, move: Move) -> dict[Key, int]:
        delta: dict[Key, int] = {}
        keys_of = self.family.keys_of
        for old, new in move:
            before = keys_of(old) if old is not None else frozenset()
            after = keys_of(new) if new is not None else frozenset()
            for key in after - before:
                delta[key] = delta.get(key, 0) + 1
            for key in before - after:
                delta[key] = delta.get(key, 0) - 1
        return delta

    def _apply(self, move: Move) -> None:
        for key, change in self._delta(move).items():
            if change:
                if not self.value[key]:
                    self.small.add(key)
                self.hidden.add(key)
                self.free.add(key)

    def _trades(
        self, sources: Sequence[Source], target: Key, near: bool
    ) -> Iterator[Move]:
        """Let a child of each source trade one of the attributes given.

        The partners are children who differ from the source only in a few
        attributes, one of them the attribute traded, so that few numbers
        change: two for near partners, three or more for the others.
        """
        contains = self.family.contains
        seen: set[tuple[Profile, Profile]] = set()
        for first, attributes, needed in sources:
            masks = self.near_masks if near else self.far_masks
            for mask in masks:
                if attributes.isdisjoint(mask):
                    continue
                for second in self.groups[mask][_signature(first, mask)]:
                    if second == first or (first, second) in seen:
                        continue
                    # A child entering the target takes the value it lacks
                    # from a partner outside it, or the partner leaves it.
                    if needed is not None and (
                        not contains(second, (needed,)) or contains(second, target)
                    ):
                        continue
                    seen.add((first, second))
                    for i in sorted(attributes):
                        yield from self._trades_between(first, second, i)

    def _trades_between(
        self, first: Profile, second: Profile, i: int
    ) -> Iterator[Move]:
        mine, theirs = first[i], second[i]
        if mine == theirs:
            return
        swapped = (_with(first, i, theirs), _with(second, i, mine))
        if swapped != (second, first):
            yield ((first, swapped[0]), (second, swapped[1]))
        if self.single[i]:
            return

        # Values iterate sorted: a set of strings iterates in an order that
        # changes from one process to the next, and ties go to the first.
        only_mine, only_theirs = sorted(mine - theirs), sorted(theirs - mine)
        for value in only_mine:
            if len(mine) > 1:
                yield (
                    (first, _with(first, i, mine - {value})),
                    (second, _with(second, i, theirs | {value})),
                )
            for other in only_theirs:
                if len(only_mine) > 1 or len(only_theirs) > 1:
                    yield (
                        (first, _with(first, i, mine - {value} | {other})),
                        (second, _with(second, i, theirs - {other} | {value})),
                    )
        for other in only_theirs:
            if len(theirs) > 1:
                yield (
                    (first, _with(first, i, mine | {other})),
                    (second, _with(second, i, theirs - {other})),
                )

    def _changes(self, sources: Sequence[Source]) -> Iterator[Move]:
        """Change one of the attributes given of one child of each source."""
        for profile, attributes, _ in sources:
            for i in sorted(attributes):
                mine = profile[i]
                others = [v for v in self.choices[i] if v not in mine]
                if self.single[i]:
                    for other in others:
                        yield ((profile, _with(profile, i, frozenset({other}))),)
                    continue
                for other in others:
                    yield ((profile, _with(profile, i, mine | {other})),)
                for value in sorted(mine):
                    if len(mine) > 1:
                        yield ((profile, _with(profile, i, mine - {value})),)
                    for other in others:
                        changed = mine - {value} | {other}
                        yield ((profile, _with(profile, i, changed)),)

    def _additions(self, sources: Iterable[Profile]) -> Iterator[Move]:
        """Add a child like one of the sources, or take one away."""
        for profile in sources:
            yield ((None, profile),)
            yield ((profile, None),)


def _key_order(key: Key) -> tuple[int, Key]:
    return (len(key), key)


def _with(profile: Profile, i: int, part: frozenset[str]) -> Profile:
    return (*profile[:i], part, *profile[i + 1 :])


def _signature(profile: Profile, mask: tuple[int, ...]) -> Profile:
    return tuple(part for i, part in enumerate(profile) if i not in mask)


def _grouped(
    profiles: Sequence[Profile], mask: tuple[int, ...]
) -> dict[Profile, list[Profile]]:
    groups: dict[Profile, list[Profile]] = {}
    for profile in profiles:
        groups.setdefault(_signature(profile, mask), []).append(profile)
    return groups
