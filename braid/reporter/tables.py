"""A table of counts of distinct children, before and after suppression."""

from dataclasses import dataclass, field
from enum import StrEnum


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


class Status(StrEnum):
    """Whether a number is shown, and if not, why."""

    SHOWN = "shown"
    # A count from 1 to the threshold less one.
    SUPPRESSED = "suppressed"
    # A number hidden so that a suppressed count cannot be worked out.
    COMPLEMENTARY = "complementary"
    # Hidden with every other number of the day, when nothing less protects
    # the small counts: it says nothing of its size.
    WITHHELD = "withheld"

    @property
    def hidden(self) -> bool:
        return self is not Status.SHOWN


@dataclass
class SuppressedTable:
    """A ``CountTable`` and which of its numbers may not be shown."""

    table: CountTable
    threshold: int
    cell_status: list[list[Status]]
    row_total_status: list[Status]
    column_total_status: list[Status]
    grand_total_status: Status
    # Whether some table of the day hides a zero under the small-count
    # marker, which then reads "below the threshold", zero included.
    zeros_hidden: bool = False

    @property
    def cell_hidden(self) -> list[list[bool]]:
        return [[status.hidden for status in row] for row in self.cell_status]

    @property
    def row_total_hidden(self) -> list[bool]:
        return [status.hidden for status in self.row_total_status]

    @property
    def column_total_hidden(self) -> list[bool]:
        return [status.hidden for status in self.column_total_status]

    @property
    def grand_total_hidden(self) -> bool:
        return self.grand_total_status.hidden
