"""The mess real rosters have, each kind present where linkage will meet it."""

import datetime
import io
import re
import unicodedata
import zipfile
from collections import defaultdict

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from braid.demo.generator.names import NICKNAMES
from tests.demo.reading import (
    delimiter,
    district,
    encoding,
    is_xlsx,
    pairs_with_district,
    raw_rows,
    records,
    text,
)


def _plain(name: object) -> str:
    decomposed = unicodedata.normalize("NFKD", str(name))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _one_slip_apart(a: str, b: str) -> bool:
    """Tell whether b is a with two letters swapped, one dropped or doubled."""
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    shorter, longer = sorted((a, b), key=len)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))


class TestFiles:
    def test_one_roster_is_windows_1252_with_accented_names(self, community):
        (roster,) = [r for r in community.rosters if encoding(r) == "cp1252"]
        content = text(roster)

        with pytest.raises(UnicodeDecodeError):
            roster.content.decode("utf-8")
        assert sum(name in content for name in ("José", "Zoë", "Inés")) >= 2
        assert {"é", "í"} <= set(content)
        assert {"ë", "ï", "ö"} & set(content)

    def test_one_roster_is_semicolon_delimited(self, community):
        semicolon = [
            r for r in community.rosters if not is_xlsx(r) and delimiter(r) == ";"
        ]

        assert len(semicolon) == 1
        assert all(len(row) == 9 for row in raw_rows(semicolon[0]))

    def test_one_roster_is_a_workbook_with_real_date_cells(self, community):
        (roster,) = [r for r in community.rosters if is_xlsx(r)]
        sheet = load_workbook(io.BytesIO(roster.content)).active
        assert sheet is not None
        cells = [row[4] for row in sheet.iter_rows(min_row=2)]

        assert sheet.cell(1, 5).value == "Date of Birth"
        assert all(isinstance(cell.value, datetime.datetime) for cell in cells)
        assert all(isinstance(cell, Cell) and cell.is_date for cell in cells)

    def test_the_workbook_carries_no_time_of_the_run(self, community):
        (roster,) = [r for r in community.rosters if is_xlsx(r)]
        archive = zipfile.ZipFile(io.BytesIO(roster.content))

        assert {entry.date_time for entry in archive.infolist()} == {
            (2026, 9, 1, 8, 0, 0)
        }

    def test_one_utf8_roster_starts_with_a_byte_order_mark(self, community):
        marked = [r for r in community.rosters if encoding(r) == "utf-8-sig"]

        assert len(marked) == 1
        assert [encoding(r) for r in community.rosters].count("utf-8") >= 3

    def test_us_dates_left_undeclared_show_a_day_past_twelve(self, community):
        undeclared = [
            r
            for r in community.rosters
            if not is_xlsx(r) and r.date_format is None and "/" in text(r)
        ]

        assert len(undeclared) >= 1
        for roster in undeclared:
            column = [
                str(row[i])
                for row in raw_rows(roster)
                for i, value in enumerate(row)
                if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", str(value))
            ]
            days = [int(value.split("/")[1]) for value in column]
            assert len(column) == len(raw_rows(roster))
            assert max(days) > 12, roster.filename

    def test_the_day_first_roster_declares_its_format(self, community):
        (roster,) = [r for r in community.rosters if r.date_format == "%d/%m/%Y"]
        dates = [str(row[3]) for row in raw_rows(roster)]

        assert any(int(value.split("/")[0]) > 12 for value in dates)
        with pytest.raises(ValueError):
            for value in dates:
                datetime.datetime.strptime(value, "%m/%d/%Y")

    def test_date_formats_differ_between_rosters(self, community):
        styles = set()
        for roster in community.rosters:
            if is_xlsx(roster):
                styles.add("cell")
                continue
            sample = text(roster)
            if re.search(r"\b\d{4}-\d{2}-\d{2}\b", sample):
                styles.add("iso")
            if re.search(r"\b\d{1,2}/\d{1,2}/\d{4}\b", sample):
                styles.add(roster.date_format or "undeclared slashes")

        assert styles >= {"cell", "iso", "undeclared slashes", "%d/%m/%Y"}


class TestFamilies:
    def test_twins_share_birth_date_surname_address_and_guardian(self, community):
        families = defaultdict(list)
        for record in records(district(community)):
            key = (
                record["birth_date"],
                record["last_name"],
                record["address"],
                record["guardian_name"],
            )
            families[key].append(record["first_name"])
        multiples = [names for names in families.values() if len(names) > 1]

        assert len(multiples) >= 25
        assert any(len(names) == 3 for names in multiples)
        assert all(len(set(names)) == len(names) for names in multiples)

    def test_some_twins_have_names_a_letter_or_two_apart(self, community):
        families = defaultdict(set)
        for record in records(district(community)):
            key = (record["birth_date"], record["last_name"], record["address"])
            families[key].add(str(record["first_name"]))
        near = [
            names
            for names in families.values()
            if len(names) == 2 and _near(*sorted(names))
        ]

        assert len(near) >= 3

    def test_program_rosters_list_twins_together(self, community):
        school = {
            person: (record["birth_date"], record["address"])
            for person, record in zip(
                district(community).truth, records(district(community)), strict=True
            )
        }
        together = 0
        for roster in community.rosters[1:]:
            seen = [school[p] for p in roster.truth if p in school]
            together += len(seen) - len(set(seen))

        assert together >= 10


class TestNames:
    def test_program_rosters_use_nicknames_and_other_spellings(self, community):
        nicknamed = {
            (str(school["first_name"]), str(program["first_name"]))
            for _, program, school in pairs_with_district(community)
            if program["first_name"] in NICKNAMES.get(str(school["first_name"]), ())
        }

        short_forms = {(a, b) for a, b in nicknamed if len(b) <= len(a) - 2}
        respellings = {
            (a, b)
            for a, b in nicknamed
            if abs(len(a) - len(b)) <= 1 and _plain(a)[0] == _plain(b)[0]
        }

        assert len(nicknamed) >= 20
        assert len({formal for formal, _ in nicknamed}) >= 10
        assert len(short_forms) >= 5
        assert len(respellings) >= 3

    def test_some_names_have_a_typo(self, community):
        slips = [
            (school["last_name"], program["last_name"])
            for _, program, school in pairs_with_district(community)
            if _one_slip_apart(
                _plain(school["last_name"]), _plain(program["last_name"])
            )
        ]

        assert len(slips) >= 10

    def test_two_part_surnames_are_given_differently(self, community):
        variants = set()
        for _, program, school in pairs_with_district(community):
            surname, given = str(school["last_name"]), str(program["last_name"])
            parts = re.split(r"[- ]", surname)
            forms = {_plain(p) for p in parts} | {
                _plain(" ".join(parts)),
                _plain("-".join(parts)),
            }
            if len(parts) == 2 and _plain(given) in forms - {_plain(surname)}:
                variants.add((surname, given))

        assert len(variants) >= 20
        assert any("-" in a and " " in b for a, b in variants)
        assert any(" " not in b and "-" not in b for a, b in variants)

    def test_first_and_last_names_are_swapped_on_some_rows(self, community):
        swapped = [
            program
            for _, program, school in pairs_with_district(community)
            if school["first_name"] != school["last_name"]
            and _plain(program["first_name"]) == _plain(school["last_name"])
            and _plain(program["last_name"]) == _plain(school["first_name"])
        ]

        assert len(swapped) >= 10

    def test_names_come_from_many_languages(self, community):
        names = {
            str(record["last_name"]) for record in records(district(community))
        } | {str(record["first_name"]) for record in records(district(community))}

        assert sum(not name.isascii() for name in names) > 100
        assert {"Nguyen", "Tran"} & names
        assert any(name.endswith(("ez", "es")) for name in names)
        assert "O'Neil" in names
        assert "D\u2019Angelo" in names

    def test_apostrophes_are_written_more_than_one_way(self, community):
        forms = {
            str(program["last_name"])
            for _, program, school in pairs_with_district(community)
            if school["last_name"] in {"O'Neil", "D\u2019Angelo"}
        }

        assert forms & {"O\u2019Neil", "ONeil", "D'Angelo", "DAngelo"}


class TestBirthDates:
    def test_day_and_month_are_swapped_on_some_rows(self, community):
        swaps = []
        for _, program, school in pairs_with_district(community):
            born, written = school["birth_date"], program["birth_date"]
            assert isinstance(born, datetime.date)
            if written != born:
                assert written == born.replace(day=born.month, month=born.day)
                swaps.append(written)

        assert len(swaps) >= 5


def _near(a: str, b: str) -> bool:
    if a == b:
        return False
    shorter, longer = sorted((a, b), key=len)
    common = 0
    while common < len(shorter) and shorter[common] == longer[common]:
        common += 1
    return len(longer) - common <= 2
