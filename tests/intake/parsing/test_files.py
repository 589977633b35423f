"""Reading the bytes: encodings, delimiters, CSV structure and workbooks."""

import datetime
import io
import re
import zipfile

import pytest

from braid.intake.parsing import Field, files, read_roster

from .helpers import (
    HEADER,
    TODAY,
    codes,
    csv_bytes,
    only,
    read_csv,
    read_xlsx,
    values,
    xlsx_bytes,
)


class TestEncodings:
    def test_it_reads_utf8_without_a_bom(self):
        roster = read_csv(HEADER, "1,José,Ibáñez,2015-03-07")

        assert roster.ok
        assert roster.encoding == "utf-8"
        assert values(roster, Field.FIRST_NAME) == ["José"]

    def test_it_reads_utf8_with_a_bom_and_still_finds_the_first_header(self):
        data = b"\xef\xbb\xbf" + csv_bytes(HEADER, "1,Zoë,Brennan,2015-03-07")

        roster = read_roster(data, "roster.csv", today=TODAY)

        assert roster.ok
        assert roster.encoding == "utf-8-sig"
        assert roster.headers[0] == "Student ID"
        assert roster.mapping["Student ID"] == Field.LOCAL_ID

    def test_it_reads_windows_1252_with_a_notice_to_check_accented_names(self):
        data = csv_bytes(HEADER, "1,Iñés,Peña,2015-03-07", encoding="cp1252")

        roster = read_roster(data, "roster.csv", today=TODAY)

        assert roster.ok
        assert roster.encoding == "cp1252"
        assert values(roster, Field.LAST_NAME) == ["Peña"]
        notice = only(roster.notices, "cp1252")
        assert "Windows-1252" in notice.message
        assert "accented" in notice.message

    def test_it_rejects_bytes_that_are_neither_utf8_nor_windows_1252(self):
        data = csv_bytes(HEADER, "1,Ana,Ruiz,2015-03-07") + b"\r\n2,A\x81a,Ruiz,x"

        roster = read_roster(data, "roster.csv", today=TODAY)

        error = only(roster.errors, "undecodable")
        assert error.line == 3
        assert roster.rows == []

    def test_it_rejects_utf16_text_with_advice(self):
        data = "\ufeff" + HEADER + "\r\n1,Ana,Ruiz,2015-03-07"

        roster = read_roster(data.encode("utf-16-le"), "roster.csv", today=TODAY)

        assert "CSV UTF-8" in only(roster.errors, "unsupported_encoding").message

    def test_it_never_keeps_a_replacement_character(self):
        roster = read_csv(
            HEADER, "1,Ana,Ru\ufffdz,2015-03-07", "2,Lior,Baum,2015-03-08"
        )

        error = only(roster.errors, "replacement_character")
        assert (error.line, error.column) == (2, "Last Name")
        assert values(roster, Field.LOCAL_ID) == ["2"]


class TestDelimiters:
    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_it_detects_the_delimiter(self, delimiter):
        other = ";" if delimiter == "," else ","
        lines = [
            HEADER.replace(",", delimiter),
            delimiter.join(["1", f'"Ana{other} Jr"', "Ruiz", "2015-03-07"]),
            delimiter.join(["2", "Lior", "Baum", "2015-03-08"]),
        ]

        roster = read_csv(*lines)

        assert roster.ok, roster.errors
        assert roster.delimiter == delimiter
        assert values(roster, Field.FIRST_NAME) == [f"Ana{other} Jr", "Lior"]

    def test_it_does_not_count_delimiters_inside_quotes(self):
        roster = read_csv(
            "Student ID;First Name;Last Name;Birthdate;Address",
            '1;Ana;Ruiz;2015-03-07;"12 Elm St, Apt 4, Springfield"',
            '2;Lior;Baum;2015-03-08;"9 Oak Ave, Unit 1"',
        )

        assert roster.delimiter == ";"
        assert values(roster, Field.ADDRESS)[0] == "12 Elm St, Apt 4, Springfield"

    def test_it_rejects_a_file_that_parses_into_one_column(self):
        roster = read_csv("Name", "Ruiz, Ana", "Baum, Lior")

        assert codes(roster.errors) == ["one_column"]
        assert roster.rows == []


class TestCsvStructure:
    def test_it_reports_rows_with_a_different_number_of_fields(self):
        roster = read_csv(
            HEADER,
            "1,Ana,Ruiz,2015-03-07",
            "2,Lior,2015-03-08",
            "3,Mei,Tan,2015-03-09,extra",
        )

        assert codes(roster.errors) == ["field_count", "field_count"]
        assert [error.line for error in roster.errors] == [3, 4]
        assert "Line 3 has 3 fields" in roster.errors[0].message
        assert values(roster, Field.LOCAL_ID) == ["1"]

    def test_it_ignores_empty_fields_past_the_last_header(self):
        roster = read_csv(
            HEADER + ",,", "1,Ana,Ruiz,2015-03-07,,", "2,Lior,Baum,2015-03-08"
        )

        assert roster.ok, roster.errors
        assert roster.headers == ["Student ID", "First Name", "Last Name", "Birthdate"]

    def test_it_skips_blank_lines_and_empty_rows_but_keeps_line_numbers(self):
        roster = read_csv(
            HEADER,
            "",
            "1,Ana,Ruiz,2015-03-07",
            ",,,",
            "   ",
            "2,Lior,Baum,not a date",
        )

        assert roster.row_count == 2
        assert [row.line for row in roster.rows] == [3]
        assert only(roster.errors, "invalid_date").line == 6

    def test_it_reports_the_line_where_a_multi_line_record_starts(self):
        roster = read_csv(
            HEADER + ",Address",
            '1,Ana,Ruiz,2015-03-07,"12 Elm St',
            'Apt 4"',
            '2,Lior,Baum,2015-02-30,"9 Oak Ave"',
        )

        assert [row.line for row in roster.rows] == [2]
        assert values(roster, Field.ADDRESS) == ["12 Elm St Apt 4"]
        assert only(roster.errors, "impossible_date").line == 4

    def test_an_error_in_a_multi_line_record_names_its_first_line(self):
        roster = read_csv(
            HEADER + ",Address",
            "1,Ana,Ruiz,2015-03-07,9 Oak Ave",
            '2,Lior,Baum,2015-02-30,"12 Elm St',
            "Apt 4",
            'Back door"',
            "3,Mei,Tan,2015-03-09,1 Main St",
        )

        assert only(roster.errors, "impossible_date").line == 3
        assert [row.line for row in roster.rows] == [2, 6]

    def test_it_notes_a_column_without_a_header(self):
        roster = read_csv(
            "Student ID,,First Name,Last Name,DOB", "1,x,Ana,Ruiz,2015-03-07"
        )

        assert roster.ok
        assert "Column 2" in only(roster.notices, "blank_header").message

    def test_it_rejects_an_unterminated_quote_naming_its_line(self):
        roster = read_csv(
            HEADER,
            "1,Ana,Ruiz,2015-03-07",
            '2,"Lior,Baum,2015-03-08',
            "3,Mei,Tan,2015-03-09",
        )

        error = only(roster.errors, "malformed_csv")
        assert error.line == 3
        assert "line 3" in error.message
        assert roster.rows == []

    def test_it_rejects_text_after_a_closing_quote(self):
        roster = read_csv(HEADER, '1,"Ana"x,Ruiz,2015-03-07')

        assert only(roster.errors, "malformed_csv").line == 2

    def test_it_reads_lone_carriage_returns_as_line_ends(self):
        data = csv_bytes(HEADER, "1,Ana,Ruiz,2015-03-07", "2,Lior,Baum,x", newline="\r")

        roster = read_roster(data, "roster.csv", today=TODAY)

        assert only(roster.errors, "invalid_date").line == 3

    def test_it_rejects_an_empty_file(self):
        roster = read_roster(b"  \r\n", "roster.csv", today=TODAY)

        assert codes(roster.errors) == ["empty_file"]

    def test_it_rejects_a_file_with_a_header_and_no_rows(self):
        roster = read_csv(HEADER, "", ",,,")

        assert codes(roster.errors) == ["no_rows"]
        assert roster.row_count == 0


class TestWorkbooks:
    def test_it_reads_the_first_sheet_with_spreadsheet_row_numbers(self):
        roster = read_xlsx(
            [
                ["Student ID", "First Name", "Last Name", "Birthdate"],
                ["A1", "Ana", "Ruiz", datetime.datetime(2015, 3, 7)],
                [None, None, None, None],
                ["A2", "Lior", "Baum", "not a date"],
            ]
        )

        assert roster.encoding == "xlsx"
        assert roster.delimiter is None
        assert roster.row_count == 2
        assert [row.line for row in roster.rows] == [2]
        assert only(roster.errors, "invalid_date").line == 4

    def test_it_takes_the_date_of_a_date_cell_without_shifting_it(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB"],
                ["1", "Ana", "Ruiz", datetime.datetime(2015, 3, 7, 23, 30)],
                ["2", "Lior", "Baum", datetime.date(2014, 12, 31)],
            ]
        )

        assert values(roster, Field.BIRTH_DATE) == [
            datetime.date(2015, 3, 7),
            datetime.date(2014, 12, 31),
        ]

    def test_it_turns_numeric_text_cells_into_strings_without_a_decimal(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB", "Grade", "Guardian Phone"],
                [123.0, "Ana", "Ruiz", "2015-03-07", 3.0, 5551234567],
            ]
        )

        row = roster.rows[0].values
        assert row[Field.LOCAL_ID] == "123"
        assert row[Field.GRADE] == "3"
        assert row[Field.GUARDIAN_PHONE] == "5551234567"
        assert only(roster.notices, "numeric_ids").column == "ID"

    def test_it_reads_numbers_in_the_birth_date_column_as_excel_serials(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB"],
                ["1", "Ana", "Ruiz", 42070],
                ["2", "Lior", "Baum", 42071.75],
            ]
        )

        assert values(roster, Field.BIRTH_DATE) == [
            datetime.date(2015, 3, 7),
            datetime.date(2015, 3, 8),
        ]

    def test_it_reads_serials_of_a_1904_workbook_from_1904(self):
        data = xlsx_bytes(
            [["ID", "First Name", "Last Name", "DOB"], ["1", "Ana", "Ruiz", 40608]],
            epoch_1904=True,
        )

        roster = read_roster(data, "roster.xlsx", today=TODAY)

        assert values(roster, Field.BIRTH_DATE) == [datetime.date(2015, 3, 7)]

    def test_it_reads_every_row_of_a_workbook_that_records_its_size_wrong(self):
        rows = [["ID", "First Name", "Last Name", "DOB"]] + [
            [str(n), "Ana", "Ruiz", "2015-03-07"] for n in range(1, 6)
        ]
        data = wrong_dimension(xlsx_bytes(rows))

        roster = read_roster(data, "roster.xlsx", today=TODAY)

        assert roster.headers == ["ID", "First Name", "Last Name", "DOB"]
        assert roster.row_count == 5
        assert files.workbook_rows(data, at_most=10) == 5
        # Counting stops once past the limit asked about.
        assert files.workbook_rows(data, at_most=2) == 3

    def test_it_restores_the_leading_zero_of_a_numeric_zip_code(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB", "ZIP"],
                ["1", "Ana", "Ruiz", "2015-03-07", 2134],
                ["2", "Lior", "Baum", "2015-03-08", 21341234],
            ]
        )

        assert values(roster, Field.ZIP_CODE) == ["02134", "02134-1234"]

    def test_it_reports_a_cell_holding_a_failed_formula(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB"],
                ["1", "#N/A", "Ruiz", "2015-03-07"],
            ]
        )

        error = only(roster.errors, "formula_error")
        assert (error.line, error.column) == (2, "First Name")

    def test_it_reports_a_value_beyond_the_last_header(self):
        roster = read_xlsx(
            [
                ["ID", "First Name", "Last Name", "DOB"],
                ["1", "Ana", "Ruiz", "2015-03-07", "stray"],
            ]
        )

        assert only(roster.errors, "field_count").line == 2

    def test_it_refuses_a_workbook_too_large_once_unpacked(self, monkeypatch):
        monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 1000)

        roster = read_xlsx([["ID", "First Name", "Last Name", "DOB"]])

        assert codes(roster.errors) == ["xlsx_too_large"]

    def test_it_rejects_an_xlsx_file_that_is_not_a_workbook(self):
        roster = read_roster(csv_bytes(HEADER), "roster.xlsx", today=TODAY)

        assert ".xlsx" in only(roster.errors, "invalid_xlsx").message

    def test_it_rejects_a_zip_archive_that_is_not_a_workbook(self):
        roster = read_roster(b"PK\x03\x04" + b"\x00" * 40, "roster.csv", today=TODAY)

        assert codes(roster.errors) == ["invalid_xlsx"]

    @pytest.mark.parametrize(
        ("data", "filename"),
        [
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roster.xls"),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "roster.csv"),
            (csv_bytes(HEADER), "ROSTER.XLS"),
        ],
    )
    def test_it_rejects_legacy_xls_asking_for_xlsx_or_csv(self, data, filename):
        roster = read_roster(data, filename, today=TODAY)

        message = only(roster.errors, "legacy_xls").message
        assert ".xlsx" in message
        assert "CSV" in message


def wrong_dimension(data: bytes) -> bytes:
    """Rewrite the sheet size a workbook records as "A1", as some tools do."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rb'<dimension ref="[^"]*"', b'<dimension ref="A1"', content
                )
                assert b'<dimension ref="A1"' in content
            target.writestr(item, content)
    return out.getvalue()
