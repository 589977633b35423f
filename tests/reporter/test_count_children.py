"""Counting distinct children served, from the database."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from braid.children.models import SourceRecord
from braid.cli import main
from braid.reporter.counts import age_band, count_children, parse_dimensions
from tests.factories import (
    PASSWORD,
    ChildFactory,
    EnrollmentFactory,
    ProgramFactory,
    SourceRecordFactory,
)

DAY = datetime.date(2026, 10, 1)


def serve(
    organization,
    count,
    *,
    gender="F",
    born=datetime.date(2015, 3, 7),
    grade="",
    child=None,
    program=None,
):
    """Enroll `count` new children (or the one given) in the organization."""
    records = []
    for _ in range(count):
        record = SourceRecordFactory(
            organization=organization,
            gender=gender,
            birth_date=born,
            grade=grade,
            child=child or ChildFactory(),
        )
        EnrollmentFactory(source_record=record, program=program)
        records.append(record)
    return records


def table(by: str, on=DAY):
    return count_children(parse_dimensions(by), on)


def make_newer(record, than):
    """Make `record` the more recently updated of the two."""
    later = than.updated_at + datetime.timedelta(days=1)
    SourceRecord.objects.filter(pk=record.pk).update(updated_at=later)


@pytest.mark.django_db
def test_a_child_served_by_two_organizations_counts_once_in_the_total(community):
    (shared,) = serve(community.district, 1)
    serve(community.club, 1, child=shared.child)
    serve(community.district, 2)

    counts = table("organization")

    assert dict(zip(counts.row_labels, counts.row_totals, strict=True)) == {
        "Riverbend Schools": 3,
        "Youth Club": 1,
    }
    assert counts.grand_total == 3
    assert counts.rows_overlap


@pytest.mark.django_db
def test_a_child_has_one_gender_the_latest_record_gives(community):
    (older,) = serve(community.district, 1, gender="F")
    serve(community.club, 1, gender="X", child=older.child)

    counts = table("gender")

    assert counts.row_labels == ["Nonbinary"]
    assert counts.row_totals == [1]


@pytest.mark.django_db
def test_only_children_enrolled_on_the_day_are_counted(community):
    (ended,) = serve(community.district, 1)
    ended.enrollments.update(end_date=datetime.date(2026, 9, 30))
    (later,) = serve(community.district, 1)
    later.enrollments.update(start_date=datetime.date(2026, 10, 2))
    serve(community.district, 1)

    assert table("organization").grand_total == 1


@pytest.mark.django_db
def test_age_bands_are_reckoned_on_the_day(community):
    serve(community.district, 1, born=datetime.date(2016, 10, 1))  # 10 that day
    serve(community.district, 1, born=datetime.date(2016, 10, 2))  # still 9

    counts = table("age-band")

    assert dict(zip(counts.row_labels, counts.row_totals, strict=True)) == {
        "5–9": 1,
        "10–14": 1,
    }


@pytest.mark.django_db
def test_a_child_without_a_date_of_birth_is_in_the_unknown_age_band_last(community):
    serve(community.district, 1, born=None)
    serve(community.district, 1, born=datetime.date(2016, 10, 1))
    serve(community.district, 2, born=datetime.date(2000, 1, 1))

    counts = table("age-band")

    assert counts.row_labels == ["10–14", "18+", "Unknown"]
    assert counts.row_totals == [1, 2, 1]
    assert counts.grand_total == 4


@pytest.mark.django_db
def test_a_newer_record_without_a_date_of_birth_keeps_the_older_ones_band(
    community,
):
    (older,) = serve(community.district, 1, born=datetime.date(2016, 10, 1))
    (newer,) = serve(community.club, 1, born=None, child=older.child)
    make_newer(newer, than=older)

    counts = table("age-band")

    assert counts.row_labels == ["10–14"]


@pytest.mark.django_db
def test_a_newer_record_with_gender_not_reported_keeps_the_older_ones(community):
    (older,) = serve(community.district, 1, gender="F")
    (newer,) = serve(community.club, 1, gender="U", child=older.child)
    make_newer(newer, than=older)

    assert table("gender").row_labels == ["Female"]


@pytest.mark.django_db
def test_values_not_reported_come_last(community):
    serve(community.district, 1, gender="U", grade="")
    serve(community.district, 1, gender="M", grade="3")
    serve(community.district, 1, gender="F", grade="K")

    assert table("gender").row_labels == ["Female", "Male", "Not reported"]
    assert table("grade").row_labels == ["K", "3", "Not reported"]


def test_the_unknown_age_band_is_translated():
    with translation.override("es"):
        assert age_band(None, DAY) == "Sin datos"
    assert age_band(None, DAY) == "Unknown"


@pytest.mark.django_db
def test_the_unknown_age_band_is_suppressed_and_exported_like_any_other(community):
    serve(community.district, 3, born=None)
    serve(community.district, 20, born=datetime.date(2016, 10, 1))

    out = io.StringIO()
    call_command(
        "report",
        "counts",
        "--by",
        "age-band",
        "--on",
        DAY.isoformat(),
        "--format",
        "json",
        stdout=out,
    )

    data = json.loads(out.getvalue())
    assert data["row_labels"] == ["10–14", "Unknown"]
    # The 20 are hidden so that the 3 cannot be worked out from the total.
    assert [n["display"] for n in data["row_totals"]] == ["—", "<11"]
    assert data["grand_total"]["value"] == 23


@pytest.mark.django_db
def test_two_dimensions_give_cells_and_both_totals(community):
    serve(community.district, 3, gender="F")
    serve(community.district, 2, gender="M")
    serve(community.club, 4, gender="M")

    counts = table("organization,gender")

    assert counts.column_labels == ["Female", "Male"]
    assert counts.cells == [[3, 2], [0, 4]]
    assert counts.row_totals == [5, 4]
    assert counts.column_totals == [3, 6]
    assert counts.grand_total == 9


def test_unknown_and_repeated_dimensions_are_refused():
    from braid.reporter.counts import ReportError

    with pytest.raises(ReportError, match="Unknown dimension shoe-size"):
        parse_dimensions("gender,shoe-size")
    with pytest.raises(ReportError, match="two different"):
        parse_dimensions("gender,gender")
    with pytest.raises(ReportError, match="one dimension or two"):
        parse_dimensions("gender,grade,program")


@pytest.fixture
def served(community):
    serve(community.district, 40, gender="F")
    serve(community.district, 37, gender="M")
    serve(community.district, 3, gender="X")
    serve(community.club, 25, gender="F")
    serve(community.club, 20, gender="M")


def test_the_report_page_hides_small_counts_and_what_would_reveal_them(
    client, people, served
):
    client.login(username="analyst", password=PASSWORD)

    page = client.get(
        reverse("reporter:counts"),
        {"rows": "organization", "columns": "gender", "on": DAY},
    ).content.decode()

    assert "&lt;11" in page
    # The three nonbinary children are the only ones in their column, so the
    # column total and the cell are both hidden; 3 appears nowhere.
    assert ">3<" not in page
    assert "not the sum of the rows" in page


def test_the_report_page_takes_a_fixed_number_of_queries(
    client, people, served, django_assert_max_num_queries
):
    client.login(username="analyst", password=PASSWORD)

    with django_assert_max_num_queries(8):
        client.get(
            reverse("reporter:counts"), {"rows": "organization", "columns": "gender"}
        )


def test_the_csv_export_has_the_layout_analysts_expect(client, people, served):
    client.login(username="analyst", password=PASSWORD)

    response = client.get(
        reverse("reporter:export"),
        {"rows": "organization", "columns": "gender", "on": DAY},
    )

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Organization", "Female", "Male", "Nonbinary", "Total"]
    assert [row[0] for row in rows[1:]] == ["Riverbend Schools", "Youth Club", "Total"]
    assert all(len(row) == 5 for row in rows)
    assert "3" not in {cell for row in rows for cell in row}


def test_the_report_command_prints_csv_and_json(served):
    out = io.StringIO()
    call_command(
        "report",
        "counts",
        "--by",
        "gender",
        "--on",
        "2026-10-01",
        "--format",
        "csv",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["Gender", "Total"]
    assert rows[1][0] == "Female"
    assert rows[1][1] == "65"
    assert rows[-1][0] == "Total"

    out = io.StringIO()
    call_command(
        "report", "counts", "--by", "organization", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["threshold"] == 11


def test_the_report_command_prints_the_notes_of_a_csv_apart_from_it(served):
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "report",
        "counts",
        "--by",
        "organization",
        "--on",
        DAY.isoformat(),
        "--format",
        "csv",
        stdout=out,
        stderr=err,
    )

    assert list(csv.reader(io.StringIO(out.getvalue())))[-1] == ["Total", "125"]
    assert "not the sum of the rows" in err.getvalue()


def test_an_organization_and_its_only_program_show_the_same_row(community):
    # The tester's case: Org 2's row by gender was "27, <11, <11" in one
    # table and "<11, 27, <11" in the other, and 55 - 27 - 27 = 1.
    camp = ProgramFactory(organization=community.club, name="Camp", slug="camp")
    serve(community.club, 27, gender="F", program=camp)
    serve(community.club, 27, gender="M", program=camp)
    serve(community.club, 1, gender="X", program=camp)
    roll = community.district_roll
    serve(community.district, 40, gender="F", program=roll)
    serve(community.district, 38, gender="M", program=roll)
    serve(community.district, 12, gender="X", program=roll)

    by_organization = report_json("organization,gender")
    by_program = report_json("program,gender")

    club = by_organization["row_labels"].index("Youth Club")
    program = by_program["row_labels"].index("Youth Club: Camp")
    assert shown(by_organization, club) == shown(by_program, program)
    assert shown(by_organization, club)[2] == "<11"
    assert "—" in shown(by_organization, club)


def report_json(by: str) -> dict:
    out = io.StringIO()
    call_command(
        "report",
        "counts",
        "--by",
        by,
        "--on",
        DAY.isoformat(),
        "--format",
        "json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def shown(data: dict, i: int) -> list[str]:
    return [n["display"] for n in [*data["cells"][i], data["row_totals"][i]]]


def report_from_the_command_line(capsys, *args: str) -> tuple[int, str]:
    """Run `braid report` as a shell would; return its exit code and errors."""
    with pytest.raises(SystemExit) as exit:
        main(["braid", "report", *args])
    return int(exit.value.code or 0), capsys.readouterr().err


@pytest.mark.parametrize(
    ("day", "refusal"),
    [
        ("2026-02-30", "argument --on: '2026-02-30' is not a date that exists"),
        ("yesterday", "argument --on: 'yesterday' is not a date that exists"),
    ],
)
def test_the_report_command_refuses_a_day_that_is_not_one_as_a_usage_error(
    capsys, day, refusal
):
    code, errors = report_from_the_command_line(
        capsys, "counts", "--by", "grade", "--on", day
    )

    assert code == 2
    assert errors.startswith("usage: braid report counts")
    assert refusal in errors
    assert "Traceback" not in errors


def test_the_report_command_refuses_a_day_after_today(capsys):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    code, errors = report_from_the_command_line(
        capsys, "counts", "--by", "grade", "--on", tomorrow.isoformat()
    )

    assert code == 2
    assert f"argument --on: {tomorrow.isoformat()} is after today" in errors


def test_the_report_command_counts_today_when_asked_for_it(served):
    out = io.StringIO()

    call_command(
        "report",
        "counts",
        "--by",
        "organization",
        "--on",
        timezone.localdate().isoformat(),
        "--format",
        "json",
        stdout=out,
    )

    assert json.loads(out.getvalue())["threshold"] == 11
