"""Riverbend: the organizations of the demo community and their rosters."""

import datetime
import logging
import random
import time
from dataclasses import dataclass

from braid.demo.generator import files
from braid.demo.generator.people import DISTRICT_SCHOOLS, Person, generate_people
from braid.demo.generator.rosters import (
    HEADER_FIELDS,
    IdBook,
    Mess,
    RosterPlan,
    ordered,
    render,
    select,
)

logger = logging.getLogger(__name__)


@dataclass
class DemoProgram:
    slug: str
    name: str


@dataclass
class DemoSite:
    slug: str
    name: str


@dataclass
class DemoOrganization:
    slug: str
    name: str
    kind: str  # an OrganizationKind value
    is_backbone: bool
    contributes_roster: bool
    uses_data: bool
    programs: list[DemoProgram]
    sites: list[DemoSite]


@dataclass
class DemoRoster:
    organization: str  # slug
    program: str | None  # slug
    filename: str
    content: bytes
    as_of: datetime.date
    date_format: str | None  # to declare on import; None when the reader can tell
    truth: list[str]  # the generated person's id for each data row, in file order


@dataclass
class DemoCommunity:
    organizations: list[DemoOrganization]
    rosters: list[DemoRoster]
    people: int  # distinct children across all rosters


def _organization(
    slug: str,
    name: str,
    kind: str,
    programs: tuple[tuple[str, str], ...] = (),
    sites: tuple[tuple[str, str], ...] = (),
    *,
    backbone: bool = False,
    rosters: bool = True,
) -> DemoOrganization:
    return DemoOrganization(
        slug=slug,
        name=name,
        kind=kind,
        is_backbone=backbone,
        contributes_roster=rosters,
        uses_data=True,
        programs=[DemoProgram(s, n) for s, n in programs],
        sites=[DemoSite(s, n) for s, n in sites],
    )


def _organizations() -> list[DemoOrganization]:
    # Built afresh for each community, so that a caller changing one
    # community's organizations leaves the next one as generated.
    org = _organization
    schools = tuple((slug, name) for slug, name, *_ in DISTRICT_SCHOOLS)
    return [
        org(
            "riverbend-alliance",
            "Riverbend Children's Alliance",
            "other",
            backbone=True,
            rosters=False,
        ),
        org(
            "riverbend-schools",
            "Riverbend Unified School District",
            "school-district",
            sites=schools,
        ),
        org(
            "heron-youth-club",
            "Heron Youth Club",
            "community-program",
            (("after-school", "After-School Club"), ("teen-nights", "Teen Nights")),
            (
                ("heron-clubhouse", "Heron Clubhouse"),
                ("willow-creek-annex", "Willow Creek Annex"),
            ),
        ),
        org(
            "open-book-literacy",
            "Open Book Literacy Project",
            "community-program",
            (("reading-buddies", "Reading Buddies"),),
            (("central-library", "Riverbend Central Library"),),
        ),
        org(
            "riverbend-youth-sports",
            "Riverbend Youth Sports League",
            "community-program",
            (("fall-soccer", "Fall Soccer"),),
            (("mill-pond-fields", "Mill Pond Fields"),),
        ),
        org(
            "riverbend-parks",
            "Riverbend Parks & Recreation",
            "city-service",
            (("summer-camp", "Summer Day Camp"),),
            (
                ("lincoln-park-center", "Lincoln Park Community Center"),
                ("eastside-pool", "Eastside Pool"),
            ),
        ),
        org(
            "riverbend-foundation",
            "Riverbend Community Foundation",
            "funder",
            rosters=False,
        ),
    ]


# Each organization's own ID scheme: a format for a random number up to a
# highest value. The district uses the IDs its student system assigned.
_ID_SCHEMES: dict[str, tuple[str, int]] = {
    "heron-youth-club": ("{:05d}", 30_000),
    "open-book-literacy": ("OB-{:04d}", 9_999),
    "riverbend-youth-sports": ("2026{:04d}", 9_999),
    "riverbend-parks": ("{:07d}", 40_000),
}


def _headers(text: str) -> tuple[str, ...]:
    return tuple(header.strip() for header in text.split(","))


_PLANS: tuple[RosterPlan, ...] = (
    RosterPlan(
        organization="riverbend-schools",
        program=None,
        filename="rusd_enrollment_2026-09-15.csv",
        as_of=datetime.date(2026, 9, 15),
        headers=_headers(
            "Student ID, State ID, Last Name, First Name, Middle Name, Birthdate,"
            " Gender, Grade, School, Address, ZIP, Guardian Name, Guardian Phone,"
            " Guardian Email"
        ),
        quote_all=True,
        all_students=True,
        order="school",
        mess=Mess(typo=0.004),
    ),
    RosterPlan(
        organization="heron-youth-club",
        program="after-school",
        filename="Heron After-School Fall 2026.xlsx",
        as_of=datetime.date(2026, 9, 8),
        headers=_headers(
            "Participant ID, State ID, First Name, Last Name, Date of Birth, Gender,"
            " Grade, School, Guardian Name, Guardian Phone"
        ),
        file_format="xlsx",
        date_style="cell",
        gender_words=True,
        phone_style="paren",
        ages=(5, 11),
        district_share=0.2,
        other_share=0.35,
        mess=Mess(
            nickname=0.3,
            typo=0.03,
            surname=0.35,
            apostrophe=0.5,
            swapped_names=0.01,
            day_month=0.02,
            school_name=0.4,
            other_guardian=0.25,
            state_id=0.6,
        ),
    ),
    RosterPlan(
        organization="heron-youth-club",
        program="teen-nights",
        filename="heron_teen_nights_2026-09.csv",
        as_of=datetime.date(2026, 9, 21),
        headers=_headers(
            "Participant ID, First Name, Last Name, DOB, Gender, Grade, School,"
            " Guardian Phone, Guardian Email"
        ),
        encoding="utf-8-sig",
        line_end="\n",
        date_style="us",
        ages=(11, 17),
        district_share=0.12,
        other_share=0.25,
        order="id",
        mess=Mess(
            nickname=0.45,
            typo=0.04,
            surname=0.35,
            apostrophe=0.5,
            swapped_names=0.01,
            day_month=0.03,
            school_name=0.6,
            other_guardian=0.25,
        ),
    ),
    RosterPlan(
        organization="open-book-literacy",
        program="reading-buddies",
        filename="OpenBook_ReadingBuddies_Sept2026.csv",
        as_of=datetime.date(2026, 9, 10),
        headers=_headers(
            "Student ID, Last Name, First Name, Birthdate, Sex, Grade, School,"
            " Guardian Name, Address, ZIP"
        ),
        encoding="cp1252",
        date_style="us",
        gender_words=True,
        ages=(3, 8),
        district_share=0.22,
        other_share=0.35,
        featured=True,
        mess=Mess(
            nickname=0.15,
            typo=0.05,
            surname=0.3,
            apostrophe=0.3,
            swapped_names=0.04,
            day_month=0.04,
            school_name=0.5,
            street_abbreviation=0.5,
            other_guardian=0.3,
        ),
    ),
    RosterPlan(
        organization="riverbend-youth-sports",
        program="fall-soccer",
        filename="rysl_fall_soccer_2026.csv",
        as_of=datetime.date(2026, 9, 5),
        headers=_headers(
            "Participant ID, Surname, Given Name, DOB, Sex, Guardian Name,"
            " Guardian Phone, Guardian Email, ZIP"
        ),
        delimiter=";",
        line_end="\n",
        date_style="dmy",
        date_format="%d/%m/%Y",
        phone_style="dot",
        ages=(4, 14),
        district_share=0.2,
        other_share=0.3,
        order="registration",
        mess=Mess(
            nickname=0.4,
            typo=0.04,
            surname=0.45,
            apostrophe=1.0,
            swapped_names=0.02,
            day_month=0.03,
            other_guardian=0.35,
            ascii_only=True,
        ),
    ),
    RosterPlan(
        organization="riverbend-parks",
        program="summer-camp",
        filename="Parks_SummerCamp_2026_final.csv",
        as_of=datetime.date(2026, 8, 21),
        headers=_headers(
            "Participant ID, First Name, Middle Name, Last Name, Date of Birth,"
            " Gender, Grade, School, State ID, Address, ZIP, Guardian Name,"
            " Guardian Phone, Guardian Email"
        ),
        date_style="us-padded",
        date_format="%m/%d/%Y",
        gender_words=True,
        phone_style="paren",
        ages=(5, 12),
        district_share=0.2,
        other_share=0.25,
        order="registration",
        mess=Mess(
            nickname=0.25,
            typo=0.03,
            surname=0.35,
            apostrophe=0.4,
            swapped_names=0.03,
            day_month=0.02,
            school_name=0.3,
            stale_grade=0.4,
            street_abbreviation=0.3,
            middle_initial=0.5,
            other_guardian=0.3,
            state_id=0.15,
        ),
    ),
)


def build_community(seed: int = 2026) -> DemoCommunity:
    """Generate Riverbend's organizations and rosters; one seed, one output."""
    started = time.perf_counter()
    people = generate_people(seed)
    ids = IdBook(random.Random(f"braid-demo-ids:{seed}"), _ID_SCHEMES)
    rosters = [_roster(plan, people, ids, seed) for plan in _PLANS]
    distinct = {person_id for roster in rosters for person_id in roster.truth}

    logger.info(
        "Built the demo community: %s rosters, %s children, %.2f s",
        len(rosters),
        len(distinct),
        time.perf_counter() - started,
    )
    return DemoCommunity(_organizations(), rosters, len(distinct))


def _roster(
    plan: RosterPlan, people: list[Person], ids: IdBook, seed: int
) -> DemoRoster:
    # Each roster draws from its own random stream, so that tuning one
    # contributor's plan changes the other rosters as little as possible.
    rng = random.Random(f"braid-demo-roster:{seed}:{plan.filename}")
    rows = [
        (person, render(plan, person, ids.local_id(plan.organization, person), rng))
        for person in select(plan, people, rng)
    ]
    rows = ordered(plan, rows, rng)

    fields = [HEADER_FIELDS[header] for header in plan.headers]
    table = [[values[name] for name in fields] for _, values in rows]
    return DemoRoster(
        organization=plan.organization,
        program=plan.program,
        filename=plan.filename,
        content=_content(plan, list(plan.headers), table),
        as_of=plan.as_of,
        date_format=plan.date_format,
        truth=[person.id for person, _ in rows],
    )


def _content(
    plan: RosterPlan, headers: list[str], table: list[list[files.Value]]
) -> bytes:
    if plan.file_format == "xlsx":
        return files.xlsx_bytes(headers, table, author=plan.organization)
    return files.csv_bytes(
        headers,
        table,
        encoding=plan.encoding,
        delimiter=plan.delimiter,
        line_end=plan.line_end,
        quote_all=plan.quote_all,
    )
