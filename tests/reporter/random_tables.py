"""Seeded random tables of counts: small, large and zero counts mixed."""

import random

from braid.reporter.tables import CountTable

from .factories import grid_table, line_table

SHAPES = [(1, 1), (1, 4), (1, 9), (4, 1), (9, 1), (2, 2), (2, 3), (3, 3), (5, 7)]


def random_count(
    rng: random.Random, small_share: float, zero_share: float = 0.15
) -> int:
    """Draw a zero, a small count or a large one."""
    draw = rng.random()
    if draw < zero_share:
        return 0
    if draw < zero_share + small_share * (1 - zero_share):
        return rng.randint(1, 10)
    return rng.choice([rng.randint(11, 25), rng.randint(26, 400)])


def random_line(rng: random.Random) -> CountTable:
    """Make a table of one dimension, its total the sum of its counts."""
    size = rng.randint(1, 9)
    small_share = rng.choice([0.1, 0.4, 0.8])
    return line_table([random_count(rng, small_share) for _ in range(size)])


def random_grid(rng: random.Random) -> CountTable:
    """Make a table of two dimensions whose totals are sums of its cells."""
    m, n = rng.choice([*SHAPES, (rng.randint(1, 6), rng.randint(1, 6))])
    small_share = rng.choice([0.1, 0.4, 0.8])
    # Mostly empty tables are where hidden zeros block each other.
    zero_share = rng.choice([0.15, 0.15, 0.5, 0.8])
    cells = [
        [random_count(rng, small_share, zero_share) for _ in range(n)] for _ in range(m)
    ]
    return grid_table(cells)


def random_children_table(rng: random.Random) -> CountTable:
    """Count synthetic children served by one or more organizations, by age.

    A child can be served by several organizations, so the column totals and
    the grand total count distinct children and are not sums of the rows.
    """
    people = random_people(rng)
    return count(people, "organization", "age-band")


Person = dict[str, set[int]]

DIMENSION_SIZES = {"organization": (1, 5), "age-band": (1, 4), "gender": (2, 3)}


def random_people(rng: random.Random) -> list[Person]:
    """Make synthetic children: some served by two organizations or three."""
    sizes = {name: rng.randint(*limits) for name, limits in DIMENSION_SIZES.items()}
    people = []
    for _ in range(rng.choice([5, 30, 120, 400])):
        served_by = rng.choice([1, 1, 1, 2, 3])
        people.append(
            {
                "organization": {
                    rng.randrange(sizes["organization"]) for _ in range(served_by)
                },
                "age-band": {rng.randrange(sizes["age-band"])},
                "gender": {rng.randrange(sizes["gender"])},
            }
        )
    return people


def tables_of_people(people: list[Person]) -> list[CountTable]:
    """Make the tables a report offers on the same children."""
    return [
        count(people, "organization"),
        count(people, "age-band"),
        count(people, "organization", "age-band"),
        count(people, "gender", "organization"),
        count(people, "age-band", "gender"),
    ]


def count(people: list[Person], rows: str, columns: str | None = None) -> CountTable:
    """Count distinct children by one dimension or two."""
    row_values = _values(people, rows)
    table = CountTable(
        row_dimension=rows,
        row_labels=[f"{rows} {v}" for v in row_values],
        row_totals=[_distinct(people, {rows: v}) for v in row_values],
        grand_total=len(people),
        rows_overlap=rows == "organization",
    )
    if columns is None:
        return table

    column_values = _values(people, columns)
    table.column_dimension = columns
    table.column_labels = [f"{columns} {v}" for v in column_values]
    table.column_totals = [_distinct(people, {columns: v}) for v in column_values]
    table.cells = [
        [_distinct(people, {rows: r, columns: c}) for c in column_values]
        for r in row_values
    ]
    table.columns_overlap = columns == "organization"
    return table


def _values(people: list[Person], dimension: str) -> list[int]:
    return sorted(set().union(*(person[dimension] for person in people)))


def _distinct(people: list[Person], where: dict[str, int]) -> int:
    return sum(
        all(value in person[name] for name, value in where.items()) for person in people
    )
