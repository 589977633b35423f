"""The demo community: its size, its organizations, rosters a reader takes."""

import datetime
import re
from collections import Counter

from braid.demo.generator import DemoCommunity, build_community
from braid.intake.parsing.roster import read_roster
from tests.demo.reading import (
    HEADER_FIELDS,
    district,
    district_by_person,
    headers,
    is_xlsx,
    program_rosters,
    raw_rows,
    records,
)

REFERENCE_DATE = datetime.date(2026, 9, 1)
KINDS = {
    "school-district",
    "school",
    "community-program",
    "city-service",
    "health",
    "funder",
    "other",
}
GRADES = {"PK", "K", *(str(grade) for grade in range(1, 13))}
GENDERS = {"F", "M", "X", "Female", "Male"}


def _age(born: object) -> int:
    assert isinstance(born, datetime.date)
    before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (
        born.month,
        born.day,
    )
    return REFERENCE_DATE.year - born.year - before_birthday


class TestDeterminism:
    def test_the_same_seed_gives_the_same_bytes(self, community):
        again = build_community(2026)

        assert [r.content for r in again.rosters] == [
            r.content for r in community.rosters
        ]
        assert [r.truth for r in again.rosters] == [r.truth for r in community.rosters]
        assert again == community

    def test_another_seed_gives_another_community(self, community):
        other = build_community(7)

        assert [r.filename for r in other.rosters] == [
            r.filename for r in community.rosters
        ]
        assert district(other).content != district(community).content


class TestSize:
    def test_it_has_about_three_thousand_children(self, community):
        everyone = {person for roster in community.rosters for person in roster.truth}

        assert community.people == len(everyone)
        assert 2_700 <= community.people <= 3_300

    def test_most_children_are_in_the_district(self, community):
        in_district = set(district(community).truth)

        assert len(in_district) / community.people > 0.8

    def test_programs_draw_children_from_inside_and_outside_the_district(
        self, community
    ):
        in_district = set(district(community).truth)
        for roster in program_rosters(community):
            inside = sum(person in in_district for person in roster.truth)
            outside = len(roster.truth) - inside

            assert inside > 0.5 * len(roster.truth), roster.filename
            assert outside > 10, roster.filename

    def test_children_are_three_to_eighteen(self, community):
        ages = Counter(
            _age(record["birth_date"])
            for roster in community.rosters
            for record in records(roster)
        )
        in_range = sum(count for age, count in ages.items() if 3 <= age <= 18)

        assert max(ages) == 18
        # A day and month swapped on a spring birthday can make a child of
        # three look two; nothing else leaves the range.
        assert min(ages) >= 2
        assert in_range / ages.total() > 0.998
        assert ages[3] + ages[4] > 100

    def test_the_district_lists_kindergarten_to_grade_twelve(self, community):
        school = records(district(community))
        ages = {_age(record["birth_date"]) for record in school}
        grades = {record["grade"] for record in school}

        assert min(ages) == 5 and max(ages) == 18
        assert grades == {"K", *(str(grade) for grade in range(1, 13))}


class TestOrganizations:
    def test_there_is_one_backbone_that_uses_data_and_contributes_nothing(
        self, community
    ):
        backbones = [o for o in community.organizations if o.is_backbone]

        assert len(backbones) == 1
        assert backbones[0].uses_data
        assert not backbones[0].contributes_roster
        assert not _rosters_of(community, backbones[0].slug)

    def test_the_district_has_three_schools_as_sites(self, community):
        (district_org,) = _of_kind(community, "school-district")

        assert len(district_org.sites) == 3
        assert len(_rosters_of(community, district_org.slug)) == 1

    def test_three_community_programs_a_city_service_and_a_funder(self, community):
        programs = _of_kind(community, "community-program")
        (city,) = _of_kind(community, "city-service")
        (funder,) = _of_kind(community, "funder")

        assert len(programs) == 3
        assert all(1 <= len(org.programs) <= 2 for org in programs)
        assert city.programs and _rosters_of(community, city.slug)
        assert funder.uses_data and not funder.contributes_roster
        assert not _rosters_of(community, funder.slug)

    def test_every_kind_and_slug_is_valid(self, community):
        slugs = [org.slug for org in community.organizations]

        assert len(set(slugs)) == len(slugs)
        assert {org.kind for org in community.organizations} <= KINDS
        assert all(re.fullmatch(r"[a-z0-9-]+", slug) for slug in slugs)

    def test_every_roster_belongs_to_a_contributor_and_one_of_its_programs(
        self, community
    ):
        by_slug = {org.slug: org for org in community.organizations}
        for roster in community.rosters:
            org = by_slug[roster.organization]

            assert org.contributes_roster
            if roster.program is not None:
                assert roster.program in {p.slug for p in org.programs}
        for org in community.organizations:
            assert org.contributes_roster == bool(_rosters_of(community, org.slug))

    def test_rosters_are_as_of_late_summer_2026(self, community):
        for roster in community.rosters:
            assert (
                datetime.date(2026, 8, 15) <= roster.as_of <= datetime.date(2026, 9, 30)
            )


class TestReadability:
    def test_every_header_is_one_the_reader_recognizes(self, community):
        for roster in community.rosters:
            found = headers(roster)
            fields = {HEADER_FIELDS.get(header) for header in found}

            assert set(found) <= set(HEADER_FIELDS), roster.filename
            assert len(set(found)) == len(found)
            assert {"local_id", "first_name", "last_name", "birth_date"} <= fields

    def test_the_intake_reader_takes_every_row_of_every_roster(self, community):
        for roster in community.rosters:
            parsed = read_roster(
                roster.content,
                roster.filename,
                date_format=roster.date_format,
                today=roster.as_of,
            )

            assert parsed.errors == [], roster.filename
            assert len(parsed.rows) == parsed.row_count == len(roster.truth)
            assert not parsed.unused_columns
            if roster.date_format is None and parsed.date_format is not None:
                assert parsed.date_format == "%m/%d/%Y", roster.filename

    def test_truth_has_one_person_for_each_data_row(self, community):
        for roster in community.rosters:
            assert len(roster.truth) == len(raw_rows(roster)) > 100

    def test_no_person_is_listed_twice_on_one_roster(self, community):
        for roster in community.rosters:
            ids = [record["local_id"] for record in records(roster)]

            assert len(set(roster.truth)) == len(roster.truth)
            assert len(set(ids)) == len(ids)

    def test_every_row_has_the_required_values(self, community):
        for roster in community.rosters:
            for record in records(roster):
                assert record["local_id"] and record["first_name"]
                assert record["last_name"]
                assert isinstance(record["birth_date"], datetime.date)

    def test_codes_are_ones_the_reader_knows(self, community):
        for roster in community.rosters:
            for record in records(roster):
                assert record["gender"] in GENDERS
                assert record.get("grade", "") in GRADES | {""}
                assert re.fullmatch(r"\d{5}", str(record.get("zip_code", "00000")))

    def test_phone_numbers_are_in_the_fictional_range(self, community):
        phones = [
            str(record["guardian_phone"])
            for roster in community.rosters
            for record in records(roster)
            if record.get("guardian_phone")
        ]

        assert len(phones) > 3_000
        assert all(re.search(r"555[-.]01\d\d$", phone) for phone in phones)

    def test_no_email_leaves_the_example_domains(self, community):
        emails = [
            str(record["guardian_email"])
            for roster in community.rosters
            for record in records(roster)
            if record.get("guardian_email")
        ]

        assert len(emails) > 1_000
        for email in emails:
            assert re.fullmatch(r"[a-z0-9.]+@example\.(org|com)", email), email


class TestIdentifiers:
    def test_district_ids_keep_their_leading_zeros(self, community):
        ids = [str(record["local_id"]) for record in records(district(community))]

        assert all(re.fullmatch(r"\d{6}", local_id) for local_id in ids)
        assert sum(local_id.startswith("0") for local_id in ids) > len(ids) / 2

    def test_spreadsheet_ids_are_text_cells(self, community):
        (workbook,) = [r for r in community.rosters if is_xlsx(r)]
        column = headers(workbook).index("Participant ID")
        ids = [row[column] for row in raw_rows(workbook)]

        assert all(isinstance(local_id, str) for local_id in ids)
        assert any(str(local_id).startswith("00") for local_id in ids)

    def test_each_organization_has_its_own_id_scheme(self, community):
        shapes: dict[str, set[str]] = {}
        for roster in community.rosters:
            for record in records(roster):
                shape = re.sub(r"\d", "9", str(record["local_id"]))
                shapes.setdefault(roster.organization, set()).add(shape)

        assert all(len(found) == 1 for found in shapes.values()), shapes
        assert len({found.pop() for found in shapes.values()}) == len(shapes)

    def test_one_organization_keeps_one_id_for_a_child_in_two_programs(self, community):
        after_school, teen_nights = _rosters_of(community, "heron-youth-club")
        first = dict(zip(after_school.truth, records(after_school), strict=True))
        both = [
            (first[person]["local_id"], record["local_id"])
            for person, record in zip(
                teen_nights.truth, records(teen_nights), strict=True
            )
            if person in first
        ]

        assert both
        assert all(a == b for a, b in both)

    def test_some_program_rosters_carry_the_state_id_for_some_children(self, community):
        school = district_by_person(community)
        carried = blank = 0
        for roster in program_rosters(community):
            if "State ID" not in headers(roster):
                continue
            for person, record in zip(roster.truth, records(roster), strict=True):
                if record["state_id"]:
                    assert record["state_id"] == school[person]["state_id"]
                    carried += 1
                else:
                    blank += 1

        assert carried > 50
        assert blank > 50


def _of_kind(community: DemoCommunity, kind: str) -> list:
    return [org for org in community.organizations if org.kind == kind]


def _rosters_of(community: DemoCommunity, slug: str) -> list:
    return [r for r in community.rosters if r.organization == slug]
