"""Tables and communities of counts made in code, from synthetic children."""

from collections.abc import Iterable, Mapping
from itertools import combinations

from braid.reporter.population import Population, Profile
from braid.reporter.suppression import Protection
from braid.reporter.tables import CountTable, SuppressedTable

from .audit import Structure

DIMENSIONS = ["organization", "program", "gender", "age-band", "grade"]

# Children alike: how many, their programs, gender, age band and grade.
Group = tuple[int, Iterable[str], str, str, str]


def community(groups: Iterable[Group], programs: Mapping[str, str]) -> Population:
    """Make a community from groups of children alike.

    ``programs`` gives each program's organization; a program named as its
    organization stands for children enrolled without a program.
    """
    children: dict[Profile, int] = {}
    found: dict[str, set[str]] = {d: set() for d in DIMENSIONS}
    for count, served, gender, age, grade in groups:
        if not count:
            continue
        profile = (
            frozenset(served),
            frozenset({gender}),
            frozenset({age}),
            frozenset({grade}),
        )
        children[profile] = children.get(profile, 0) + count
        found["program"] |= set(served)
        found["organization"] |= {programs[p] for p in served}
        found["gender"].add(gender)
        found["age-band"].add(age)
        found["grade"].add(grade)
    return Population(
        attributes=("program", "gender", "age-band", "grade"),
        values={d: tuple(sorted(found[d])) for d in DIMENSIONS},
        many=frozenset({"organization", "program"}),
        children=children,
        parents={
            "organization": (
                "program",
                {p: o for p, o in programs.items() if p in found["program"]},
            )
        },
    )


def structure_of(population: Population) -> Structure:
    """Say what a reader knows of a community besides its numbers."""
    return Structure(many=population.many, parents=population.parents)


def all_tables(protection: Protection) -> list[SuppressedTable]:
    """Lay out every table a reader can ask for: by each dimension, and by
    each two in both orders."""
    dimensions = protection.family.dimensions
    tables = [protection.table([d]) for d in dimensions]
    for first, second in combinations(dimensions, 2):
        tables.append(protection.table([first, second]))
        tables.append(protection.table([second, first]))
    return tables


def line_table(counts: list[int], dimension: str = "program") -> CountTable:
    """Make a table of one dimension whose total is the sum of ``counts``."""
    return CountTable(
        row_dimension=dimension,
        row_labels=[f"{dimension} {k}" for k in range(len(counts))],
        row_totals=list(counts),
        grand_total=sum(counts),
    )


def grid_table(
    cells: list[list[int]],
    rows: str = "organization",
    columns: str = "age-band",
) -> CountTable:
    """Make a table of two dimensions whose totals are sums of ``cells``."""
    m, n = len(cells), len(cells[0])
    return CountTable(
        row_dimension=rows,
        row_labels=[f"{rows} {i}" for i in range(m)],
        row_totals=[sum(row) for row in cells],
        grand_total=sum(map(sum, cells)),
        column_dimension=columns,
        column_labels=[f"{columns} {j}" for j in range(n)],
        cells=[list(row) for row in cells],
        column_totals=[sum(cells[i][j] for i in range(m)) for j in range(n)],
    )


def transposed(table: CountTable) -> CountTable:
    """Turn ``table`` on its side: rows become columns."""
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
