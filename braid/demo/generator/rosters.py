"""Which children each roster lists and how its contributor writes them."""

import datetime
import random
from dataclasses import dataclass, field

from braid.demo.generator import names
from braid.demo.generator.files import Value
from braid.demo.generator.people import DISTRICT_SCHOOLS, Household, Person

# The column headers the intake reader recognizes, with the field each holds.
HEADER_FIELDS: dict[str, str] = {
    "Student ID": "local_id",
    "Participant ID": "local_id",
    "State ID": "state_id",
    "First Name": "first_name",
    "Given Name": "first_name",
    "Middle Name": "middle_name",
    "Last Name": "last_name",
    "Surname": "last_name",
    "Birthdate": "birth_date",
    "DOB": "birth_date",
    "Date of Birth": "birth_date",
    "Gender": "gender",
    "Sex": "gender",
    "Grade": "grade",
    "School": "school",
    "Address": "address",
    "ZIP": "zip_code",
    "Guardian Name": "guardian_name",
    "Guardian Phone": "guardian_phone",
    "Guardian Email": "guardian_email",
}

# How a front desk shortens the schools' names.
SCHOOL_SHORT_NAMES: dict[str, tuple[str, ...]] = {
    "Willow Creek Elementary": ("Willow Creek Elem.", "Willow Creek", "WCE"),
    "Riverbend Middle School": ("Riverbend Middle", "RMS"),
    "Riverbend High School": ("Riverbend HS", "RHS"),
    "St. Brigid Catholic School": ("St Brigid", "Saint Brigid"),
    "Riverbend Montessori": ("Montessori",),
    "Cedar Hill Christian Academy": ("Cedar Hill", "CHCA"),
}

_STREET_ABBREVIATIONS = {
    "Street": "St",
    "Avenue": "Ave",
    "Road": "Rd",
    "Lane": "Ln",
    "Drive": "Dr",
    "Court": "Ct",
    "Boulevard": "Blvd",
    "Place": "Pl",
    "Terrace": "Ter",
    "Circle": "Cir",
    "Parkway": "Pkwy",
    "Square": "Sq",
    "Squares": "Sq",
    "Mountain": "Mtn",
    "Heights": "Hts",
    "Apt": "#",
}

# Families whose names put the surname first are the ones most often
# entered with first and last name the other way round.
_SURNAME_FIRST_LOCALES = ("vi_VN", "zh_CN")


@dataclass(frozen=True)
class Mess:
    """How often each kind of error enters one contributor's rows."""

    nickname: float = 0.0
    typo: float = 0.0
    surname: float = 0.0  # a two-part surname given another way
    apostrophe: float = 0.0
    swapped_names: float = 0.0
    day_month: float = 0.0
    school_name: float = 0.0
    stale_grade: float = 0.0  # last year's grade, from a spring sign-up
    street_abbreviation: float = 0.0
    middle_initial: float = 0.0
    other_guardian: float = 0.0
    state_id: float = 0.0  # share of district children whose state ID is kept
    ascii_only: bool = False


@dataclass(frozen=True)
class RosterPlan:
    organization: str
    program: str | None
    filename: str
    as_of: datetime.date
    headers: tuple[str, ...]
    file_format: str = "csv"  # or "xlsx"
    encoding: str = "utf-8"  # "utf-8", "utf-8-sig" or "cp1252"
    delimiter: str = ","
    line_end: str = "\r\n"
    quote_all: bool = False
    date_style: str = "iso"  # "iso", "us", "us-padded", "dmy" or "cell"
    date_format: str | None = None
    gender_words: bool = False
    phone_style: str = "dash"  # "dash", "paren" or "dot"
    ages: tuple[int, int] = (3, 18)
    district_share: float = 0.0  # share of district families who sign up
    other_share: float = 0.0  # share of the other families
    featured: bool = False  # list every featured child of the right age
    all_students: bool = False  # list every district student, as the district does
    order: str = "name"  # "name", "id", "school" or "registration"
    mess: Mess = field(default_factory=Mess)

    def admits(self, person: Person) -> bool:
        low, high = self.ages
        return low <= person.age <= high


class IdBook:
    """Each organization's own IDs for the children it has seen."""

    def __init__(self, rng: random.Random, schemes: dict[str, tuple[str, int]]):
        self.rng = rng
        self.schemes = schemes  # organization -> (format, highest number)
        self.ids: dict[tuple[str, str], str] = {}
        self.used: dict[str, set[int]] = {}

    def local_id(self, organization: str, person: Person) -> str:
        if organization not in self.schemes:
            assert person.district_id is not None
            return person.district_id

        key = (organization, person.id)
        if key not in self.ids:
            pattern, highest = self.schemes[organization]
            used = self.used.setdefault(organization, set())
            number = self.rng.randint(1, highest)
            while number in used:
                number = self.rng.randint(1, highest)
            used.add(number)
            self.ids[key] = pattern.format(number)
        return self.ids[key]


def select(plan: RosterPlan, people: list[Person], rng: random.Random) -> list[Person]:
    """Choose the children on a roster, families signing up together."""
    if plan.all_students:
        return [p for p in people if p.in_district]

    households: list[Household] = list(dict.fromkeys(p.household for p in people))
    chosen: list[Person] = []
    for household in households:
        eligible = [p for p in household.children if plan.admits(p)]
        share = (
            plan.district_share
            if household.schooling == "district"
            else plan.other_share
        )
        joined = []
        if eligible and rng.random() < share:
            joined = _siblings_who_join(eligible, rng)
        if plan.featured:
            joined += [p for p in eligible if p.featured and p not in joined]
        chosen.extend(sorted(joined, key=eligible.index))
    return chosen


def _siblings_who_join(eligible: list[Person], rng: random.Random) -> list[Person]:
    # Twins nearly always sign up together; other brothers and sisters often.
    first = rng.choice(eligible)
    joined = [first]
    for sibling in eligible:
        if sibling is first:
            continue
        together = sibling.multiple > 1 and sibling.birth_date == first.birth_date
        if rng.random() < (0.9 if together else 0.6):
            joined.append(sibling)
    return joined


def render(
    plan: RosterPlan, person: Person, local_id: str, rng: random.Random
) -> dict[str, Value]:
    """Write one child's row as this contributor would, mess included."""
    mess = plan.mess
    first, last = _names(person, mess, rng)
    guardian = person.household.guardians[0]
    if len(person.household.guardians) > 1 and rng.random() < mess.other_guardian:
        guardian = person.household.guardians[1]

    values: dict[str, Value] = {
        "local_id": local_id,
        "state_id": _state_id(person, plan, rng),
        "first_name": first,
        "middle_name": _middle_name(person, mess, rng),
        "last_name": last,
        "birth_date": _birth_date(plan, person, rng),
        "gender": _gender(person, plan),
        "grade": _grade(person, mess, rng),
        "school": _school(person, mess, rng),
        "address": _address(person, mess, rng),
        "zip_code": person.household.zip_code,
        "guardian_name": guardian.name,
        "guardian_phone": _phone(guardian.phone, plan.phone_style),
        "guardian_email": guardian.email,
    }
    return {key: _encodable(value, plan) for key, value in values.items()}


def _names(person: Person, mess: Mess, rng: random.Random) -> tuple[str, str]:
    first, last = person.first_name, person.last_name
    if person.alias and rng.random() < mess.nickname:
        first = person.alias
    if rng.random() < mess.surname:
        last = names.surname_variant(last, rng)
    if names.has_apostrophe(last) and rng.random() < mess.apostrophe:
        last = names.apostrophe_variant(last, rng)

    if rng.random() < mess.typo:
        if rng.random() < 0.4:
            first = names.typo(first, rng)
        else:
            last = names.typo(last, rng)

    swap_rate = mess.swapped_names
    if person.household.locale in _SURNAME_FIRST_LOCALES:
        swap_rate *= 4
    if rng.random() < swap_rate:
        first, last = last, first
    return first, last


def _middle_name(person: Person, mess: Mess, rng: random.Random) -> str:
    if person.middle_name and rng.random() < mess.middle_initial:
        return person.middle_name[0]
    return person.middle_name


def _birth_date(plan: RosterPlan, person: Person, rng: random.Random) -> Value:
    born = person.birth_date
    # Only a day that can also be a month gets swapped: a parent who writes
    # 13/5 on a US form is caught by the form itself.
    if born.day <= 12 and born.day != born.month and rng.random() < plan.mess.day_month:
        born = born.replace(month=born.day, day=born.month)

    if plan.date_style == "cell":
        return born
    if plan.date_style == "us":
        return f"{born.month}/{born.day}/{born.year}"
    if plan.date_style == "us-padded":
        return born.strftime("%m/%d/%Y")
    if plan.date_style == "dmy":
        return f"{born.day}/{born.month}/{born.year}"
    return born.isoformat()


def _state_id(person: Person, plan: RosterPlan, rng: random.Random) -> str:
    if person.state_id is None:
        return ""
    if plan.all_students or rng.random() < plan.mess.state_id:
        return person.state_id
    return ""


def _gender(person: Person, plan: RosterPlan) -> str:
    if not plan.gender_words:
        return person.gender
    return {"F": "Female", "M": "Male"}.get(person.gender, "X")


def _grade(person: Person, mess: Mess, rng: random.Random) -> str:
    grade = person.grade
    if grade == "PK" or rng.random() >= mess.stale_grade:
        return grade
    return "PK" if grade == "K" else "K" if grade == "1" else str(int(grade) - 1)


def _school(person: Person, mess: Mess, rng: random.Random) -> str:
    school = person.school
    if not school and person.household.schooling == "home" and person.age >= 5:
        return "Homeschool"
    if school in SCHOOL_SHORT_NAMES and rng.random() < mess.school_name:
        return rng.choice(SCHOOL_SHORT_NAMES[school])
    return school


def _address(person: Person, mess: Mess, rng: random.Random) -> str:
    address = person.household.address
    if rng.random() >= mess.street_abbreviation:
        return address
    words = [_STREET_ABBREVIATIONS.get(word, word) for word in address.split()]
    return " ".join(words).replace("# ", "#")


def _phone(phone: str, style: str) -> str:
    area, exchange, line = phone.split("-")
    if style == "paren":
        return f"({area}) {exchange}-{line}"
    if style == "dot":
        return f"{area}.{exchange}.{line}"
    return phone


def _encodable(value: Value, plan: RosterPlan) -> Value:
    if not isinstance(value, str):
        return value
    if plan.mess.ascii_only:
        return names.strip_accents(value).replace(names.CURLY, names.STRAIGHT)
    if plan.encoding == "cp1252":
        return names.fit_cp1252(value)
    return value


def ordered(
    plan: RosterPlan, rows: list[tuple[Person, dict[str, Value]]], rng: random.Random
) -> list[tuple[Person, dict[str, Value]]]:
    """Put the rows in the order the contributor's system lists them."""
    if plan.order == "registration":
        return _by_family_in_random_order(rows, rng)
    if plan.order == "id":
        return sorted(rows, key=lambda row: str(row[1]["local_id"]))
    if plan.order == "school":
        return sorted(rows, key=_school_key)
    return sorted(rows, key=lambda row: _name_key(row[1]))


def _by_family_in_random_order(
    rows: list[tuple[Person, dict[str, Value]]], rng: random.Random
) -> list[tuple[Person, dict[str, Value]]]:
    families: dict[str, list[tuple[Person, dict[str, Value]]]] = {}
    for row in rows:
        families.setdefault(row[0].household.children[0].id, []).append(row)
    groups = list(families.values())
    rng.shuffle(groups)
    return [row for group in groups for row in group]


def _school_key(row: tuple[Person, dict[str, Value]]) -> tuple[int, int, str, str]:
    person, values = row
    slugs = [slug for slug, *_ in DISTRICT_SCHOOLS]
    site = person.site
    grade = 0 if person.grade == "K" else int(person.grade)
    return (slugs.index(site[0]) if site else len(slugs), grade, *_name_key(values))


def _name_key(values: dict[str, Value]) -> tuple[str, str]:
    last, first = str(values["last_name"]), str(values["first_name"])
    return names.strip_accents(last).lower(), names.strip_accents(first).lower()
