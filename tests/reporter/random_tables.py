"""Seeded random tables of counts: small, large and zero counts mixed."""

import random

from braid.reporter.tables import CountTable

SHAPES = [(1, 1), (1, 4), (1, 9), (4, 1), (9, 1), (2, 2), (2, 3), (3, 3), (5, 7)]


def random_count(rng: random.Random, small_share: float) -> int:
    """Draw a zero, a small count or a large one."""
    draw = rng.random()
    if draw < 0.15:
        return 0
    if draw < 0.15 + small_share:
        return rng.randint(1, 10)
    return rng.choice([rng.randint(11, 25), rng.randint(26, 400)])


def random_line(rng: random.Random) -> CountTable:
    """Make a table of one dimension, its total the sum of its counts."""
    size = rng.randint(1, 9)
    small_share = rng.choice([0.1, 0.4, 0.8])
    counts = [random_count(rng, small_share) for _ in range(size)]
    return CountTable(
        row_dimension="Program",
        row_labels=[f"P{k}" for k in range(size)],
        row_totals=counts,
        grand_total=sum(counts),
    )


def random_grid(rng: random.Random) -> CountTable:
    """Make a table of two dimensions whose totals are sums of its cells."""
    m, n = rng.choice([*SHAPES, (rng.randint(1, 6), rng.randint(1, 6))])
    small_share = rng.choice([0.1, 0.4, 0.8])
    cells = [[random_count(rng, small_share) for _ in range(n)] for _ in range(m)]
    return additive_table(cells)


def additive_table(cells: list[list[int]]) -> CountTable:
    """Make a table of two dimensions whose totals are sums of ``cells``."""
    m, n = len(cells), len(cells[0])
    return CountTable(
        row_dimension="Organization",
        row_labels=[f"O{i}" for i in range(m)],
        row_totals=[sum(row) for row in cells],
        grand_total=sum(map(sum, cells)),
        column_dimension="Age group",
        column_labels=[f"A{j}" for j in range(n)],
        cells=cells,
        column_totals=[sum(cells[i][j] for i in range(m)) for j in range(n)],
    )


def random_children_table(rng: random.Random) -> CountTable:
    """Count synthetic children served by one or more organizations, by age.

    A child can be served by several organizations, so the column totals and
    the grand total count distinct children and are not sums of the rows.
    """
    m, n = rng.randint(1, 5), rng.randint(1, 4)
    memberships = []
    for _ in range(rng.choice([5, 30, 120, 400])):
        served_by = {rng.randrange(m) for _ in range(rng.choice([1, 1, 1, 2, 3]))}
        memberships.append((served_by, rng.randrange(n)))

    def distinct(rows: range | list[int], columns: range | list[int]) -> int:
        return sum(
            1
            for served_by, age in memberships
            if age in columns and served_by.intersection(rows)
        )

    everyone, every_age = range(m), range(n)
    return CountTable(
        row_dimension="Organization",
        row_labels=[f"O{i}" for i in range(m)],
        row_totals=[distinct([i], every_age) for i in everyone],
        grand_total=distinct(everyone, every_age),
        column_dimension="Age group",
        column_labels=[f"A{j}" for j in range(n)],
        cells=[[distinct([i], [j]) for j in every_age] for i in everyone],
        column_totals=[distinct(everyone, [j]) for j in every_age],
        rows_overlap=True,
    )
