"""Read roster files (CSV or XLSX) into checked rows, without the database.

``read_roster`` is the whole job; ``suggest_mapping``, ``SYNONYMS`` and
``field_label`` let a page show which column was taken for which field
before the person confirms or changes it.
"""

from braid.intake.parsing.codes import Code
from braid.intake.parsing.columns import SYNONYMS, field_label, suggest_mapping
from braid.intake.parsing.roster import read_roster
from braid.intake.parsing.types import (
    IGNORE,
    MAY_BE_BLANK,
    REQUIRED_FIELDS,
    Field,
    Issue,
    ParsedRoster,
    Row,
)

__all__ = [
    "IGNORE",
    "MAY_BE_BLANK",
    "REQUIRED_FIELDS",
    "SYNONYMS",
    "Code",
    "Field",
    "Issue",
    "ParsedRoster",
    "Row",
    "field_label",
    "read_roster",
    "suggest_mapping",
]
