"""Pages and exports of child-level data: what they show and record."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from braid.access import release
from braid.access.models import Disclosure
from braid.agreements.models import Level, Withholding
from braid.consent.models import ConsentEvent
from tests.access.builders import agreement, consent, moment
from tests.factories import ChildFactory, EnrollmentFactory, SourceRecordFactory


@pytest.fixture
def child(community):
    return ChildFactory()


@pytest.fixture
def district_record(community, child):
    return SourceRecordFactory(
        organization=community.district,
        child=child,
        first_name="Amaru",
        last_name="Quispe",
        guardian_phone="555-0100",
    )


@pytest.fixture
def club_record(community, child):
    record = SourceRecordFactory(organization=community.club, child=child)
    EnrollmentFactory(
        organization=community.club,
        source_record=record,
        program=community.club_program,
    )
    return record


@pytest.fixture
def shared(community, people):
    return agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
        categories=["demographics", "enrollment"],
    )


def page(client, user, child, purpose="service-coordination"):
    client.force_login(user)
    return client.get(
        reverse("children:detail", args=[child.public_id]), {"purpose": purpose}
    )


def test_the_contributors_own_staff_see_the_record_and_nothing_is_disclosed(
    client, people, district_record
):
    response = page(client, people.district_staff, district_record.child)

    assert response.status_code == 200
    assert "Amaru" in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_another_organizations_record_is_not_even_mentioned_without_grounds(
    client, people, district_record, club_record
):
    response = page(client, people.club_staff, district_record.child)

    text = response.content.decode()
    assert response.status_code == 200
    assert "Amaru" not in text
    assert "Riverbend Schools" not in text
    assert Disclosure.objects.count() == 0


def test_a_child_with_nothing_to_see_says_why_in_general_words(
    client, people, district_record, quiet
):
    response = page(client, people.club_staff, district_record.child)

    assert response.status_code == 403
    assert quiet.take() == [
        f"django.request: Forbidden: /children/{district_record.child.public_id}/"
    ]
    text = response.content.decode()
    assert "Why can't I see this?" in text
    assert "Riverbend Schools" not in text and "Amaru" not in text


def test_an_allowed_release_shows_the_record_and_writes_its_disclosure(
    client, people, district_record, club_record, shared
):
    given = consent(district_record.child, by=people.district_staff)

    response = page(client, people.club_staff, district_record.child)

    text = response.content.decode()
    assert "Amaru" in text
    # Guardian contact is outside the agreement: not shown, and said why.
    assert "555-0100" not in text
    assert "does not include Guardian contact" in text
    entry = Disclosure.objects.get()
    assert entry.child_id == district_record.child_id
    assert entry.user_id == people.club_staff.pk
    assert entry.organization_id == club_record.organization_id
    assert entry.categories == ["demographics", "enrollment"]
    assert entry.legal_basis == "consent" and entry.level == "identifiable"
    assert {g["consent"] for g in entry.grounds} == {given.pk}
    assert {g["agreement"] for g in entry.grounds} == {shared.pk}
    assert entry.hash == entry.compute_hash()


def test_each_view_is_a_release_of_its_own(
    client, people, district_record, club_record, shared
):
    consent(district_record.child, by=people.district_staff)

    page(client, people.club_staff, district_record.child)
    page(client, people.club_staff, district_record.child)

    first, second = Disclosure.objects.order_by("sequence")
    assert second.previous_hash == first.hash


def test_a_merged_childs_id_leads_to_the_survivor(client, people, district_record):
    merged = ChildFactory(
        merged_into=district_record.child, merged_at=moment(2025, 1, 1)
    )

    response = page(client, people.district_staff, merged)

    assert response.status_code == 302
    assert response.url.endswith(f"/children/{district_record.child.public_id}/")


@pytest.mark.parametrize(
    ("withdrawn", "consented", "released"),
    [(True, True, False), (False, False, False), (False, True, True)],
)
def test_the_contributor_and_the_parent_must_both_allow_it(
    client,
    community,
    people,
    district_record,
    club_record,
    shared,
    withdrawn,
    consented,
    released,
):
    if withdrawn:
        Withholding.objects.create(
            agreement=shared,
            contributor=community.district,
            started_at=moment(2024, 6, 1),
            started_by=people.steward,
        )
    if consented:
        consent(district_record.child, by=people.district_staff)

    text = page(client, people.club_staff, district_record.child).content.decode()

    assert ("Amaru" in text) is released
    assert Disclosure.objects.count() == int(released)


def export(client, user, purpose="service-coordination", level="identifiable", **more):
    client.force_login(user)
    response = client.post(
        reverse("children:export"),
        {
            "purpose": purpose,
            "level": level,
            "categories": more.get("categories", ["demographics", "enrollment"]),
        },
    )
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_identifiable_export_writes_one_disclosure_per_child(
    client, community, people, club_record, shared
):
    records = [SourceRecordFactory(organization=community.district) for _ in range(3)]
    for record in records:
        SourceRecordFactory(organization=community.club, child=record.child)
    for record in records[:2]:
        consent(record.child, by=people.district_staff)
    # Consent alone does not bring in a child the club does not serve.
    unserved = SourceRecordFactory(organization=community.district)
    consent(unserved.child, by=people.district_staff)

    header, *rows = export(client, people.club_staff)

    assert header[:3] == ["community_id", "organization", "local_id"]
    shared_ids = {r.child.public_id for r in records[:2]}
    assert {row[0] for row in rows if row[1] == "district"} == shared_ids
    assert {row[0] for row in rows if row[1] == "club"} == {
        club_record.child.public_id,
        *(r.child.public_id for r in records),
    }
    assert (
        set(Disclosure.objects.values_list("child__public_id", flat=True)) == shared_ids
    )
    assert set(Disclosure.objects.values_list("release", flat=True)) == {"export"}


def test_an_export_released_after_a_revocation_leaves_the_child_out(
    community, people, shared
):
    record = SourceRecordFactory(organization=community.district)
    SourceRecordFactory(organization=community.club, child=record.child)
    given = consent(record.child, by=people.district_staff)
    ConsentEvent.objects.create(
        consent=given,
        kind="revoked",
        at=moment(2025, 6, 2, 10),
        recorded_by=people.steward,
    )
    asked = {
        "user": people.club_staff,
        "purpose": "service-coordination",
        "categories": ["demographics"],
        "level": Level.IDENTIFIABLE,
        "reference": "export",
    }

    _, rows_at_959 = release.export_rows(**asked, at=moment(2025, 6, 2, 9, 59))
    assert [r[:2] for r in rows_at_959] == [
        [record.child.public_id, "district"],
        [record.child.public_id, "club"],
    ]
    written = Disclosure.objects.count()

    _, rows_at_1001 = release.export_rows(**asked, at=moment(2025, 6, 2, 10, 1))
    assert [r[1] for r in rows_at_1001] == ["club"]
    assert Disclosure.objects.count() == written


def test_a_de_identified_export_has_no_names_and_a_pseudonym_not_the_community_id(
    client, community, people
):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.backbone],
        level=Level.DEIDENTIFIED,
        purposes=["program-evaluation"],
        legal_basis="ferpa-audit",
        scope="Outcome study",
        data_list="grade, attendance",
        destruction_on=date(2030, 1, 1),
    )
    record = SourceRecordFactory(
        organization=community.district, first_name="Amaru", birth_date=date(2014, 5, 6)
    )

    header, *rows = export(
        client, people.evaluator, purpose="program-evaluation", level="deidentified"
    )

    assert header[:3] == ["pseudonym", "organization", "birth_year"]
    (row,) = rows
    assert row[0] == release.pseudonym(record.child, community.backbone.pk)
    assert row[0] != record.child.public_id
    assert row[2] == "2014"
    assert "Amaru" not in ",".join(row)
    assert Disclosure.objects.count() == 0


def test_analysts_export_nothing_at_child_level(client, community, people):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.funder],
        level=Level.DEIDENTIFIED,
    )
    SourceRecordFactory(organization=community.district)

    _, *rows = export(client, people.analyst, level="deidentified")

    assert rows == []


def test_an_export_asks_the_database_as_often_for_many_children_as_for_few(
    client, community, people, shared
):
    def queries_for(how_many):
        for _ in range(how_many):
            record = SourceRecordFactory(organization=community.district)
            SourceRecordFactory(organization=community.club, child=record.child)
            consent(record.child, by=people.district_staff)
            EnrollmentFactory(
                organization=community.district,
                source_record=record,
                program=community.district_roll,
            )
        people.club_staff.__dict__.pop("_braid_memberships", None)
        with CaptureQueriesContext(connection) as queries:
            _, rows = release.export_rows(
                people.club_staff,
                "service-coordination",
                ["demographics", "enrollment"],
                Level.IDENTIFIABLE,
                reference="export",
            )
        return len(queries), len(rows)

    few, few_rows = queries_for(3)
    many, many_rows = queries_for(30)

    # Each child's district record and the club's own.
    assert (few_rows, many_rows) == (6, 66)
    assert few == many


def test_a_childs_page_asks_the_database_a_fixed_number_of_times(
    client, community, people, shared
):
    def queries_for(records):
        child = ChildFactory()
        SourceRecordFactory(organization=community.club, child=child)
        for _ in range(records):
            record = SourceRecordFactory(organization=community.district, child=child)
            EnrollmentFactory(
                organization=community.district,
                source_record=record,
                program=community.district_roll,
            )
        consent(child, by=people.district_staff)
        client.force_login(people.club_staff)
        url = reverse("children:detail", args=[child.public_id])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count("Riverbend Schools") >= records
        return len(queries)

    assert queries_for(1) == queries_for(6)


def test_an_export_keeps_a_spreadsheet_from_running_a_cell(
    client, community, people, club_record
):
    SourceRecordFactory(
        organization=community.club, local_id="=HYPERLINK(1)", first_name="+Ana"
    )
    client.force_login(people.club_staff)

    _, *rows = export(client, people.club_staff)

    cells = {cell for row in rows for cell in row}
    assert "'=HYPERLINK(1)" in cells and "'+Ana" in cells
    assert not any(cell.startswith(("=", "+")) for cell in cells)


def test_an_identifiable_agreement_grants_no_de_identified_data(
    client, community, people, club_record, shared
):
    SourceRecordFactory(organization=community.district)

    _, *rows = export(client, people.club_staff, level="deidentified")

    # Nor do the club's own records come out under pseudonyms that would
    # tie its children to anyone else's records.
    assert rows == []


def test_pseudonyms_differ_from_one_recipient_to_another(community):
    child = ChildFactory()

    assert release.pseudonym(child, community.club.pk) != release.pseudonym(
        child, community.backbone.pk
    )


def test_a_person_in_two_organizations_gets_an_entry_for_each(
    client, community, people, child, district_record, shared
):
    from braid.community.services import add_member

    literacy = community.clinic
    add_member(username="club-staff", organization=literacy, role="org-admin")
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[literacy],
        categories=["guardian-contact"],
    )
    consent(child, by=people.district_staff)
    club = SourceRecordFactory(organization=community.club, child=child)
    EnrollmentFactory(
        organization=community.club, source_record=club, program=community.club_program
    )

    page(client, people.club_staff, child)

    entries = {
        e.organization_id: e.categories for e in Disclosure.objects.filter(child=child)
    }
    assert entries == {
        community.club.pk: ["demographics", "enrollment"],
        literacy.pk: ["guardian-contact"],
    }


def test_an_unknown_id_answers_as_a_hidden_child_does(
    client, people, district_record, quiet
):
    hidden = page(client, people.club_staff, district_record.child)
    unknown = client.get(reverse("children:detail", args=["ZZZZZZZZZZ"]))
    merged = ChildFactory(
        merged_into=district_record.child, merged_at=moment(2025, 1, 1)
    )
    via_merged = client.get(reverse("children:detail", args=[merged.public_id]))

    assert hidden.status_code == unknown.status_code == via_merged.status_code == 403
    assert "Why can't I see this?" in unknown.content.decode()
    assert len(quiet.take()) == 3
