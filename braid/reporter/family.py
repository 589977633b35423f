"""Every number of every count table of one day, each counted once.

The reports offer a table by any dimension and by any two. Many of their
numbers are the same number seen from another side: a program's total is
a row total in the table by program and gender and a column total in the
one by age band and program; an organization with one program has that
program's children, so its row by gender is the program's row by gender; an
organization's cell in its own program's column is the program's total. A
number is named here by the values it counts children under, reduced so that
numbers equal by the community's structure get one name:

- an organization with a single program stands for that program;
- an organization beside one of its own programs adds nothing to it;
- a dimension with a single value adds nothing to anything.

Suppression decides once for each name, and every table reads its numbers,
shown or hidden, from that one decision.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

from braid.reporter.population import Population, Profile
from braid.reporter.tables import CountTable

# The values a number counts children under, as sorted value ids; () counts
# every child.
Key = tuple[int, ...]

# A line of a table: its total's key, its members' keys, and whether a child
# can fall under more than one member (so the total is not their sum).
Line = tuple[Key, tuple[Key, ...], bool]


class Family:
    """The one- and two-way tables of a population, as one set of numbers."""

    def __init__(self, population: Population) -> None:
        self.population = population
        self.dimensions = population.dimensions
        self._value_id: dict[tuple[str, str], int] = {}
        self.dimension_of: list[str] = []
        for dimension in self.dimensions:
            for value in population.values[dimension]:
                self._value_id[(dimension, value)] = len(self.dimension_of)
                self.dimension_of.append(dimension)

        # Each value of an attribute, the value of a dimension read from it:
        # a program, its organization.
        self._parent = self._parents()
        self._canonical = self._canonical_values()
        self._keys_of: dict[Profile, frozenset[Key]] = {}
        self._values_of: dict[Profile, frozenset[int]] = {}
        self._canonical_of: dict[Profile, frozenset[int]] = {}
        self.counts = self._count()

    def value_id(self, dimension: str, value: str) -> int:
        return self._value_id[(dimension, value)]

    def key(self, values: Iterable[int]) -> Key:
        """Name the number counting children under all of ``values``."""
        found = {c for v in values if (c := self._canonical[v]) is not None}
        implied = {self._parent[v] for v in found if v in self._parent}
        return tuple(sorted(found - implied))

    def _parents(self) -> dict[int, int]:
        parents = {}
        for dimension, (attribute, parent_of) in self.population.parents.items():
            for value, parent in parent_of.items():
                child_id = self._value_id.get((attribute, value))
                parent_id = self._value_id.get((dimension, parent))
                if child_id is not None and parent_id is not None:
                    parents[child_id] = parent_id
        return parents

    def _canonical_values(self) -> list[int | None]:
        """Give each value the value it stands for in a key, None for none."""
        canonical: list[int | None] = list(range(len(self.dimension_of)))
        for dimension in self.dimensions:
            ids = self._ids(dimension)
            if len(ids) == 1:
                canonical[ids[0]] = None
        children: dict[int, list[int]] = {}
        for child, parent in self._parent.items():
            children.setdefault(parent, []).append(child)
        for parent, only in children.items():
            if len(only) == 1:
                canonical[parent] = canonical[only[0]]
        return canonical

    # Children.

    def values_of(self, profile: Profile) -> frozenset[int]:
        """Give the value ids of a profile's attributes and their parents."""
        found = self._values_of.get(profile)
        if found is None:
            ids = {
                self.value_id(attribute, value)
                for attribute, values in zip(
                    self.population.attributes, profile, strict=True
                )
                for value in values
            }
            ids |= {self._parent[v] for v in ids if v in self._parent}
            found = self._values_of[profile] = frozenset(ids)
        return found

    def keys_of(self, profile: Profile) -> frozenset[Key]:
        """Give the keys of every number a child of ``profile`` counts in."""
        found = self._keys_of.get(profile)
        if found is None:
            ids = sorted(self.values_of(profile))
            keys = {(), *(self.key([v]) for v in ids)}
            keys |= {
                self.key(pair)
                for pair in combinations(ids, 2)
                if self.dimension_of[pair[0]] != self.dimension_of[pair[1]]
            }
            found = self._keys_of[profile] = frozenset(keys)
        return found

    def contains(self, profile: Profile, key: Key) -> bool:
        """Tell whether a child of ``profile`` counts in the number ``key``."""
        found = self._canonical_of.get(profile)
        if found is None:
            canonical = {self._canonical[v] for v in self.values_of(profile)}
            found = self._canonical_of[profile] = frozenset(
                v for v in canonical if v is not None
            )
        return found.issuperset(key)

    def _count(self) -> dict[Key, int]:
        counts = dict.fromkeys(self._published(), 0)
        for profile, number in self.population.children.items():
            for key in self.keys_of(profile):
                counts[key] += number
        return counts

    def _published(self) -> list[Key]:
        keys: list[Key] = [()]
        for dimension in self.dimensions:
            keys += [self.key([v]) for v in self._ids(dimension)]
        for first, second in combinations(self.dimensions, 2):
            keys += [
                self.key([v, w]) for v in self._ids(first) for w in self._ids(second)
            ]
        return keys

    def _ids(self, dimension: str) -> list[int]:
        return [self.value_id(dimension, v) for v in self.population.values[dimension]]

    # Tables.

    @cached_property
    def lines(self) -> list[Line]:
        """Give every row and column of every table, each once."""
        found: dict[tuple[Key, tuple[Key, ...]], bool] = {}
        for dimension in self.dimensions:
            members = tuple(self.key([v]) for v in self._ids(dimension))
            found[((), members)] = dimension in self.population.many
        for rows in self.dimensions:
            for columns in self.dimensions:
                if rows == columns:
                    continue
                for v in self._ids(rows):
                    members = tuple(self.key([v, w]) for w in self._ids(columns))
                    found[(self.key([v]), members)] = columns in self.population.many
        return [
            (total, members, overlap) for (total, members), overlap in found.items()
        ]

    def table(
        self, dimensions: Sequence[str], label: Callable[[str, str], str]
    ) -> tuple[CountTable, "TableKeys"]:
        """Lay out the table by one dimension or two, and its numbers' keys."""
        rows = dimensions[0]
        row_ids = self._ids(rows)
        values = self.population.values
        table = CountTable(
            row_dimension=rows,
            row_labels=[label(rows, v) for v in values[rows]],
            row_totals=[self.counts[self.key([v])] for v in row_ids],
            grand_total=self.counts[()],
            rows_overlap=rows in self.population.many,
        )
        keys = TableKeys([self.key([v]) for v in row_ids])
        if len(dimensions) == 1:
            return table, keys

        columns = dimensions[1]
        column_ids = self._ids(columns)
        keys.columns = [self.key([w]) for w in column_ids]
        keys.cells = [[self.key([v, w]) for w in column_ids] for v in row_ids]
        table.column_dimension = columns
        table.column_labels = [label(columns, w) for w in values[columns]]
        table.column_totals = [self.counts[k] for k in keys.columns]
        table.cells = [[self.counts[k] for k in row] for row in keys.cells]
        table.columns_overlap = columns in self.population.many
        return table, keys


@dataclass
class TableKeys:
    """The key of each number of a laid-out table."""

    rows: list[Key]
    columns: list[Key] = field(default_factory=list)
    cells: list[list[Key]] = field(default_factory=list)
