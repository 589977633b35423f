"""Gender, grade, ZIP code, email and phone values, and the text kept."""

import pytest

from braid.children.models import Gender, SourceRecord
from braid.intake.parsing import Field
from braid.intake.parsing.values import (
    FEMALE,
    MALE,
    MAX_LENGTHS,
    NONBINARY,
    UNKNOWN,
    Invalid,
    normalize_gender,
    normalize_grade,
    normalize_phone,
    normalize_zip,
)

from .helpers import HEADER, codes, only, read_csv, read_xlsx, values


def read_column(header: str, *cells: str):
    rows = [
        f"{n},Child{n},Family{n},2015-03-07,{cell}" for n, cell in enumerate(cells, 1)
    ]
    return read_csv(f"{HEADER},{header}", *rows)


class TestGender:
    def test_its_codes_are_those_of_the_model(self):
        assert {FEMALE, MALE, NONBINARY, UNKNOWN} == set(Gender.values)

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            *[(word, "F") for word in ("F", "female", "Girl", "W", "WOMAN")],
            *[(word, "M") for word in ("m", "Male", "boy", "Man")],
            *[(word, "X") for word in ("X", "Nonbinary", "non-binary", "Other")],
            *[(word, "U") for word in ("U", "", "Unknown", "Not reported", "Declined")],
        ],
    )
    def test_it_accepts_the_usual_words_in_any_case(self, text, code):
        assert normalize_gender(text) == code

    def test_a_blank_gender_in_the_file_is_not_reported(self):
        roster = read_column("Gender", "", "Female")

        assert values(roster, Field.GENDER) == ["U", "F"]

    def test_an_absent_gender_column_leaves_the_value_empty(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07")

        assert values(roster, Field.GENDER) == [""]

    def test_it_reports_anything_else_listing_what_is_accepted(self):
        roster = read_column("Sex", "Female", "Q7")

        error = only(roster.errors, "invalid_gender")
        assert (error.line, error.column) == (3, "Sex")
        assert "F (female)" in error.message
        assert "U (not reported)" in error.message
        assert "Q7" not in error.message


class TestGrade:
    @pytest.mark.parametrize(
        ("text", "grade"),
        [
            ("PK", "PK"),
            ("Pre-K", "PK"),
            ("PreK", "PK"),
            ("Preschool", "PK"),
            ("TK", "TK"),
            ("K", "K"),
            ("KG", "K"),
            ("Kindergarten", "K"),
            ("0", "K"),
            ("00", "K"),
            ("01", "1"),
            ("1st", "1"),
            ("First", "1"),
            ("Grade 3", "3"),
            ("3rd grade", "3"),
            ("12th", "12"),
            ("twelfth grade", "12"),
            ("3.0", "3"),
            ("", ""),
        ],
    )
    def test_it_normalizes_the_usual_forms(self, text, grade):
        assert normalize_grade(text) == grade

    @pytest.mark.parametrize(
        "text", ["13", "Ungraded", "grade", "PK4", "1.5", "1-2", "1.0.0"]
    )
    def test_it_refuses_other_grades(self, text):
        with pytest.raises(Invalid) as raised:
            normalize_grade(text)

        assert raised.value.code == "invalid_grade"

    def test_it_reports_a_bad_grade_on_its_row(self):
        roster = read_column("Grade Level", "3rd", "Sophomore")

        error = only(roster.errors, "invalid_grade")
        assert (error.line, error.column) == (3, "Grade Level")
        assert values(roster, Field.GRADE) == ["3"]


class TestZipCode:
    @pytest.mark.parametrize(
        ("text", "zip_code"),
        [
            ("02134", "02134"),
            ("02134-1234", "02134-1234"),
            ("021341234", "02134-1234"),
            ("02134 1234", "02134-1234"),
            ("", ""),
        ],
    )
    def test_it_keeps_five_digits_or_zip_plus_four_with_leading_zeros(
        self, text, zip_code
    ):
        assert normalize_zip(text) == zip_code

    def test_it_gives_four_digits_back_the_leading_zero_a_spreadsheet_dropped(self):
        assert normalize_zip("2134") == "02134"

    @pytest.mark.parametrize(
        "text", ["SW1A 1AA", "1234567", "02134-12", "213", "2134-5678", "２１３４"]
    )
    def test_it_refuses_anything_else(self, text):
        with pytest.raises(Invalid):
            normalize_zip(text)

    def test_one_notice_lists_the_lines_whose_zero_was_restored(self):
        roster = read_column("ZIP", "2134", "02134", "1001", "10001")

        assert roster.ok, roster.errors
        assert values(roster, Field.ZIP_CODE) == ["02134", "02134", "01001", "10001"]
        notice = only(roster.notices, "zip_leading_zero")
        assert notice.column == "ZIP"
        assert notice.message.startswith("2 ZIP codes have 4 digits (lines 2, 4).")

    def test_the_notice_shows_twenty_lines_then_how_many_more(self):
        roster = read_column("ZIP", *["2134"] * 23)

        notice = only(roster.notices, "zip_leading_zero")
        lines = ", ".join(str(line) for line in range(2, 22))
        assert f"(lines {lines} and 3 more)" in notice.message

    def test_a_zip_code_kept_as_a_number_gets_its_zero_back_without_a_notice(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB", "ZIP"],
                [1, "Ana", "Ruiz", "2015-03-07", 2134],
            ]
        )

        assert values(roster, Field.ZIP_CODE) == ["02134"]
        assert "zip_leading_zero" not in codes(roster.notices)

    def test_a_row_refused_for_another_reason_is_not_listed(self):
        rows = [
            "1,Ana,Ruiz,2015-03-07,2134",
            "2,Lior,Baum,2015-02-31,2134",
        ]
        roster = read_csv(f"{HEADER},ZIP", *rows)

        assert codes(roster.errors) == ["impossible_date"]
        assert "(line 2)" in only(roster.notices, "zip_leading_zero").message


class TestEmailAndPhone:
    def test_it_reports_a_guardian_email_that_is_not_an_address(self):
        roster = read_column(
            "Parent Email", "pat.okafor@example.org", "pat.okafor at home"
        )

        error = only(roster.errors, "invalid_email")
        assert (error.line, error.column) == (3, "Parent Email")
        assert "okafor" not in error.message
        assert values(roster, Field.GUARDIAN_EMAIL) == ["pat.okafor@example.org"]

    @pytest.mark.parametrize(
        "text", ["(555) 123-4567", "+1 555.123.4567", "555-123-4567 x12", "5551234567"]
    )
    def test_it_keeps_phone_numbers_as_written(self, text):
        assert normalize_phone(text) == text

    @pytest.mark.parametrize("text", ["call mom", "555-CALL", "()"])
    def test_it_flags_phone_numbers_with_letters_or_no_digits(self, text):
        with pytest.raises(Invalid):
            normalize_phone(text)

    def test_it_reports_a_bad_guardian_phone_on_its_row(self):
        roster = read_column("Guardian Phone", "555-0100", "ask office")

        assert only(roster.errors, "invalid_phone").line == 3


class TestText:
    def test_text_values_are_cleaned_but_keep_their_spelling(self):
        roster = read_column("School", "  Oak\u00a0Hill   Elementary ")

        assert values(roster, Field.SCHOOL) == ["Oak Hill Elementary"]

    def test_ids_keep_leading_zeros_and_stay_strings(self):
        roster = read_csv(HEADER + ",SSID", "00123,Ana,Ruiz,2015-03-07,0004567")

        assert values(roster, Field.LOCAL_ID) == ["00123"]
        assert values(roster, Field.STATE_ID) == ["0004567"]

    @pytest.mark.parametrize("field", list(MAX_LENGTHS))
    def test_the_length_limits_are_those_of_the_model(self, field):
        model_field = SourceRecord._meta.get_field(field.value)

        assert MAX_LENGTHS[field] == getattr(model_field, "max_length", None)

    def test_it_reports_a_value_too_long_to_keep(self):
        roster = read_column("Suffix", "J" * 21)

        error = only(roster.errors, "too_long")
        assert (error.line, error.column) == (2, "Suffix")
        assert "20" in error.message

    def test_it_reports_a_missing_required_value(self):
        roster = read_csv(HEADER, "   ,Ana,Ruiz,2015-03-07")

        error = only(roster.errors, "missing_value")
        assert (error.line, error.column) == (2, "Student ID")
        assert "local ID" in error.message
