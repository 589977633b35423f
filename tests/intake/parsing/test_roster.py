"""The roster as a whole: duplicates, counts, the shape of rows and issues."""

import datetime
import json
import logging

from braid.intake.parsing import Field, Issue, read_roster

from .helpers import HEADER, TODAY, codes, csv_bytes, only, read_csv, values


class TestDuplicates:
    def test_it_rejects_one_id_on_rows_that_differ_naming_the_columns(self):
        roster = read_csv(
            HEADER + ",Grade",
            "A7,Ana,Ruiz,2015-03-07,3",
            "B2,Lior,Baum,2015-03-08,2",
            "A7,Anna,Ruiz,2015-03-07,4",
            "a7 ,Ana,Ruiz,2015-03-07,3",
        )

        error = only(roster.errors, "duplicate_id")
        assert error.lines == (2, 4, 5)
        assert "“First Name”" in error.message
        assert "“Grade”" in error.message
        assert "“Last Name”" not in error.message
        for personal in ("A7", "Anna", "Ana", "Ruiz"):
            assert personal not in error.message
        assert values(roster, Field.LOCAL_ID) == ["B2"]

    def test_it_names_the_column_when_only_one_differs(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "1,Ana,Ruiz,2015-03-09")

        assert only(roster.errors, "duplicate_id").column == "Birthdate"

    def test_it_reads_a_repeated_row_once_with_a_notice(self):
        roster = read_csv(
            HEADER + ",Gender",
            "1,Ana,Ruiz,2015-03-07,F",
            "2,Lior,Baum,2015-03-08,M",
            "1, Ana ,Ruiz,2015-03-07,Female",
        )

        assert roster.ok, roster.errors
        notice = only(roster.notices, "duplicate_row")
        assert notice.lines == (2, 4)
        assert "2, 4" in notice.message
        assert [row.line for row in roster.rows] == [2, 3]
        assert roster.row_count == 3

    def test_one_state_id_on_two_children_is_read_with_a_notice(self):
        roster = read_csv(
            HEADER + ",State ID",
            "1,Tess,Kilby,2013-07-07,S900006",
            "2,Uma,Lorne,2014-08-08,s900006 ",
            "3,Lior,Baum,2015-03-08,S900007",
        )

        assert roster.ok, roster.errors
        notice = only(roster.notices, "shared_state_id")
        assert (notice.lines, notice.column) == ((2, 3), "State ID")
        assert "Lines 2, 3 give one state student ID (S******)" in notice.message
        assert "900006" not in notice.message
        assert len(roster.rows) == 3

    def test_rows_with_errors_take_no_part_in_duplicate_checks(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "1,Ana,Ruiz,not a date")

        assert codes(roster.errors) == ["invalid_date"]
        assert [row.line for row in roster.rows] == [2]


class TestResult:
    def test_a_valid_row_has_every_field_with_clean_values(self):
        roster = read_csv(
            HEADER + ",Sex,Grade,Zip Code,Parent Email",
            "007, Ana  María ,Ruiz,3/17/2015,girl,kindergarten,02134,pat@example.org",
        )

        assert roster.ok, roster.errors
        row = roster.rows[0]
        assert row.line == 2
        assert set(row.values) == set(Field)
        assert row.values == {
            **dict.fromkeys(Field, ""),
            Field.LOCAL_ID: "007",
            Field.FIRST_NAME: "Ana María",
            Field.LAST_NAME: "Ruiz",
            Field.BIRTH_DATE: datetime.date(2015, 3, 17),
            Field.GENDER: "F",
            Field.GRADE: "K",
            Field.ZIP_CODE: "02134",
            Field.GUARDIAN_EMAIL: "pat@example.org",
        }

    def test_it_counts_data_rows_and_keeps_only_valid_ones(self):
        roster = read_csv(
            HEADER,
            "1,Ana,Ruiz,2015-03-07",
            "",
            "2,,,2015-03-08",
            "3,Mei,Tan,2015-03-09",
        )

        assert roster.row_count == 3
        assert [row.line for row in roster.rows] == [2, 5]
        assert not roster.ok

    def test_a_row_reports_every_problem_it_has(self):
        roster = read_csv(HEADER + ",Gender", "1,,,2015-02-30,Q")

        assert sorted(codes(roster.errors)) == [
            "impossible_date",
            "invalid_gender",
            "missing_value",
        ]
        assert {error.line for error in roster.errors} == {2}

    def test_issues_come_file_wide_first_then_by_line(self):
        roster = read_csv(
            HEADER + ",Gender",
            "1,Ana,Ruiz,4/2/2015,Q",
            "2,Lior,Baum,3/4/2015,F",
        )

        assert [error.line for error in roster.errors] == [None, 2]

    def test_personal_values_never_appear_in_messages(self):
        roster = read_csv(
            HEADER + ",Gender,Grade,ZIP,Guardian Email,Guardian Phone",
            "1,Quillon,Vashti,02/31/2015,Zorblat,Sophomore,Q1234,quillon-mail,QUILLON",
            "2,Odessa,Marchetti,3/7/15,F,3,02134,,",
            "3,Odessa,Marchetti,2030-01-02,F,3,02134,,",
        )

        messages = " ".join(issue.message for issue in roster.errors + roster.notices)
        assert len(roster.errors) == 8
        for personal in (
            "Quillon",
            "Vashti",
            "Zorblat",
            "Sophomore",
            "Q1234",
            "3/7/15",
        ):
            assert personal.casefold() not in messages.casefold()

    def test_issues_serialize_to_json(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "1,Ana,Ruiz,2015-03-08")

        data = json.loads(json.dumps([issue.as_dict() for issue in roster.errors]))

        assert data == [
            {
                "line": 2,
                "column": "Birthdate",
                "code": "duplicate_id",
                "message": roster.errors[0].message,
                "lines": [2, 3],
            }
        ]

    def test_a_file_that_cannot_be_read_gives_an_empty_roster(self):
        roster = read_roster(b"\x00\x01binary", "roster.csv", today=TODAY)

        assert roster.errors == [Issue("not_text", roster.errors[0].message)]
        assert (roster.rows, roster.headers, roster.row_count) == ([], [], 0)

    def test_it_logs_counts_and_no_personal_data(self, caplog):
        caplog.set_level(logging.DEBUG, logger="braid.intake.parsing")

        read_roster(csv_bytes(HEADER, "1,Ana,Ruiz,2015-03-07"), "ruiz.csv", today=TODAY)

        logged = " ".join(record.getMessage() for record in caplog.records)
        assert "1 rows" in logged
        assert "Ruiz" not in logged
        assert "ruiz" not in logged


class TestBlankValues:
    def test_rows_without_a_date_of_birth_are_kept_with_one_notice(self):
        roster = read_csv(
            HEADER,
            "1,Ana,Ruiz,2015-03-07",
            "2,Lior,Baum,",
            "3,Mei,Tan,2015-03-09",
            "4,Ines,Soto,  ",
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.BIRTH_DATE) == [
            datetime.date(2015, 3, 7),
            None,
            datetime.date(2015, 3, 9),
            None,
        ]
        notice = only(roster.notices, "no_birth_date")
        assert (notice.line, notice.column) == (None, "Birthdate")
        assert notice.message.startswith(
            "2 rows have no date of birth (lines 3, 5). They are kept and matched "
            "on what they do have"
        )

    def test_rows_without_a_first_name_are_kept_with_one_notice(self):
        roster = read_csv(
            HEADER, "1,,Ruiz,2015-03-07", "2,Lior,Baum,2015-03-08", "3,,Tan,2015-03-09"
        )

        assert roster.ok, roster.errors
        assert values(roster, Field.FIRST_NAME) == ["", "Lior", ""]
        notice = only(roster.notices, "no_first_name")
        assert notice.column == "First Name"
        assert "2 rows have no first name (lines 2, 4)" in notice.message
        assert codes(roster.notices) == ["no_first_name"]

    def test_a_single_row_without_a_last_name_is_named_in_the_singular(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "2,Lior,\u200b ,2015-03-08")

        assert roster.ok, roster.errors
        assert values(roster, Field.LAST_NAME) == ["Ruiz", ""]
        notice = only(roster.notices, "no_last_name")
        assert notice.column == "Last Name"
        assert notice.message.startswith(
            "1 row has no last name (line 3). It is kept and matched on what it "
            "does have"
        )

    def test_each_column_gets_its_own_notice(self):
        roster = read_csv(
            HEADER, "1,,Ruiz,", "2,Lior,,2015-03-08", "3,Mei,Tan,2015-03-09"
        )

        assert roster.ok, roster.errors
        assert sorted(codes(roster.notices)) == [
            "no_birth_date",
            "no_first_name",
            "no_last_name",
        ]
        assert "(line 2)" in only(roster.notices, "no_birth_date").message
        assert "(line 3)" in only(roster.notices, "no_last_name").message

    def test_a_long_list_of_lines_is_cut_short(self):
        rows = [f"{n},Child{n},Family{n}," for n in range(1, 26)]

        roster = read_csv(HEADER, *rows)

        assert len(roster.rows) == 25
        message = only(roster.notices, "no_birth_date").message
        listed = ", ".join(str(line) for line in range(2, 22))
        assert f"25 rows have no date of birth (lines {listed} and 5 more)." in message

    def test_a_row_with_neither_name_is_an_error_naming_both_columns(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "2, ,,2015-03-08")

        error = only(roster.errors, "missing_value")
        assert (error.line, error.column) == (3, None)
        assert "Line 3" in error.message
        assert "“First Name”" in error.message
        assert "“Last Name”" in error.message
        assert [row.line for row in roster.rows] == [2]
        assert "no_first_name" not in codes(roster.notices)

    def test_the_local_id_is_still_needed_on_every_row(self):
        roster = read_csv(HEADER, ",Ana,Ruiz,")

        assert codes(roster.errors) == ["missing_value"]
        assert only(roster.errors, "missing_value").column == "Student ID"

    def test_rows_with_errors_are_not_listed_as_kept(self):
        roster = read_csv(HEADER + ",Gender", "1,Ana,Ruiz,,Q", "2,Lior,Baum,,F")

        assert codes(roster.errors) == ["invalid_gender"]
        assert "(line 3)" in only(roster.notices, "no_birth_date").message

    def test_a_repeated_row_without_a_date_is_read_and_listed_once(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,", "1,Ana,Ruiz,")

        assert roster.ok, roster.errors
        assert [row.line for row in roster.rows] == [2]
        assert "1 row has no date of birth (line 2)" in (
            only(roster.notices, "no_birth_date").message
        )

    def test_one_id_with_and_without_a_date_is_two_rows_that_differ(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,2015-03-07", "1,Ana,Ruiz,")

        assert only(roster.errors, "duplicate_id").column == "Birthdate"

    def test_the_notices_serialize_to_json(self):
        roster = read_csv(HEADER, "1,Ana,Ruiz,")

        (data,) = json.loads(json.dumps([i.as_dict() for i in roster.notices]))

        assert data["code"] == "no_birth_date"
        assert data["column"] == "Birthdate"
        assert "Ana" not in data["message"]
        assert "Ruiz" not in data["message"]
