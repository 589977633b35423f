"""The codes of every error and notice the roster reader gives."""

from enum import StrEnum


class Code(StrEnum):
    """What an ``Issue`` is about, stable across languages and releases."""

    # The file as a whole cannot be read.
    EMPTY_FILE = "empty_file"
    LEGACY_XLS = "legacy_xls"
    INVALID_XLSX = "invalid_xlsx"
    XLSX_TOO_LARGE = "xlsx_too_large"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    NOT_TEXT = "not_text"
    UNDECODABLE = "undecodable"
    MALFORMED_CSV = "malformed_csv"
    ONE_COLUMN = "one_column"
    NO_ROWS = "no_rows"

    # The columns do not give what a roster needs.
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    OVERRIDE_UNKNOWN_COLUMN = "override_unknown_column"
    OVERRIDE_AMBIGUOUS_COLUMN = "override_ambiguous_column"
    OVERRIDE_UNKNOWN_FIELD = "override_unknown_field"

    # The dates of birth, taken together.
    INVALID_DATE_FORMAT = "invalid_date_format"
    TWO_DIGIT_YEAR_FORMAT = "two_digit_year_format"
    AMBIGUOUS_DATES = "ambiguous_dates"
    CONFLICTING_DATE_FORMATS = "conflicting_date_formats"

    # One row, or one value in it.
    FIELD_COUNT = "field_count"
    MISSING_VALUE = "missing_value"
    REPLACEMENT_CHARACTER = "replacement_character"
    FORMULA_ERROR = "formula_error"
    TOO_LONG = "too_long"
    INVALID_DATE = "invalid_date"
    IMPOSSIBLE_DATE = "impossible_date"
    TWO_DIGIT_YEAR = "two_digit_year"
    FUTURE_DATE = "future_date"
    AFTER_AS_OF = "after_as_of"
    EARLY_DATE = "early_date"
    INVALID_GENDER = "invalid_gender"
    INVALID_GRADE = "invalid_grade"
    INVALID_ZIP = "invalid_zip"
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    DUPLICATE_ID = "duplicate_id"

    # Notices: the file was read, but a person should know this.
    CP1252 = "cp1252"
    DATE_FORMAT_INFERRED = "date_format_inferred"
    UNUSED_COLUMN = "unused_column"
    BLANK_HEADER = "blank_header"
    NUMERIC_IDS = "numeric_ids"
    DUPLICATE_ROW = "duplicate_row"
    SHARED_STATE_ID = "shared_state_id"
    NO_FIRST_NAME = "no_first_name"
    NO_LAST_NAME = "no_last_name"
    NO_BIRTH_DATE = "no_birth_date"
    ZIP_LEADING_ZERO = "zip_leading_zero"
