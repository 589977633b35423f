"""The children of the demo community, their families and their schools."""

import datetime
import random
from dataclasses import dataclass, field

from faker import Faker

from braid.demo.generator import names

# Ages are measured on one fixed day so that the same seed gives the same
# community in any year the demo is run.
REFERENCE_DATE = datetime.date(2026, 9, 1)

HOUSEHOLDS = 1800

# Locales of the families, weighted roughly as in a mid-sized US city.
LOCALES: tuple[tuple[str, int], ...] = (
    ("en_US", 46),
    ("es_MX", 26),
    ("vi_VN", 6),
    ("en_IN", 6),
    ("yo_NG", 4),
    ("zh_CN", 4),
    ("fr_FR", 4),
    ("pt_BR", 4),
)

# (site slug, site name, lowest grade, highest grade); K counts as grade 0.
DISTRICT_SCHOOLS: tuple[tuple[str, str, int, int], ...] = (
    ("willow-creek-elementary", "Willow Creek Elementary", 0, 5),
    ("riverbend-middle", "Riverbend Middle School", 6, 8),
    ("riverbend-high", "Riverbend High School", 9, 12),
)
PRIVATE_SCHOOLS = (
    "St. Brigid Catholic School",
    "Riverbend Montessori",
    "Cedar Hill Christian Academy",
)
ZIP_CODES = ("50309", "50310", "50311", "50312", "50313", "50314", "50315", "50316")

# 555-0100 to 555-0199 is the range reserved for fiction in every area code,
# so the area code is what keeps families' numbers apart.
_AREA_CODES = tuple(str(code) for code in range(201, 300) if code % 100 != 11)[:40]
_EMAIL_DOMAINS = ("example.org", "example.com")

# Families whose names the demo must show: accents Windows-1252 can carry,
# straight and curly apostrophes, a hyphenated surname.
_FEATURED_FAMILIES: tuple[tuple[str, str, tuple[tuple[str, str, int], ...]], ...] = (
    ("en_US", f"D{names.CURLY}Angelo", (("Zoë", "F", 6), ("Luca", "M", 8))),
    ("en_US", "O'Neil", (("William", "M", 7), ("Elizabeth", "F", 5), ("Zoë", "F", 3))),
    ("es_MX", "García-López", (("José", "M", 7), ("Inés", "F", 5))),
    ("fr_FR", "Moreau", (("Chloé", "F", 6), ("André", "M", 4))),
    ("es_MX", "Peña Núñez", (("Noé", "M", 8), ("Sofía", "F", 6))),
)


@dataclass
class Guardian:
    name: str
    phone: str  # as "515-555-0123"
    email: str  # "" when the family gave none


@dataclass(eq=False)
class Household:
    locale: str
    surname: str
    address: str
    zip_code: str
    guardians: list[Guardian]
    schooling: str  # "district", "private" or "home"
    private_school: str = ""
    children: list["Person"] = field(default_factory=list)


@dataclass(eq=False)
class Person:
    id: str
    household: Household
    first_name: str
    middle_name: str
    last_name: str
    gender: str  # "F", "M" or "X"
    birth_date: datetime.date
    alias: str | None  # the nickname or spelling other rosters may use
    multiple: int = 1  # 2 for a twin, 3 for a triplet
    featured: bool = False
    district_id: str | None = None
    state_id: str | None = None

    @property
    def age(self) -> int:
        born = self.birth_date
        before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (
            born.month,
            born.day,
        )
        return REFERENCE_DATE.year - born.year - before_birthday

    @property
    def grade(self) -> str:
        if self.age < 5:
            return "PK"
        if self.age == 5:
            return "K"
        return str(min(self.age - 5, 12))

    @property
    def in_district(self) -> bool:
        return self.district_id is not None

    @property
    def site(self) -> tuple[str, str] | None:
        """Return the slug and name of the district school the child is in."""
        if not self.in_district:
            return None
        grade = 0 if self.grade == "K" else int(self.grade)
        for slug, name, low, high in DISTRICT_SCHOOLS:
            if low <= grade <= high:
                return slug, name
        return None

    @property
    def school(self) -> str:
        site = self.site
        if site is not None:
            return site[1]
        if self.age < 5:
            return ""
        return self.household.private_school


class _Families:
    """The random sources and unique-number pools families are drawn from."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"braid-demo-people:{seed}")
        self.fakers: dict[str, Faker] = {}
        for index, (locale, _weight) in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 100 + index)
            self.fakers[locale] = fake
        self.phones = [f"{a}-555-01{n:02d}" for a in _AREA_CODES for n in range(100)]
        self.rng.shuffle(self.phones)
        self.emails: set[str] = set()

    def locale(self) -> str:
        locales = [locale for locale, _ in LOCALES]
        weights = [weight for _, weight in LOCALES]
        return self.rng.choices(locales, weights)[0]

    def given_name(self, locale: str, gender: str, adult: bool = False) -> str:
        fake, rng = self.fakers[locale], self.rng
        if gender == "X":
            gender = rng.choice("FM")
        pool = {"en_US": "en", "es_MX": "es"}.get(locale)
        if pool and not adult and rng.random() < 0.55:
            return rng.choice(names.CHILD_NAMES[pool][gender])
        if locale == "zh_CN":
            return str(fake.first_romanized_name())
        given = fake.first_name_female() if gender == "F" else fake.first_name_male()
        return _plain(locale, str(given))

    def family_name(self, locale: str) -> str:
        fake, rng = self.fakers[locale], self.rng
        if locale == "zh_CN":
            return str(fake.last_romanized_name())
        first = _plain(locale, str(fake.last_name()))
        if locale == "es_MX" and rng.random() < 0.45:
            second = _plain(locale, str(fake.last_name()))
            joiner = "-" if rng.random() < 0.15 else " "
            return f"{first}{joiner}{second}"
        if locale == "en_US" and rng.random() < 0.04:
            return f"{first}-{fake.last_name()}"
        if locale == "en_US" and rng.random() < 0.03:
            return rng.choice(names.APOSTROPHE_SURNAMES)
        return first

    def guardian(self, household: Household, index: int) -> Guardian:
        locale, rng = household.locale, self.rng
        gender = ("F", "M")[index] if rng.random() < 0.85 else ("M", "F")[index]
        given = self.given_name(locale, gender, adult=True)
        surname = self._guardian_surname(household.surname, locale, gender)
        email = self._email(given, surname) if rng.random() < 0.7 else ""
        return Guardian(f"{given} {surname}", self.phones.pop(), email)

    def _guardian_surname(self, surname: str, locale: str, gender: str) -> str:
        parts = names.surname_parts(surname)
        # A Mexican child's two surnames are the father's first and the
        # mother's first, so each parent carries only one of them.
        if locale == "es_MX" and len(parts) == 2:
            other = _plain(locale, str(self.fakers[locale].last_name()))
            return f"{parts[0] if gender == 'M' else parts[1]} {other}"
        if self.rng.random() < 0.2:
            return self.family_name(locale)
        return surname

    def _email(self, given: str, surname: str) -> str:
        local = f"{names.ascii_email_part(given)}.{names.ascii_email_part(surname)}"
        candidate, n = local, 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}"
        self.emails.add(candidate)
        return f"{candidate}@{self.rng.choice(_EMAIL_DOMAINS)}"

    def household(
        self, locale: str, surname: str, schooling: str | None = None
    ) -> Household:
        rng, fake = self.rng, self.fakers["en_US"]
        address = f"{rng.randint(100, 9899)} {fake.street_name()}"
        if rng.random() < 0.18:
            address += f" Apt {rng.randint(1, 40)}"
        if schooling is None:
            schooling = rng.choices(("district", "private", "home"), (90, 8, 2))[0]
        household = Household(
            locale=locale,
            surname=surname,
            address=address,
            zip_code=rng.choice(ZIP_CODES),
            guardians=[],
            schooling=schooling,
            private_school=rng.choice(PRIVATE_SCHOOLS)
            if schooling == "private"
            else "",
        )
        guardians = 1 if rng.random() < 0.45 else 2
        household.guardians = [self.guardian(household, i) for i in range(guardians)]
        return household

    def birth_date(self, age: int) -> datetime.date:
        latest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age)
        earliest = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - age - 1)
        days = (latest - earliest).days
        return earliest + datetime.timedelta(days=self.rng.randint(1, days))

    def middle_name(self, locale: str, gender: str) -> str:
        if self.rng.random() < 0.45:
            return ""
        return self.given_name(locale, gender)


def _plain(locale: str, name: str) -> str:
    # Vietnamese families' names reach US school systems without their
    # tone marks; other locales keep their accents.
    return names.strip_accents(name) if locale == "vi_VN" else name


def generate_people(seed: int) -> list[Person]:
    """Return every child of the community, family by family."""
    families = _Families(seed)
    people: list[Person] = []
    for locale, surname, children in _FEATURED_FAMILIES:
        household = families.household(locale, surname, schooling="district")
        for given, gender, age in children:
            person = _child(families, household, len(people), given, gender, age)
            person.featured = True
            people.append(person)

    for _ in range(HOUSEHOLDS):
        locale = families.locale()
        household = families.household(locale, families.family_name(locale))
        people.extend(_children(families, household, len(people)))

    _assign_school_ids(people, families.rng)
    return people


def _children(families: _Families, household: Household, start: int) -> list[Person]:
    rng = families.rng
    count = rng.choices((1, 2, 3, 4), (40, 35, 18, 7))[0]
    ages = rng.sample(range(3, 18), count)
    ages = [18 if age == 17 and rng.random() < 0.2 else age for age in ages]

    children: list[Person] = []
    for age in ages:
        roll = rng.random()
        size = 3 if roll < 0.0025 else 2 if roll < 0.022 else 1
        if size == 1:
            gender = _gender(rng)
            given = families.given_name(household.locale, gender)
            children.append(
                _child(families, household, start + len(children), given, gender, age)
            )
        else:
            children.extend(
                _multiples(families, household, start + len(children), age, size)
            )
    return children


def _multiples(
    families: _Families, household: Household, start: int, age: int, size: int
) -> list[Person]:
    rng = families.rng
    if size == 2 and rng.random() < 0.35:
        given_names = list(rng.choice(names.NEAR_TWIN_NAMES))
    else:
        given_names = []
        while len(given_names) < size:
            gender = _gender(rng)
            given = families.given_name(household.locale, gender)
            if given not in [name for name, _ in given_names]:
                given_names.append((given, gender))

    birth_date = families.birth_date(age)
    born = []
    for offset, (given, gender) in enumerate(given_names):
        person = _child(families, household, start + offset, given, gender, age)
        person.birth_date = birth_date
        person.multiple = size
        born.append(person)
    return born


def _child(
    families: _Families,
    household: Household,
    index: int,
    given: str,
    gender: str,
    age: int,
) -> Person:
    alias = names.NICKNAMES.get(given)
    person = Person(
        id=f"P{index + 1:05d}",
        household=household,
        first_name=given,
        middle_name=families.middle_name(household.locale, gender),
        last_name=household.surname,
        gender=gender,
        birth_date=families.birth_date(age),
        alias=families.rng.choice(alias) if alias else None,
    )
    household.children.append(person)
    return person


def _gender(rng: random.Random) -> str:
    return rng.choices("FMX", (49, 49, 2))[0]


def _assign_school_ids(people: list[Person], rng: random.Random) -> None:
    # Ages 3 and 4 are too young for the district, which starts at K.
    students = [p for p in people if p.household.schooling == "district" and p.age >= 5]
    district_ids = rng.sample(range(1, 120_000), len(students))
    state_ids = rng.sample(range(1_000_000_000, 2_000_000_000), len(students))
    for person, district_id, state_id in zip(
        students, district_ids, state_ids, strict=True
    ):
        person.district_id = f"{district_id:06d}"
        person.state_id = str(state_id)
