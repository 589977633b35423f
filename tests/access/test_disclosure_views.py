"""The steward's pages of the record of disclosures: search and export."""

import csv
import io
import re

import pytest
from django.urls import reverse

from braid.access.models import Disclosure
from tests.access.released import release
from tests.factories import PASSWORD, ChildFactory, SourceRecordFactory

PEOPLE = [
    "steward",
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]
PAGES = ["access:disclosures", "access:export"]


@pytest.fixture
def entries(people, community) -> list[Disclosure]:
    record = SourceRecordFactory(
        organization=community.district, first_name="Zelda", last_name="Quintero"
    )
    first = release(
        people.district_staff,
        community.club,
        [record.child],
        categories=("attendance", "assessments"),
        reference="/children/7/",
    )
    second = release(
        people.club_staff,
        community.district,
        [ChildFactory()],
        purpose="program-evaluation",
        release="export",
        reference='=HYPERLINK("x")',
    )
    return first + second


def many(people, community, count: int) -> None:
    release(
        people.district_staff,
        community.club,
        [ChildFactory() for _ in range(count)],
    )


def signed_in(client, person: str):
    client.login(username=person.replace("_", "-"), password=PASSWORD)
    return client


def export_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


class TestWhoMayOpenThem:
    @pytest.mark.parametrize("person", PEOPLE)
    @pytest.mark.parametrize("page", PAGES)
    def test_only_the_steward_opens_them(
        self, client, people, entries, quiet, person, page
    ):
        response = signed_in(client, person).get(reverse(page))

        assert response.status_code == (200 if person == "steward" else 403)
        assert len(quiet.take()) == (0 if person == "steward" else 1)

    @pytest.mark.parametrize("page", PAGES)
    def test_a_visitor_is_sent_to_sign_in(self, client, entries, page):
        response = client.get(reverse(page))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("page", PAGES)
    def test_they_take_no_posts(self, client, people, quiet, page):
        response = signed_in(client, "steward").post(reverse(page))

        assert response.status_code == 405
        assert len(quiet.take()) == 1


class TestTheSearchPage:
    def test_it_shows_each_entry_by_community_id_and_never_a_name(
        self, client, people, entries
    ):
        response = signed_in(client, "steward").get(reverse("access:disclosures"))

        page = response.content.decode()
        for entry in entries:
            assert entry.child.public_id in page
        assert "district-staff" in page
        assert "Assessments, Attendance" in page
        assert "agreement 3; consent 7 version 2" in page
        assert "/children/7/" in page
        assert "Zelda" not in page
        assert "Quintero" not in page

    def test_it_filters_the_entries(self, client, people, entries):
        response = signed_in(client, "steward").get(
            reverse("access:disclosures"), {"purpose": "program-evaluation"}
        )

        page = response.content.decode()
        assert entries[1].child.public_id in page
        assert entries[0].child.public_id not in page

    def test_it_filters_by_a_childs_community_id(self, client, people, entries):
        response = signed_in(client, "steward").get(
            reverse("access:disclosures"), {"child": entries[0].child.public_id}
        )

        assert [row.entry for row in response.context["rows"]] == [entries[0]]

    def test_it_says_what_is_wrong_with_a_period_backwards(
        self, client, people, entries
    ):
        response = signed_in(client, "steward").get(
            reverse("access:disclosures"),
            {"since": "2026-03-10", "until": "2026-03-01"},
        )

        assert response.status_code == 200
        assert "The end of the period comes before its start." in (
            response.content.decode()
        )
        assert response.context["rows"] == []

    def test_its_pages_keep_the_filters(self, client, people, community):
        many(people, community, 60)

        response = signed_in(client, "steward").get(
            reverse("access:disclosures"), {"username": "district-staff"}
        )

        assert len(response.context["rows"]) == 50
        assert "?username=district-staff&amp;page=2" in response.content.decode()
        second = client.get(
            reverse("access:disclosures"), {"username": "district-staff", "page": 2}
        )
        assert len(second.context["rows"]) == 10

    def test_its_export_link_carries_the_filters(self, client, people, entries):
        response = signed_in(client, "steward").get(
            reverse("access:disclosures"), {"release": "export", "page": "1"}
        )

        assert f'href="{reverse("access:export")}?release=export"' in (
            response.content.decode()
        )

    @pytest.mark.parametrize("count", [1, 60])
    def test_it_takes_the_same_queries_however_many_entries(
        self, client, people, community, count, django_assert_num_queries
    ):
        many(people, community, count)
        signed_in(client, "steward")

        # Session, user, memberships and their programs, count, the page's
        # entries with their children and organizations, the organizations
        # to choose from.
        with django_assert_num_queries(7):
            client.get(reverse("access:disclosures"))

    @pytest.mark.parametrize("count", [1, 60])
    def test_a_search_by_child_takes_the_same_queries_however_many_entries(
        self, client, people, community, count, django_assert_num_queries
    ):
        many(people, community, count)
        child = Disclosure.objects.order_by("sequence").first().child
        signed_in(client, "steward")

        # And the child, and the children merged into it.
        with django_assert_num_queries(9):
            client.get(reverse("access:disclosures"), {"child": child.public_id})


class TestTheExport:
    def test_it_is_a_csv_file_of_the_filtered_record(self, client, people, entries):
        response = signed_in(client, "steward").get(
            reverse("access:export"), {"username": "district-staff"}
        )

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert re.match(
            r'attachment; filename="braid-disclosures-\d{4}-\d\d-\d\d\.csv"',
            response["Content-Disposition"],
        )
        header, *rows = export_rows(response)
        record = entries[0].child.source_records.get()
        assert header[:6] == [
            "entry",
            "at_utc",
            "child",
            "username",
            "organization",
            "categories",
        ]
        assert rows == [
            [
                "1",
                entries[0].at.isoformat(),
                entries[0].child.public_id,
                "district-staff",
                "club",
                "assessments attendance",
                "service-coordination",
                "consent",
                "identifiable",
                "page",
                "/children/7/",
                '[{"agreement": 3, "category": "attendance", "consent": 7, '
                f'"consent_version": 2, "contributor": {record.organization_id}, '
                f'"record": {record.pk}}}]',
                entries[0].hash,
            ]
        ]

    def test_it_holds_no_names(self, client, people, entries):
        response = signed_in(client, "steward").get(reverse("access:export"))

        text = b"".join(response.streaming_content).decode()
        assert "Zelda" not in text
        assert "Quintero" not in text

    def test_a_spreadsheet_will_not_run_a_cell_as_a_formula(
        self, client, people, entries
    ):
        response = signed_in(client, "steward").get(
            reverse("access:export"), {"release": "export"}
        )

        _, row = export_rows(response)
        assert row[10] == '\'=HYPERLINK("x")'

    def test_it_refuses_filters_that_do_not_make_sense(
        self, client, people, entries, quiet
    ):
        response = signed_in(client, "steward").get(
            reverse("access:export"), {"since": "2026-03-10", "until": "2026-03-01"}
        )

        assert response.status_code == 400
        assert b"The end of the period comes before its start." in response.content
        assert len(quiet.take()) == 1
