"""Turn one cell into the text Braid keeps, or say why it cannot be kept.

Each ``normalize_*`` function takes text already cleaned with ``clean_text``
and returns the value to keep, or raises ``Invalid`` with a message in which
the value is masked.
"""

import datetime
import re
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from braid.children.normalize import clean_text, mask
from braid.intake.parsing.codes import Code
from braid.intake.parsing.files import Cell, FormulaError
from braid.intake.parsing.types import Field

# The codes of ``braid.children.models.Gender``, repeated here so that the
# reader can be used before Django has loaded the models; a test keeps the
# two the same.
FEMALE, MALE, NONBINARY, UNKNOWN = "F", "M", "X", "U"

# The longest value each text field of ``SourceRecord`` holds; a test keeps
# these the same as the model's.
MAX_LENGTHS: Mapping[Field, int] = {
    Field.LOCAL_ID: 64,
    Field.STATE_ID: 64,
    Field.FIRST_NAME: 100,
    Field.MIDDLE_NAME: 100,
    Field.LAST_NAME: 100,
    Field.SUFFIX: 20,
    Field.ADDRESS: 300,
    Field.ZIP_CODE: 10,
    Field.SCHOOL: 200,
    Field.GRADE: 4,
    Field.GUARDIAN_NAME: 200,
    Field.GUARDIAN_PHONE: 40,
    Field.GUARDIAN_EMAIL: 254,
}

_GENDERS: Mapping[str, str] = {
    **dict.fromkeys(
        ("f", "female", "girl", "w", "woman", "femenino", "mujer", "niña"), FEMALE
    ),
    **dict.fromkeys(("m", "male", "boy", "man", "masculino", "hombre", "niño"), MALE),
    **dict.fromkeys(("x", "nonbinary", "nb", "other", "nobinario", "otro"), NONBINARY),
    **dict.fromkeys(
        (
            "u",
            "",
            "unknown",
            "notreported",
            "declined",
            "declinedtostate",
            "declinedtoanswer",
            "prefernottosay",
            "prefernottoanswer",
            "notspecified",
            "unspecified",
            "notstated",
            "na",
            "desconocido",
        ),
        UNKNOWN,
    ),
}

_GRADE_WORDS: Mapping[str, str] = {
    **dict.fromkeys(
        ("pk", "prek", "prekindergarten", "preschool", "preschoolprekindergarten"),
        "PK",
    ),
    **dict.fromkeys(("tk", "transitionalk", "transitionalkindergarten"), "TK"),
    **dict.fromkeys(("k", "kg", "kinder", "kindergarten"), "K"),
}
_ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
]
# "3.0" is a whole number written by a spreadsheet; "1.5" or "1-2" is not a
# grade, and must not become 15 or 12 once punctuation is dropped.
_WHOLE_NUMBER = re.compile(r"^\s*(\d+)\.0+\s*$")
_SPLIT_NUMBER = re.compile(r"\d[\W_]+\d")
_GRADE_NUMBER = re.compile(r"0*(\d{1,2})(?:st|nd|rd|th)?")

_ZIP = re.compile(r"(\d{5})(?:[- ]?(\d{4}))?")
_FOUR_DIGITS = re.compile(r"[0-9]{4}")
_PHONE_EXTENSION = re.compile(r"(?:x|ext\.?|extension)\s*\d+\s*$", re.IGNORECASE)
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


class Invalid(Exception):
    """A value that cannot be kept; ``message`` masks the value."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def cell_text(cell: Cell) -> str:
    """Return a cell as cleaned text: whole numbers without ".0", ISO dates."""
    if cell is None:
        return ""
    if isinstance(cell, FormulaError):
        raise formula_problem(cell)
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime.datetime) and cell.time() == datetime.time():
        return cell.date().isoformat()
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return clean_text(str(cell))


def formula_problem(cell: FormulaError) -> Invalid:
    message = _("The cell holds a failed formula (%(error)s) instead of a value.") % {
        "error": cell.text
    }
    return Invalid(Code.FORMULA_ERROR, message)


def zip_from_number(number: int | float) -> str:
    """Return a ZIP code a spreadsheet kept as a number, its zeros restored.

    A number cannot start with zero, so 2134 is what 02134 becomes when a
    column is not formatted as text.
    """
    digits = str(int(number))
    if len(digits) <= 5:
        return digits.zfill(5)
    if len(digits) <= 9:
        digits = digits.zfill(9)
        return f"{digits[:5]}-{digits[5:]}"
    return digits


def normalize_gender(value: str) -> str:
    key = _NOT_ALPHANUMERIC.sub("", value.casefold())
    if key in _GENDERS:
        return _GENDERS[key]
    message = _(
        "“%(value)s” is not a gender Braid reads. Use F (female), M (male), "
        "X (nonbinary) or U (not reported), or a word such as Female, Boy, "
        "Non-binary or Unknown."
    ) % {"value": mask(value)}
    raise Invalid(Code.INVALID_GENDER, message)


def normalize_grade(value: str) -> str:
    text = _WHOLE_NUMBER.sub(r"\1", value)
    if _SPLIT_NUMBER.search(text):
        raise _invalid_grade(value)

    key = _grade_key(text)
    if not key:
        return ""
    if key in _GRADE_WORDS:
        return _GRADE_WORDS[key]
    if key in _ORDINALS:
        return str(_ORDINALS.index(key) + 1)

    number = _GRADE_NUMBER.fullmatch(key)
    if number and int(number[1]) <= 12:
        return str(int(number[1])) if int(number[1]) else "K"
    raise _invalid_grade(value)


def _invalid_grade(value: str) -> Invalid:
    message = _(
        "“%(value)s” is not a grade Braid reads. Use PK, TK, K or 1 to 12; "
        "forms such as Pre-K, Kindergarten, 03, 3rd or Grade 3 work too."
    ) % {"value": mask(value)}
    return Invalid(Code.INVALID_GRADE, message)


def _grade_key(value: str) -> str:
    """Return the grade without case, punctuation or the word "grade"."""
    key = _NOT_ALPHANUMERIC.sub("", value.casefold())
    for word in ("grade", "gr"):
        if key.startswith(word) and key != word:
            return key.removeprefix(word)
    if key.endswith("grade") and key != "grade":
        return key.removesuffix("grade")
    return key


def normalize_zip(value: str) -> str:
    match = _ZIP.fullmatch(value)
    if not value:
        return ""
    if match:
        return match[1] if match[2] is None else f"{match[1]}-{match[2]}"
    if lost_leading_zero(value):
        return "0" + value

    message = _(
        "“%(value)s” is not a ZIP code. Use 5 digits (12345) or ZIP+4 (12345-6789)."
    ) % {"value": mask(value)}
    raise Invalid(Code.INVALID_ZIP, message)


def lost_leading_zero(value: str) -> bool:
    """Tell whether a ZIP code is one whose leading zero a spreadsheet dropped.

    Spreadsheets read 02134 as the number 2134 and export it so; no ZIP code
    has four digits, so the zero is the only reading.
    """
    return _FOUR_DIGITS.fullmatch(value) is not None


def normalize_email(value: str) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        message = _("“%(value)s” is not an email address.") % {"value": mask(value)}
        raise Invalid(Code.INVALID_EMAIL, message) from None
    return value


def normalize_phone(value: str) -> str:
    """Keep a phone number as written unless it is clearly not one.

    Formats differ by country and by habit, so only letters (outside an
    extension such as "x12") or the lack of any digit make it invalid.
    """
    number = _PHONE_EXTENSION.sub("", value)
    if not value:
        return ""
    if any(character.isdigit() for character in number) and not any(
        character.isalpha() for character in number
    ):
        return value
    message = _("“%(value)s” is not a phone number: it has letters or no digits.") % {
        "value": mask(value)
    }
    raise Invalid(Code.INVALID_PHONE, message)


def check_length(field: Field, value: str) -> None:
    limit = MAX_LENGTHS.get(field)
    if limit is None or len(value) <= limit:
        return
    message = _("The value is %(length)s characters long; at most %(limit)s fit.") % {
        "length": len(value),
        "limit": limit,
    }
    raise Invalid(Code.TOO_LONG, message)
