"""Tables of counts made in code, totals worked out from their cells."""

from braid.reporter.tables import CountTable


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
