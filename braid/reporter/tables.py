"""A table of counts of distinct children, before and after suppression."""

from dataclasses import dataclass, field


@dataclass
class CountTable:
    """Distinct children by one dimension, or by two (rows by columns).

    With one dimension ``column_labels`` and ``cells`` are empty and the
    counts are in ``row_totals``. Totals count distinct children, so where a
    child can fall under several values (two organizations) they are not
    sums of the cells.
    """

    row_dimension: str
    row_labels: list[str]
    row_totals: list[int]
    grand_total: int
    column_dimension: str | None = None
    column_labels: list[str] = field(default_factory=list)
    cells: list[list[int]] = field(default_factory=list)  # [row][column]
    column_totals: list[int] = field(default_factory=list)
    # Whether a child can fall under more than one value of the dimension.
    rows_overlap: bool = False
    columns_overlap: bool = False


@dataclass
class SuppressedTable:
    """A ``CountTable`` and which of its numbers may not be shown."""

    table: CountTable
    threshold: int
    cell_hidden: list[list[bool]]
    row_total_hidden: list[bool]
    column_total_hidden: list[bool]
    grand_total_hidden: bool
