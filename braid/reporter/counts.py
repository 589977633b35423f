"""Counting distinct children served, by the dimensions reports offer.

A child's own attributes (gender, age, grade) are taken from the most
recently updated of the records that place the child in the report and give
the attribute, so that each child has exactly one value and counts once in a
total. A child for whom no record gives it is counted under "Not reported"
(gender, grade) or "Unknown" (age band), listed last. Organization and
program are where the child is served: a child can be under several.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from braid.children.models import Gender
from braid.records.models import Enrollment
from braid.reporter.family import Family
from braid.reporter.population import Population, Profile
from braid.reporter.suppression import protect
from braid.reporter.tables import CountTable, SuppressedTable

GRADE_ORDER = ["PK", "TK", "K", *[str(n) for n in range(1, 13)]]
# Census-style bands that also follow the school stages.
AGE_BANDS = [(0, 4), (5, 9), (10, 14), (15, 17), (18, None)]
# The age band of a child no record gives a date of birth for.
UNKNOWN_AGE = gettext_lazy("Unknown")
# The grade of a child no record gives a grade for; the label is the one
# ``Gender.UNKNOWN`` has, so that both read the same in a table.
NOT_REPORTED = gettext_lazy("Not reported")


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
    programs: set[str] = field(default_factory=set)
    # The organization of each program the child is served in.
    organization_of: dict[str, str] = field(default_factory=dict)
    gender: str = Gender.UNKNOWN
    birth_date: date | None = None
    grade: str = ""
    # When the record each attribute was taken from was last updated.
    taken_at: dict[str, datetime] = field(default_factory=dict)

    def learn(self, updated: datetime, **values: object) -> None:
        """Take each value given, unless a newer record already gave one.

        A value left out (None or "") does not hide what an older record of
        the same child says.
        """
        for name, value in values.items():
            if value is None or value == "":
                continue
            if name not in self.taken_at or updated > self.taken_at[name]:
                setattr(self, name, value)
                self.taken_at[name] = updated


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


def served_on(on: date) -> Population:
    """Give the children served on a day, by what the reports tell apart."""
    facts = _facts(on)
    organizations: dict[str, str] = {}
    children: dict[Profile, int] = defaultdict(int)
    for fact in facts.values():
        organizations.update(fact.organization_of)
        profile = (
            frozenset(fact.programs),
            frozenset({fact.gender}),
            frozenset({_age_code(fact.birth_date, on)}),
            frozenset({fact.grade}),
        )
        children[profile] += 1

    found: dict[str, set[str]] = {
        "organization": set(organizations.values()),
        "program": set(organizations),
    }
    for index, slug in enumerate(["gender", "age-band", "grade"], start=1):
        found[slug] = {value for profile in children for value in profile[index]}
    return Population(
        attributes=("program", "gender", "age-band", "grade"),
        values={slug: tuple(_ordered(slug, found[slug])) for slug in DIMENSIONS},
        many=frozenset(slug for slug, d in DIMENSIONS.items() if d.overlaps),
        children=dict(children),
        parents={"organization": ("program", organizations)},
    )


def count_children(dimensions: Sequence[Dimension], on: date) -> CountTable:
    """Count the distinct children served on a day, by one dimension or two."""
    table, _ = Family(served_on(on)).table([d.slug for d in dimensions], label)
    return table


def report(
    dimensions: Sequence[Dimension], on: date, threshold: int
) -> SuppressedTable:
    """Count as ``count_children`` does, with small counts suppressed.

    Every table of a day comes from one decision over all of them, so that
    no table gives away what another hides.
    """
    protection = protect(served_on(on), threshold)
    return protection.table([d.slug for d in dimensions], label)


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
        # Enrolled in an organization without a program: the organization
        # stands as its own program.
        program_label = f"{organization}: {program}" if program else organization
        fact = facts.setdefault(child_id, ChildFacts())
        reported = None if gender == Gender.UNKNOWN else gender
        fact.learn(updated, gender=reported, birth_date=born, grade=grade)
        fact.programs.add(program_label)
        fact.organization_of[program_label] = organization
    return facts


def label(dimension: str, value: str) -> str:
    """Name a dimension's value for display, in the reader's language."""
    if dimension == "gender":
        names = dict(Gender.choices)
        return str(names.get(value, names[Gender.UNKNOWN]))
    if dimension == "age-band" and not value:
        return str(UNKNOWN_AGE)
    if dimension == "grade" and not value:
        return str(NOT_REPORTED)
    return value


def age_band(born: date | None, on: date) -> str:
    """Name the age band of a child born on ``born`` as it was on ``on``."""
    return label("age-band", _age_code(born, on))


def _age_code(born: date | None, on: date) -> str:
    if born is None:
        return ""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    for low, high in AGE_BANDS:
        if high is None and age >= low:
            return f"{low}+"
        if high is not None and low <= age <= high:
            return f"{low}–{high}"
    return f"{AGE_BANDS[0][0]}–{AGE_BANDS[0][1]}"


def _ordered(dimension: str, found: set[str]) -> list[str]:
    """Put a dimension's values in the one order reports list them in.

    The order depends on the values alone, never on the reader's language:
    suppression breaks its ties by it.
    """
    if dimension == "gender":
        order = [code for code, _ in Gender.choices]
        return sorted(found, key=lambda code: (_place(order, code), code))
    if dimension == "age-band":
        order = [f"{low}–{high}" if high else f"{low}+" for low, high in AGE_BANDS]
        return sorted(found, key=lambda code: (_place(order, code), code))
    if dimension == "grade":
        return sorted(found, key=lambda code: (_place(GRADE_ORDER, code), code))
    return sorted(found, key=lambda name: (name.casefold(), name))


def _place(order: list[str], value: str) -> int:
    """Place a value by ``order``, others after, and no value after all."""
    if value in order:
        return order.index(value)
    return len(order) + (not value)
