"""The children a day's reports count, reduced to what the reports tell apart.

A population lists, for each combination of values a child can have (its
programs, gender, age band, grade), how many children have exactly it. Every
number of every report of that day is a sum over these profiles, so they are
all that disclosure control needs to reason about, and they name no child.
"""

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import cycle, islice

from braid.reporter.tables import CountTable

# One set of values per attribute; a set of one where a child has one value.
Profile = tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Population:
    """Children counted by profile, with the dimensions reports offer on them.

    ``attributes`` are the dimensions each child has its own values of, in
    the order of a profile's sets. A dimension in ``parents`` is not one of
    them: it is read from an attribute through a mapping, as a program's
    organization is. ``values`` gives every dimension's values in the one
    fixed order that reports list them in and ties are broken by.
    """

    attributes: tuple[str, ...]
    values: Mapping[str, tuple[str, ...]]
    many: frozenset[str]
    children: Mapping[Profile, int]
    parents: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)

    @property
    def dimensions(self) -> list[str]:
        return list(self.values)

    def fingerprint(self) -> str:
        """Identify the population by everything suppression depends on."""
        digest = hashlib.sha256()
        for dimension, values in self.values.items():
            digest.update(repr((dimension, values, dimension in self.many)).encode())
        for dimension, (attribute, parent) in sorted(self.parents.items()):
            digest.update(repr((dimension, attribute, sorted(parent.items()))).encode())
        digest.update(repr(self.attributes).encode())
        for profile, count in sorted(
            (tuple(sorted(part) for part in profile), count)
            for profile, count in self.children.items()
        ):
            digest.update(repr((profile, count)).encode())
        return digest.hexdigest()


def population_of(table: CountTable) -> Population:
    """Make up children that give exactly ``table``'s numbers.

    Used to suppress a table that comes without the children behind it: any
    population that gives the same numbers proves the same things about
    them. Where a child can fall under several rows (or columns), the
    children of each column (or row) are dealt out over its cells in turn,
    which needs each total to lie between its largest count and their sum.
    """
    rows, columns = table.row_dimension, table.column_dimension
    values = {rows: tuple(table.row_labels)}
    many = {rows} if table.rows_overlap else set()
    if columns is None or not table.column_labels:
        children: list[Profile] = [
            (_labels(member, table.row_labels),)
            for member in _deal(table.row_totals, table.grand_total)
        ]
        return Population((rows,), values, frozenset(many), _tally(children))

    values[columns] = tuple(table.column_labels)
    many |= {columns} if table.columns_overlap else set()
    children = _two_way(table)
    population = Population((rows, columns), values, frozenset(many), _tally(children))
    _check_margins(population, table)
    return population


def _two_way(table: CountTable) -> list[Profile]:
    rows, columns = table.row_labels, table.column_labels
    if table.rows_overlap and table.columns_overlap:
        raise ValueError("Rows and columns cannot both overlap in a table alone.")
    if table.columns_overlap:
        return [
            (frozenset({rows[i]}), _labels(member, columns))
            for i, counts in enumerate(table.cells)
            for member in _deal(counts, table.row_totals[i])
        ]
    return [
        (_labels(member, rows), frozenset({columns[j]}))
        for j, counts in enumerate(zip(*table.cells, strict=True))
        for member in _deal(counts, table.column_totals[j])
    ]


def _deal(counts: Sequence[int], total: int) -> list[frozenset[int]]:
    """Give ``total`` children the lines ``counts`` says, each at least one."""
    if max(counts, default=0) > total or sum(counts) < total:
        raise ValueError("A total must lie between its largest count and their sum.")
    members: list[set[int]] = [set() for _ in range(total)]
    places = cycle(range(total))
    for index, count in enumerate(counts):
        for place in islice(places, count):
            members[place].add(index)
    return [frozenset(member) for member in members]


def _labels(member: frozenset[int], labels: Sequence[str]) -> frozenset[str]:
    return frozenset(labels[i] for i in member)


def _tally(profiles: Sequence[Profile]) -> dict[Profile, int]:
    counted: dict[Profile, int] = {}
    for profile in profiles:
        counted[profile] = counted.get(profile, 0) + 1
    return counted


def _check_margins(population: Population, table: CountTable) -> None:
    children = population.children
    for k, (labels, totals) in enumerate(
        [
            (table.row_labels, table.row_totals),
            (table.column_labels, table.column_totals),
        ]
    ):
        for label, total in zip(labels, totals, strict=True):
            if sum(n for p, n in children.items() if label in p[k]) != total:
                raise ValueError(f"No children give the total of {label!r}.")
    if sum(children.values()) != table.grand_total:
        raise ValueError("No children give the grand total.")
