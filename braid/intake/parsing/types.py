"""What reading a roster produces, shared by the parser and the importer."""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum


class Field(StrEnum):
    """A roster column Braid understands, named as on ``SourceRecord``."""

    LOCAL_ID = "local_id"
    STATE_ID = "state_id"
    FIRST_NAME = "first_name"
    MIDDLE_NAME = "middle_name"
    LAST_NAME = "last_name"
    SUFFIX = "suffix"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    ADDRESS = "address"
    ZIP_CODE = "zip_code"
    SCHOOL = "school"
    GRADE = "grade"
    GUARDIAN_NAME = "guardian_name"
    GUARDIAN_PHONE = "guardian_phone"
    GUARDIAN_EMAIL = "guardian_email"


# The columns every roster must have.
REQUIRED_FIELDS = (Field.LOCAL_ID, Field.FIRST_NAME, Field.LAST_NAME, Field.BIRTH_DATE)

# Required columns whose value a row may leave blank. Real rosters lack a
# given name or a date of birth here and there; refusing the whole file for
# that helps nobody, and the child can still be linked on the other fields.
# A row still needs one of the two names, or nothing says who it is.
MAY_BE_BLANK = (Field.FIRST_NAME, Field.LAST_NAME, Field.BIRTH_DATE)

# A mapping override that tells the reader to leave a column out.
IGNORE = "ignore"


@dataclass(frozen=True)
class Issue:
    """A problem or a notice about a file, a column or a row.

    ``line`` counts lines as in the file, the header being line 1; ``column``
    is the header as written in the file. Personal values in ``message`` are
    masked.
    """

    code: str
    message: str
    line: int | None = None
    column: str | None = None
    lines: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
        }
        if self.lines:
            data["lines"] = list(self.lines)
        return data


@dataclass
class Row:
    """One child's row, clean: text trimmed, dates as dates, codes normalized.

    Every ``Field`` is present in ``values``; an absent or empty value is "",
    except ``birth_date``, which is a ``datetime.date`` or, when not given,
    None.
    """

    line: int
    values: dict[Field, "str | datetime.date | None"]


@dataclass
class ParsedRoster:
    """Everything learnt from one file, before it is compared with the data."""

    filename: str
    encoding: str  # "utf-8", "utf-8-sig", "cp1252" or "xlsx"
    delimiter: str | None  # None for XLSX
    headers: list[str]  # as written in the file
    mapping: dict[str, Field]  # header -> field, for the columns in use
    unused_columns: list[str]
    date_format: str | None  # the strptime format used for text dates, if one was
    rows: list[Row] = field(default_factory=list)  # the valid rows, duplicates dropped
    errors: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)
    row_count: int = 0  # data rows in the file, blank ones left out

    @property
    def ok(self) -> bool:
        return not self.errors
