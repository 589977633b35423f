"""Counting distinct children served, by the dimensions reports offer.

A child's own attributes (gender, age, grade) are taken from the most
recently updated of the records that place the child in the report, so that
each child has exactly one value and counts once in a total. Organization and
program are where the child is served: a child can be under several.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from braid.children.models import Gender
from braid.records.models import Enrollment
from braid.reporter.tables import CountTable

GRADE_ORDER = ["PK", "TK", "K", *[str(n) for n in range(1, 13)]]
# Census-style bands that also follow the school stages.
AGE_BANDS = [(0, 4), (5, 9), (10, 14), (15, 17), (18, None)]


@dataclass(frozen=True)
class Dimension:
    slug: str
    label: object  # a lazy translatable string, for a column heading
    noun: object  # the same in the middle of a sentence
    overlaps: bool  # whether a child can be under several values


DIMENSIONS = {
    d.slug: d
    for d in [
        Dimension(
            "organization",
            gettext_lazy("Organization"),
            gettext_lazy("organization"),
            overlaps=True,
        ),
        Dimension(
            "program", gettext_lazy("Program"), gettext_lazy("program"), overlaps=True
        ),
        Dimension(
            "gender", gettext_lazy("Gender"), gettext_lazy("gender"), overlaps=False
        ),
        Dimension(
            "age-band",
            gettext_lazy("Age band"),
            gettext_lazy("age band"),
            overlaps=False,
        ),
        Dimension(
            "grade", gettext_lazy("Grade"), gettext_lazy("grade"), overlaps=False
        ),
    ]
}


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is for the user."""


@dataclass
class ChildFacts:
    organizations: set[str]
    programs: set[str]
    gender: str
    birth_date: date
    grade: str
    updated_at: datetime


def parse_dimensions(value: str) -> list[Dimension]:
    slugs = [part.strip() for part in value.split(",") if part.strip()]
    if not 1 <= len(slugs) <= 2:
        raise ReportError(_("Give one dimension or two, separated by a comma."))
    unknown = [slug for slug in slugs if slug not in DIMENSIONS]
    if unknown:
        raise ReportError(
            _("Unknown dimension %(name)s; use %(known)s.")
            % {"name": unknown[0], "known": ", ".join(DIMENSIONS)}
        )
    if len(set(slugs)) != len(slugs):
        raise ReportError(_("Give two different dimensions."))
    return [DIMENSIONS[slug] for slug in slugs]


def count_children(dimensions: Sequence[Dimension], on: date) -> CountTable:
    """Count the distinct children served on a day, by one dimension or two."""
    facts = _facts(on)
    values = [_values_of(dimension, on) for dimension in dimensions]
    row_of = values[0]

    row_sets: dict[str, set[int]] = defaultdict(set)
    for child_id, fact in facts.items():
        for label in row_of(fact):
            row_sets[label].add(child_id)
    row_labels = _ordered(dimensions[0], row_sets)

    table = CountTable(
        row_dimension=dimensions[0].slug,
        row_labels=row_labels,
        row_totals=[len(row_sets[label]) for label in row_labels],
        grand_total=len(facts),
        rows_overlap=dimensions[0].overlaps,
    )
    if len(dimensions) == 2:
        _add_columns(table, dimensions[1], values[1], facts, row_of)
    return table


def _add_columns(
    table: CountTable,
    dimension: Dimension,
    column_of: Callable[[ChildFacts], set[str]],
    facts: dict[int, ChildFacts],
    row_of: Callable[[ChildFacts], set[str]],
) -> None:
    column_sets: dict[str, set[int]] = defaultdict(set)
    cell_sets: dict[tuple[str, str], set[int]] = defaultdict(set)
    for child_id, fact in facts.items():
        columns = column_of(fact)
        for column in columns:
            column_sets[column].add(child_id)
            for row in row_of(fact):
                cell_sets[(row, column)].add(child_id)

    table.column_dimension = dimension.slug
    table.columns_overlap = dimension.overlaps
    table.column_labels = _ordered(dimension, column_sets)
    table.column_totals = [len(column_sets[label]) for label in table.column_labels]
    table.cells = [
        [len(cell_sets[(row, column)]) for column in table.column_labels]
        for row in table.row_labels
    ]


def _facts(on: date) -> dict[int, ChildFacts]:
    served = Enrollment.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gt=on), start_date__lte=on
    ).values_list(
        "source_record__child_id",
        "organization__name",
        "program__name",
        "source_record__gender",
        "source_record__birth_date",
        "source_record__grade",
        "source_record__updated_at",
    )

    facts: dict[int, ChildFacts] = {}
    for (
        child_id,
        organization,
        program,
        gender,
        born,
        grade,
        updated,
    ) in served.iterator(chunk_size=5000):
        program_label = f"{organization}: {program}" if program else organization
        fact = facts.get(child_id)
        if fact is None:
            fact = facts[child_id] = ChildFacts(
                set(), set(), gender, born, grade, updated
            )
        elif updated > fact.updated_at:
            fact.gender, fact.birth_date, fact.updated_at = gender, born, updated
            fact.grade = grade or fact.grade
        fact.organizations.add(organization)
        fact.programs.add(program_label)
    return facts


def _values_of(dimension: Dimension, on: date) -> Callable[[ChildFacts], set[str]]:
    if dimension.slug == "organization":
        return lambda fact: fact.organizations
    if dimension.slug == "program":
        return lambda fact: fact.programs
    if dimension.slug == "gender":
        labels = dict(Gender.choices)
        return lambda fact: {str(labels.get(fact.gender, labels[Gender.UNKNOWN]))}
    if dimension.slug == "age-band":
        return lambda fact: {age_band(fact.birth_date, on)}
    return lambda fact: {fact.grade or str(_("Not reported"))}


def age_band(born: date, on: date) -> str:
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if high is None and age >= low:
            return f"{low}+"
        if high is not None and low <= age <= high:
            return f"{low}–{high}"
    return f"{AGE_BANDS[0][0]}–{AGE_BANDS[0][1]}"


def _ordered(dimension: Dimension, found: dict[str, set[int]]) -> list[str]:
    labels = list(found)
    if dimension.slug == "gender":
        order = [str(label) for _, label in Gender.choices]
        return sorted(labels, key=lambda label: order.index(label))
    if dimension.slug == "age-band":
        order = [f"{low}–{high}" if high else f"{low}+" for low, high in AGE_BANDS]
        return sorted(labels, key=lambda label: order.index(label))
    if dimension.slug == "grade":
        return sorted(
            labels,
            key=lambda g: (
                GRADE_ORDER.index(g) if g in GRADE_ORDER else len(GRADE_ORDER)
            ),
        )
    return sorted(labels, key=str.casefold)
