"""Counting distinct children served, from the database."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from braid.reporter.counts import count_children, parse_dimensions
from tests.factories import (
    PASSWORD,
    ChildFactory,
    EnrollmentFactory,
    SourceRecordFactory,
)

DAY = datetime.date(2026, 10, 1)


def serve(
    organization, count, *, gender="F", born=datetime.date(2015, 3, 7), child=None
):
    """Enroll `count` new children (or the one given) in the organization."""
    records = []
    for _ in range(count):
        record = SourceRecordFactory(
            organization=organization,
            gender=gender,
            birth_date=born,
            child=child or ChildFactory(),
        )
        EnrollmentFactory(source_record=record)
        records.append(record)
    return records


def table(by: str, on=DAY):
    return count_children(parse_dimensions(by), on)


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
    assert rows[0][0] == "Organization"
    assert rows[0][-1] == "Total"
    assert [row[0] for row in rows[1:4]] == ["Riverbend Schools", "Youth Club", "Total"]
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

    out = io.StringIO()
    call_command(
        "report", "counts", "--by", "organization", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert data["threshold"] == 11
