"""Finding columns by their headers, and the mapping a person can change."""

import pytest

from braid.intake.parsing import IGNORE, SYNONYMS, Field, suggest_mapping
from braid.intake.parsing.columns import header_key, match_header

from .helpers import HEADER, codes, only, read_csv, values

# The headers the issue names, with the field each must find.
NAMED_SYNONYMS = [
    ("Student ID", Field.LOCAL_ID),
    ("ID", Field.LOCAL_ID),
    ("Participant ID", Field.LOCAL_ID),
    ("Local ID", Field.LOCAL_ID),
    ("Student Number", Field.LOCAL_ID),
    ("Member ID", Field.LOCAL_ID),
    ("First Name", Field.FIRST_NAME),
    ("Given Name", Field.FIRST_NAME),
    ("Forename", Field.FIRST_NAME),
    ("Surname", Field.LAST_NAME),
    ("Last Name", Field.LAST_NAME),
    ("Family Name", Field.LAST_NAME),
    ("Birthdate", Field.BIRTH_DATE),
    ("Birth Date", Field.BIRTH_DATE),
    ("Date of Birth", Field.BIRTH_DATE),
    ("DOB", Field.BIRTH_DATE),
    ("Sex", Field.GENDER),
    ("Gender", Field.GENDER),
    ("Grade", Field.GRADE),
    ("Grade Level", Field.GRADE),
    ("School", Field.SCHOOL),
    ("School Name", Field.SCHOOL),
    ("ZIP", Field.ZIP_CODE),
    ("Zip Code", Field.ZIP_CODE),
    ("Postal Code", Field.ZIP_CODE),
    ("Postcode", Field.ZIP_CODE),
    ("Address", Field.ADDRESS),
    ("Street Address", Field.ADDRESS),
    ("Guardian Name", Field.GUARDIAN_NAME),
    ("Parent Name", Field.GUARDIAN_NAME),
    ("Guardian Phone", Field.GUARDIAN_PHONE),
    ("Parent Phone", Field.GUARDIAN_PHONE),
    ("Guardian Email", Field.GUARDIAN_EMAIL),
    ("Parent Email", Field.GUARDIAN_EMAIL),
    ("State ID", Field.STATE_ID),
    ("State Student ID", Field.STATE_ID),
    ("SSID", Field.STATE_ID),
    ("Middle Name", Field.MIDDLE_NAME),
    ("Middle Initial", Field.MIDDLE_NAME),
    ("Suffix", Field.SUFFIX),
]


class TestHeaders:
    @pytest.mark.parametrize(("header", "field"), NAMED_SYNONYMS)
    def test_it_knows_the_common_synonyms(self, header, field):
        assert match_header(header) == field

    @pytest.mark.parametrize(
        "header",
        [
            "student_id",
            "STUDENT ID",
            "StudentID",
            "student-id",
            "\ufeffStudent ID",
            "Student\u00a0ID",
            " Student  ID ",
        ],
    )
    def test_it_compares_headers_without_case_spaces_punctuation_or_a_bom(self, header):
        assert match_header(header) == Field.LOCAL_ID

    def test_it_reads_a_file_whose_headers_are_written_differently(self):
        roster = read_csv(
            "\ufeffSTUDENT_ID,first\u00a0name,Last-Name,D.O.B.",
            "00123,Ana,Ruiz,2015-03-07",
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.LOCAL_ID) == ["00123"]

    @pytest.mark.parametrize(
        ("header", "field"),
        [
            ("CHILD_FIRST_NAME", Field.FIRST_NAME),
            ("Student Gender", Field.GENDER),
            ("Date of Birth (MM/DD/YYYY)", Field.BIRTH_DATE),
            ("Student #", Field.LOCAL_ID),
        ],
    )
    def test_it_sees_through_a_child_prefix_or_a_note_in_brackets(self, header, field):
        assert match_header(header) == field

    @pytest.mark.parametrize("header", ["Email", "Phone", "Student Email", "Name"])
    def test_it_leaves_headers_that_may_be_the_childs_own_unmapped(self, header):
        assert match_header(header) is None

    def test_no_two_fields_share_a_synonym(self):
        owners: dict[str, set[Field]] = {}
        for field, synonyms in SYNONYMS.items():
            for synonym in synonyms:
                owners.setdefault(header_key(synonym), set()).add(field)

        assert all(len(fields) == 1 for fields in owners.values())

    @pytest.mark.parametrize("field", list(Field))
    def test_every_field_has_synonyms_a_page_can_show(self, field):
        assert all(match_header(synonym) == field for synonym in SYNONYMS[field])

    def test_it_suggests_a_mapping_for_the_headers_it_knows(self):
        suggestion = suggest_mapping(["Pupil ID", "Forename", "Shoe Size", "Surname"])

        assert suggestion == {
            "Pupil ID": Field.LOCAL_ID,
            "Forename": Field.FIRST_NAME,
            "Surname": Field.LAST_NAME,
        }


class TestColumnChecks:
    def test_it_reports_unknown_headers_as_unused_columns(self):
        roster = read_csv(HEADER + ",Shoe Size", "1,Ana,Ruiz,2015-03-07,32")

        assert roster.ok
        assert roster.unused_columns == ["Shoe Size"]
        assert only(roster.notices, "unused_column").column == "Shoe Size"

    def test_it_rejects_a_roster_without_dob(self):
        roster = read_csv("Student ID,First Name,Last Name,Shoe Size", "1,Ana,Ruiz,32")

        error = only(roster.errors, "missing_column")
        assert "date of birth" in error.message
        for header in ("Student ID", "First Name", "Last Name", "Shoe Size"):
            assert f"“{header}”" in error.message
        assert roster.rows == []

    def test_it_reports_each_missing_required_column(self):
        roster = read_csv("Nickname,Shoe Size", "Ana,32")

        assert codes(roster.errors) == ["missing_column"] * 4

    def test_it_rejects_two_columns_for_the_same_field_naming_both(self):
        roster = read_csv(
            "Student ID,Student Number,First Name,Last Name,DOB",
            "1,77,Ana,Ruiz,2015-03-07",
        )

        error = only(roster.errors, "duplicate_column")
        assert "“Student ID”" in error.message
        assert "“Student Number”" in error.message
        assert "missing_column" not in codes(roster.errors)


class TestOverrides:
    def test_an_override_maps_an_unknown_header(self):
        roster = read_csv(
            "Kid Code,First Name,Last Name,DOB",
            "K-1,Ana,Ruiz,2015-03-07",
            overrides={"Kid Code": "local_id"},
        )

        assert roster.ok, roster.errors
        assert roster.mapping["Kid Code"] == Field.LOCAL_ID
        assert values(roster, Field.LOCAL_ID) == ["K-1"]

    def test_an_override_takes_the_field_from_the_column_the_synonyms_chose(self):
        roster = read_csv(
            "Student ID,Student Number,First Name,Last Name,DOB",
            "1,77,Ana,Ruiz,2015-03-07",
            overrides={"Student Number": "local_id"},
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.LOCAL_ID) == ["77"]
        assert roster.unused_columns == ["Student ID"]

    def test_an_override_can_leave_a_column_out(self):
        roster = read_csv(
            "Student ID,Student Number,First Name,Last Name,DOB",
            "1,77,Ana,Ruiz,2015-03-07",
            overrides={"Student Number": IGNORE},
        )

        assert roster.ok, roster.errors
        assert "Student Number" not in roster.mapping
        assert values(roster, Field.LOCAL_ID) == ["1"]

    def test_two_overrides_to_one_field_are_an_error(self):
        roster = read_csv(
            "A,B,First Name,Last Name,DOB",
            "1,77,Ana,Ruiz,2015-03-07",
            overrides={"A": "local_id", "B": "local_id"},
        )

        assert codes(roster.errors) == ["duplicate_column"]

    def test_an_override_naming_an_unknown_field_is_a_file_error(self):
        roster = read_csv(
            HEADER, "1,Ana,Ruiz,2015-03-07", overrides={"Student ID": "shoe"}
        )

        error = only(roster.errors, "override_unknown_field")
        assert error.line is None
        assert error.column == "Student ID"
        assert "local_id" in error.message

    def test_an_override_naming_a_header_not_in_the_file_is_a_file_error(self):
        roster = read_csv(
            HEADER, "1,Ana,Ruiz,2015-03-07", overrides={"Student": "local_id"}
        )

        error = only(roster.errors, "override_unknown_column")
        assert "“Student”" in error.message
        assert roster.rows == []

    @pytest.mark.parametrize(
        "given", ["kid number", "KID_NUMBER", "\ufeffKid Number", "Kid\u00a0Number "]
    )
    def test_an_override_finds_its_header_as_header_detection_does(self, given):
        roster = read_csv(
            "Kid Number,First Name,Last Name,DOB",
            "K-1,Ana,Ruiz,2015-03-07",
            overrides={given: "local_id"},
        )

        assert roster.ok, roster.errors
        assert roster.mapping["Kid Number"] == Field.LOCAL_ID
        assert values(roster, Field.LOCAL_ID) == ["K-1"]

    def test_an_override_written_exactly_wins_over_a_lookalike_header(self):
        roster = read_csv(
            "Kid Number,kid-number,First Name,Last Name,DOB",
            "K-1,K-2,Ana,Ruiz,2015-03-07",
            overrides={"kid-number": "local_id"},
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.LOCAL_ID) == ["K-2"]

    def test_an_override_matching_two_columns_is_refused_naming_both(self):
        roster = read_csv(
            "Kid Number,kid-number,First Name,Last Name,DOB",
            "K-1,K-2,Ana,Ruiz,2015-03-07",
            overrides={"KID NUMBER": "local_id"},
        )

        error = only(roster.errors, "override_ambiguous_column")
        assert "“KID NUMBER”" in error.message
        assert "“Kid Number”, “kid-number”" in error.message
        assert roster.rows == []

    def test_an_override_of_punctuation_alone_matches_no_column(self):
        roster = read_csv(
            HEADER + ",", "1,Ana,Ruiz,2015-03-07,", overrides={"-": "local_id"}
        )

        assert codes(roster.errors) == ["override_unknown_column"]
