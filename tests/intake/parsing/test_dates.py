"""Dates of birth: the forms read, the order of day and month, the checks."""

import datetime

import pytest

from braid.intake.parsing import Field

from .helpers import HEADER, codes, only, read_csv, read_xlsx, values

D = datetime.date


def read_dates(*dates: str, **options):
    rows = [f"{n},Child{n},Family{n},{date}" for n, date in enumerate(dates, 1)]
    return read_csv(HEADER, *rows, **options)


class TestForms:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2015-03-07", D(2015, 3, 7)),
            ("2015-3-7", D(2015, 3, 7)),
            ("2015/03/07", D(2015, 3, 7)),
            ("2015-03-07 00:00:00", D(2015, 3, 7)),
            ("2015-03-07T00:00", D(2015, 3, 7)),
            ("42070", D(2015, 3, 7)),
            ("42070.0", D(2015, 3, 7)),
        ],
    )
    def test_it_reads_unambiguous_forms(self, text, expected):
        roster = read_dates(text)

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [expected]
        assert roster.date_format is None

    def test_it_reads_month_first_dates_with_slashes_or_dashes(self):
        roster = read_dates("3/7/2015", "12-25-2014", "03/13/2016")

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [
            D(2015, 3, 7),
            D(2014, 12, 25),
            D(2016, 3, 13),
        ]

    def test_it_refuses_a_time_other_than_midnight(self):
        roster = read_dates("2015-03-07T23:00:00Z")

        assert codes(roster.errors) == ["invalid_date"]

    @pytest.mark.parametrize("text", ["2015", "20150307", "150307", "1234"])
    def test_it_takes_only_five_digit_numbers_for_excel_serials(self, text):
        roster = read_dates(text)

        assert codes(roster.errors) == ["invalid_date"]


class TestOrder:
    def test_it_infers_month_first_from_a_day_above_12(self):
        roster = read_dates("4/2/2015", "4/23/2015")

        assert values(roster, Field.BIRTH_DATE) == [D(2015, 4, 2), D(2015, 4, 23)]
        assert roster.date_format == "%m/%d/%Y"
        notice = only(roster.notices, "date_format_inferred")
        assert "month/day/year" in notice.message
        assert "line 3" in notice.message
        assert notice.column == "Birthdate"

    def test_it_infers_day_first_from_a_first_part_above_12(self):
        roster = read_dates("4/2/2015", "23/4/2015")

        assert values(roster, Field.BIRTH_DATE) == [D(2015, 2, 4), D(2015, 4, 23)]
        assert roster.date_format == "%d/%m/%Y"
        assert "day/month/year" in only(roster.notices, "date_format_inferred").message

    def test_it_rejects_a_file_with_both_orders(self):
        roster = read_dates("4/23/2015", "23/4/2015", "1/2/2015")

        error = only(roster.errors, "conflicting_date_formats")
        assert error.line is None
        assert error.lines == (2, 3)
        assert roster.rows == []

    def test_it_names_the_lines_of_both_orders_in_file_order(self):
        roster = read_dates("13/04/2015", "05/26/2014")

        error = only(roster.errors, "conflicting_date_formats")
        assert error.lines == (2, 3)
        assert "month first (line 3)" in error.message
        assert "day first (line 2)" in error.message

    def test_an_impossible_date_is_not_taken_as_evidence_of_an_order(self):
        roster = read_dates("02/31/2016", "4/2/2015")

        assert "date_format_inferred" not in codes(roster.notices)
        assert codes(roster.errors) == ["ambiguous_dates", "impossible_date"]
        assert only(roster.errors, "impossible_date").line == 2

    def test_an_impossible_date_does_not_outweigh_a_real_one(self):
        roster = read_dates("31/04/2015", "4/23/2015", "4/2/2015")

        notice = only(roster.notices, "date_format_inferred")
        assert "month/day/year: on line 3" in notice.message
        assert codes(roster.errors) == ["impossible_date"]
        assert values(roster, Field.BIRTH_DATE) == [D(2015, 4, 23), D(2015, 4, 2)]

    def test_a_file_whose_only_slashed_date_is_impossible_needs_no_order(self):
        # As in a tester's file mixing ISO dates with 02/31/2016.
        roster = read_dates("2015-02-31", "2014-15-01", "02/31/2016", "2016-01-05")

        assert codes(roster.errors) == ["impossible_date"] * 3
        assert [error.line for error in roster.errors] == [2, 3, 4]
        assert roster.notices == []
        assert values(roster, Field.BIRTH_DATE) == [D(2016, 1, 5)]

    def test_it_rejects_a_file_whose_dates_could_be_read_either_way(self):
        roster = read_dates("4/2/2015", "1/12/2014", "2015-06-30")

        error = only(roster.errors, "ambiguous_dates")
        assert error.line is None
        assert "--date-format %m/%d/%Y" in error.message
        assert "%d/%m/%Y" in error.message
        assert "%%" not in error.message
        assert [row.line for row in roster.rows] == [4]

    def test_it_still_reports_impossible_dates_in_an_ambiguous_file(self):
        roster = read_dates("4/2/2015", "13/14/2015")

        assert codes(roster.errors) == ["ambiguous_dates", "impossible_date"]

    def test_it_uses_a_declared_format_for_every_text_date(self):
        roster = read_dates("4/2/2015", "1/12/2014", date_format="%d/%m/%Y")

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [D(2015, 2, 4), D(2014, 12, 1)]
        assert roster.date_format == "%d/%m/%Y"
        assert "date_format_inferred" not in codes(roster.notices)

    def test_a_declared_format_rejects_dates_in_another_form(self):
        roster = read_dates("04.02.2015", "2015-02-04", date_format="%d.%m.%Y")

        assert values(roster, Field.BIRTH_DATE) == [D(2015, 2, 4)]
        error = only(roster.errors, "invalid_date")
        assert error.line == 3
        assert "%d.%m.%Y" in error.message

    def test_it_refuses_a_declared_format_with_a_two_digit_year(self):
        roster = read_dates("4/2/15", date_format="%m/%d/%y")

        assert codes(roster.errors) == ["two_digit_year_format"]
        assert roster.rows == []

    @pytest.mark.parametrize("date_format", ["%m/%Y", "%Q", "%d/%d/%Y", "hello"])
    def test_it_refuses_a_declared_format_that_is_not_a_date(self, date_format):
        roster = read_dates("4/2/2015", date_format=date_format)

        assert codes(roster.errors) == ["invalid_date_format"]


class TestRowErrors:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("3/7/15", "two_digit_year"),
            ("02/31/2015", "impossible_date"),
            ("2015-02-31", "impossible_date"),
            ("15/15/2015", "impossible_date"),
            ("2015-15-01", "impossible_date"),
            ("2026-01-01", "future_date"),
            ("1/13/2031", "future_date"),
            ("1899-12-31", "early_date"),
            ("March 7th", "invalid_date"),
        ],
    )
    def test_it_reports_a_bad_date_on_its_row(self, text, code):
        roster = read_dates("2015-03-07", text)

        error = only(roster.errors, code)
        assert (error.line, error.column) == (3, "Birthdate")
        assert [row.line for row in roster.rows] == [2]

    def test_it_masks_the_date_in_its_message(self):
        roster = read_dates("2015-03-07", "02/31/2015")

        message = only(roster.errors, "impossible_date").message
        assert "**/**/****" in message
        assert "02/31/2015" not in message

    def test_a_birth_after_the_day_the_roster_describes_is_an_error(self):
        roster = read_dates("2015-03-07", "2025-05-15", as_of=D(2025, 5, 1))

        error = only(roster.errors, "after_as_of")
        assert (error.line, error.column) == (3, "Birthdate")
        assert "is after 2025-05-01, the day the roster describes" in error.message
        assert "2025-05-15" not in error.message
        assert [row.line for row in roster.rows] == [2]

    def test_a_birth_on_the_day_the_roster_describes_is_kept(self):
        roster = read_dates("2025-05-01", as_of=D(2025, 5, 1))

        assert roster.ok, roster.errors

    def test_a_date_of_today_is_not_in_the_future(self):
        roster = read_dates("2025-06-01")

        assert roster.ok, roster.errors

    def test_a_declared_format_still_reports_impossible_dates(self):
        roster = read_dates("31/02/2015", date_format="%d/%m/%Y")

        assert codes(roster.errors) == ["impossible_date"]


class TestBlankDates:
    def test_a_blank_date_leaves_the_row_kept_without_one(self):
        roster = read_dates("2015-03-07", "", " \u200b ")

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [D(2015, 3, 7), None, None]
        assert only(roster.notices, "no_birth_date").column == "Birthdate"

    def test_a_file_with_no_dates_at_all_needs_no_date_format(self):
        roster = read_dates("", "")

        assert roster.ok, roster.errors
        assert roster.date_format is None
        assert values(roster, Field.BIRTH_DATE) == [None, None]

    def test_blank_dates_do_not_settle_the_order_of_day_and_month(self):
        roster = read_dates("4/2/2015", "", "1/12/2014")

        assert codes(roster.errors) == ["ambiguous_dates"]

    def test_blank_dates_do_not_stop_the_order_being_inferred(self):
        roster = read_dates("4/2/2015", "", "4/23/2015")

        assert roster.ok, roster.errors
        assert roster.date_format == "%m/%d/%Y"
        assert values(roster, Field.BIRTH_DATE) == [D(2015, 4, 2), None, D(2015, 4, 23)]

    def test_an_empty_spreadsheet_cell_is_a_blank_date(self):
        roster = read_xlsx(
            [
                ["Student ID", "First Name", "Last Name", "Birthdate"],
                ["1", "Ana", "Ruiz", datetime.date(2015, 3, 7)],
                ["2", "Lior", "Baum", None],
            ]
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [D(2015, 3, 7), None]
