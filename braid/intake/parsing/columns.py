"""Which column of a file holds which field: synonyms, overrides, checks."""

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from braid.intake.parsing.codes import Code
from braid.intake.parsing.types import IGNORE, REQUIRED_FIELDS, Field, Issue

# Headers people write for each field. Matching ignores case, spaces and
# punctuation, so "student_id", "StudentID" and "Student ID" are one entry.
# A plain "Email" or "Phone" is left out on purpose: it may be the child's.
SYNONYMS: Mapping[Field, tuple[str, ...]] = {
    Field.LOCAL_ID: (
        "Student ID",
        "ID",
        "Participant ID",
        "Local ID",
        "Local Student ID",
        "Student Number",
        "Student No",
        "Student #",
        "Pupil ID",
        "Child ID",
        "Youth ID",
        # Clubs call the children they serve members.
        "Member ID",
        "Member Number",
        "SIS ID",
        "Participant Number",
        "Personal ID",
        "Person ID",
        "Client ID",
    ),
    Field.STATE_ID: (
        "State ID",
        "State Student ID",
        "SSID",
        "State Student Identifier",
        "State Student Number",
        "Statewide ID",
        "Statewide Student ID",
    ),
    Field.FIRST_NAME: (
        "First Name",
        "Given Name",
        "Forename",
        "First",
        "FName",
        "Legal First Name",
    ),
    Field.MIDDLE_NAME: (
        "Middle Name",
        "Middle Initial",
        "Middle Names",
        "Middle",
        "MI",
        "Legal Middle Name",
    ),
    Field.LAST_NAME: (
        "Last Name",
        "Surname",
        "Family Name",
        "Last",
        "LName",
        "Legal Last Name",
    ),
    Field.SUFFIX: ("Suffix", "Name Suffix", "Generation Code", "Generational Suffix"),
    Field.BIRTH_DATE: (
        "Birthdate",
        "Birth Date",
        "Date of Birth",
        "DOB",
        "Birthday",
    ),
    Field.GENDER: ("Sex", "Gender", "Gender Code", "Sex Code"),
    Field.ADDRESS: (
        "Address",
        "Street Address",
        "Street",
        "Home Address",
        "Address Line 1",
        "Address 1",
    ),
    Field.ZIP_CODE: (
        "ZIP",
        "Zip Code",
        "ZIP+4",
        "Postal Code",
        "Postcode",
        "Home ZIP",
    ),
    Field.SCHOOL: ("School", "School Name", "Campus", "Campus Name"),
    Field.GRADE: ("Grade", "Grade Level", "Current Grade", "Gr"),
    Field.GUARDIAN_NAME: (
        "Guardian Name",
        "Parent Name",
        "Parent/Guardian Name",
        "Guardian",
        "Parent",
        "Parent/Guardian",
        "Parent 1 Name",
        "Guardian 1 Name",
        "Primary Guardian",
    ),
    Field.GUARDIAN_PHONE: (
        "Guardian Phone",
        "Parent Phone",
        "Parent/Guardian Phone",
        "Guardian Phone Number",
        "Parent Phone Number",
        "Parent 1 Phone",
        "Guardian 1 Phone",
    ),
    Field.GUARDIAN_EMAIL: (
        "Guardian Email",
        "Parent Email",
        "Parent/Guardian Email",
        "Guardian Email Address",
        "Parent Email Address",
        "Parent 1 Email",
        "Guardian 1 Email",
    ),
}

_LABELS: Mapping[Field, Promise] = {
    Field.LOCAL_ID: gettext_lazy("local ID"),
    Field.STATE_ID: gettext_lazy("state student ID"),
    Field.FIRST_NAME: gettext_lazy("first name"),
    Field.MIDDLE_NAME: gettext_lazy("middle name"),
    Field.LAST_NAME: gettext_lazy("last name"),
    Field.SUFFIX: gettext_lazy("suffix"),
    Field.BIRTH_DATE: gettext_lazy("date of birth"),
    Field.GENDER: gettext_lazy("gender"),
    Field.ADDRESS: gettext_lazy("address"),
    Field.ZIP_CODE: gettext_lazy("ZIP code"),
    Field.SCHOOL: gettext_lazy("school"),
    Field.GRADE: gettext_lazy("grade"),
    Field.GUARDIAN_NAME: gettext_lazy("guardian name"),
    Field.GUARDIAN_PHONE: gettext_lazy("guardian phone"),
    Field.GUARDIAN_EMAIL: gettext_lazy("guardian email"),
}

# Words that often start a header without changing its meaning, as in
# "CHILD_FIRST_NAME" or "Student Gender".
_PREFIXES = ("student", "child", "pupil", "participant", "learner", "youth")

_HEADERS_SHOWN = 40

_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


def field_label(field: Field) -> str:
    """Return the field's name as a person reads it, in the active language."""
    return str(_LABELS[field])


def header_key(header: str) -> str:
    """Return the form under which two headers are the same header."""
    text = unicodedata.normalize("NFC", header).casefold().replace("#", "number")
    return _NOT_ALPHANUMERIC.sub("", text)


_FIELD_BY_KEY: Mapping[str, Field] = {
    header_key(synonym): field
    for field, synonyms in SYNONYMS.items()
    for synonym in synonyms
}


def match_header(header: str) -> Field | None:
    """Return the field a header names, if it is one Braid knows."""
    key = header_key(header)
    bare = header_key(_PARENTHESES.sub(" ", header))
    for candidate in (key, bare):
        if candidate in _FIELD_BY_KEY:
            return _FIELD_BY_KEY[candidate]
        for prefix in _PREFIXES:
            rest = candidate.removeprefix(prefix)
            if rest != candidate and rest in _FIELD_BY_KEY:
                return _FIELD_BY_KEY[rest]
    return None


def suggest_mapping(headers: Iterable[str]) -> dict[str, Field]:
    """Return the field each recognised header seems to hold."""
    suggestions: dict[str, Field] = {}
    for header in headers:
        field = match_header(header)
        if field is not None:
            suggestions[header] = field
    return suggestions


@dataclass
class ColumnPlan:
    """Which column index holds which field, and what is wrong with that."""

    fields: dict[int, Field] = field(default_factory=dict)
    mapping: dict[str, Field] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    notices: list[Issue] = field(default_factory=list)

    def column(self, wanted: Field) -> str | None:
        """Return the header of the column that holds ``wanted``."""
        return next((h for h, field in self.mapping.items() if field == wanted), None)


def plan_columns(
    headers: Sequence[str], overrides: Mapping[str, str] | None = None
) -> ColumnPlan:
    """Decide which column holds which field.

    An override names a header (compared as synonyms are, without case,
    spaces or punctuation) and wins over the synonyms: a column it assigns
    to a field takes that field from any column the synonyms gave it to.
    """
    plan = ColumnPlan()
    chosen = _check_overrides(headers, overrides or {}, plan)
    overridden = {field for field in chosen.values() if isinstance(field, Field)}

    for index, header in enumerate(headers):
        if header in chosen:
            _use_override(plan, index, header, chosen[header])
        elif not header.strip():
            _note_blank_header(plan, index)
        else:
            _use_synonym(plan, index, header, overridden)

    duplicated = _check_duplicates(plan, headers)
    _check_required(plan, headers, duplicated)
    return plan


def _check_overrides(
    headers: Sequence[str], overrides: Mapping[str, str], plan: ColumnPlan
) -> dict[str, Field | str]:
    chosen: dict[str, Field | str] = {}
    for given, value in overrides.items():
        header = _find_header(given, headers, plan)
        if header is None:
            continue
        if value == IGNORE:
            chosen[header] = IGNORE
        elif value in set(Field):
            chosen[header] = Field(value)
        else:
            plan.errors.append(_unknown_override_field(header, value))
    return chosen


def _find_header(given: str, headers: Sequence[str], plan: ColumnPlan) -> str | None:
    """Return the header an override names, as header detection compares them.

    A header written exactly as in the file wins; otherwise case, spaces,
    punctuation and invisible characters do not count, as a person typing
    ``--map "kid number=local_id"`` expects.
    """
    if given in headers:
        return given
    key = header_key(given)
    found = list(dict.fromkeys(h for h in headers if key and header_key(h) == key))
    if len(found) == 1:
        return found[0]
    if found:
        plan.errors.append(_ambiguous_override_column(given, found))
    else:
        plan.errors.append(_unknown_override_column(given, headers))
    return None


def _ambiguous_override_column(given: str, found: Sequence[str]) -> Issue:
    message = _(
        "The column mapping names a column “%(header)s”, which could be any of "
        "%(columns)s. Write the header exactly as it is in the file."
    ) % {"header": given, "columns": _quoted(found)}
    return Issue(Code.OVERRIDE_AMBIGUOUS_COLUMN, message)


def _unknown_override_column(header: str, headers: Sequence[str]) -> Issue:
    message = _(
        "The column mapping names a column “%(header)s” that is not in the "
        "file. The file's headers are: %(headers)s."
    ) % {"header": header, "headers": _listed(headers)}
    return Issue(Code.OVERRIDE_UNKNOWN_COLUMN, message)


def _unknown_override_field(header: str, value: str) -> Issue:
    message = _(
        "The column mapping gives “%(value)s”, which is not a field Braid "
        "reads. Use one of: %(fields)s, or %(ignore)s to leave the column out."
    ) % {
        "value": value,
        "fields": ", ".join(field.value for field in Field),
        "ignore": IGNORE,
    }
    return Issue(Code.OVERRIDE_UNKNOWN_FIELD, message, column=header)


def _use_override(
    plan: ColumnPlan, index: int, header: str, value: Field | str
) -> None:
    if isinstance(value, Field):
        plan.fields[index] = value
        plan.mapping[header] = value
    else:
        plan.unused.append(header)


def _use_synonym(
    plan: ColumnPlan, index: int, header: str, overridden: set[Field]
) -> None:
    field = match_header(header)
    if field is not None and field not in overridden:
        plan.fields[index] = field
        plan.mapping[header] = field
        return

    if field is None:
        message = _(
            "This column matches no field Braid reads, so its values are not "
            "used. Map it to a field if it holds one."
        )
    else:
        message = _(
            "This column is not read: the column mapping chose another column "
            "for the %(field)s."
        ) % {"field": field_label(field)}
    plan.unused.append(header)
    plan.notices.append(Issue(Code.UNUSED_COLUMN, message, column=header))


def _note_blank_header(plan: ColumnPlan, index: int) -> None:
    message = _("Column %(number)s has no header, so its values are not read.") % {
        "number": index + 1
    }
    plan.notices.append(Issue(Code.BLANK_HEADER, message))


def _check_duplicates(plan: ColumnPlan, headers: Sequence[str]) -> set[Field]:
    """Report each field held by several columns, and read none of them."""
    by_field: dict[Field, list[int]] = {}
    for index, held in plan.fields.items():
        by_field.setdefault(held, []).append(index)
    duplicated = {held for held, indexes in by_field.items() if len(indexes) > 1}

    for held, indexes in by_field.items():
        if held not in duplicated:
            continue
        message = _(
            "More than one column holds the %(field)s: %(columns)s. Map all but "
            "one of them to another field, or leave them out."
        ) % {
            "field": field_label(held),
            "columns": _quoted(headers[index] for index in indexes),
        }
        plan.errors.append(Issue(Code.DUPLICATE_COLUMN, message))
        for index in indexes:
            del plan.fields[index]
            plan.mapping.pop(headers[index], None)
    return duplicated


def _check_required(
    plan: ColumnPlan, headers: Sequence[str], duplicated: set[Field]
) -> None:
    present = set(plan.fields.values()) | duplicated
    for required in REQUIRED_FIELDS:
        if required in present:
            continue
        message = _(
            "No column holds the %(field)s, which every roster needs. Name its "
            "column as one of %(synonyms)s, or map it. The file's headers are: "
            "%(headers)s."
        ) % {
            "field": field_label(required),
            "synonyms": _quoted(SYNONYMS[required][:4]),
            "headers": _listed(headers),
        }
        plan.errors.append(Issue(Code.MISSING_COLUMN, message))


def _listed(headers: Sequence[str]) -> str:
    """Quote the headers, up to as many as a message can usefully show."""
    shown = _quoted(headers[:_HEADERS_SHOWN])
    if len(headers) <= _HEADERS_SHOWN:
        return shown
    more = _("and %(count)s more") % {"count": len(headers) - _HEADERS_SHOWN}
    return f"{shown} {more}"


def _quoted(values: Iterable[str]) -> str:
    return ", ".join(f"“{value}”" for value in values)
