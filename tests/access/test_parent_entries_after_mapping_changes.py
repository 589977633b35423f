"""A parent's view of the record of disclosures follows their child's records.

An entry keeps the child as it was known at the release, and is never
rewritten. When a split, an undo or a merge moves the records it released,
with the guardian the same organization recorded, the parent still finds it
under the child those records belong to now, and no parent finds it under a
child whose records it did not release.
"""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from braid.access import record
from braid.access.models import DisclosedRecord, Disclosure
from braid.children.models import Child, SourceRecord
from braid.linkage import decisions
from tests.access.builders import agreement, consent, guardian
from tests.access.released import release
from tests.factories import ChildFactory, SourceRecordFactory, UserFactory

FILL = importlib.import_module("braid.access.migrations.0005_fill_disclosed_records")


@pytest.fixture
def child(community):
    return ChildFactory()


@pytest.fixture
def district_record(community, child):
    return SourceRecordFactory(organization=community.district, child=child)


@pytest.fixture
def club_record(community, child):
    return SourceRecordFactory(organization=community.club, child=child)


@pytest.fixture
def shared(community, people, district_record):
    """The agreement to the club and the backbone, and the parent's consent,
    both recorded by the district with the parent's portal account."""
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club, community.backbone],
    )
    named = guardian(
        district_record.child, organization=community.district, user=people.parent
    )
    consent(
        district_record.child,
        by=people.district_staff,
        guardian=named,
        organization=community.district,
    )


@pytest.fixture
def club_parent(community, child):
    """Another guardian of the child, named on the club's record."""
    user = UserFactory(username="club-parent")
    guardian(child, organization=community.club, user=user)
    return user


@pytest.fixture
def disclosed(client, people, district_record, club_record, shared) -> Disclosure:
    """The club's staff opened the child's page: the district's record was
    released to the club, and filed under the child's ID of the time."""
    client.force_login(people.club_staff)
    client.get(reverse("children:detail", args=[district_record.child.public_id]))
    return Disclosure.objects.get()


def seen(user, child: Child) -> list[int]:
    return [entry.sequence for entry in record.parent_entries(user, child)]


def now_of(source: SourceRecord) -> Child:
    source.refresh_from_db()
    return source.child


def test_an_entry_notes_the_records_it_released(disclosed, district_record):
    indexed = DisclosedRecord.objects.filter(disclosure=disclosed)

    assert [r.source_record_id for r in indexed] == [district_record.pk]


def test_after_a_split_the_parent_finds_it_under_the_new_child(
    people, child, district_record, club_record, disclosed, club_parent
):
    decisions.split(child, [district_record], people.steward)

    new = now_of(district_record)
    assert new != child
    assert disclosed.child_id == child.pk
    assert seen(people.parent, new) == [disclosed.sequence]
    # The child the record left is not the parent's any more, and its own
    # guardian sees no entry about a record it no longer holds.
    assert seen(people.parent, child) == []
    assert seen(club_parent, child) == []
    assert seen(club_parent, new) == []


def test_after_the_undo_it_is_back_under_the_first_child(
    people, child, district_record, disclosed, club_parent
):
    event = decisions.split(child, [district_record], people.steward)

    decisions.undo(event, people.steward)

    assert now_of(district_record) == child
    assert seen(people.parent, child) == [disclosed.sequence]
    assert seen(club_parent, child) == [disclosed.sequence]


def test_after_a_merge_both_ids_show_the_entries_of_both_children(
    community, people, child, disclosed
):
    clinic_record = SourceRecordFactory(organization=community.clinic)
    other = clinic_record.child
    (before,) = release(people.steward, community.backbone, [other])
    assert seen(people.parent, child) == [disclosed.sequence]

    decisions.merge(child, other, people.steward)

    assert now_of(clinic_record) == child
    both = [before.sequence, disclosed.sequence]
    assert seen(people.parent, child) == both
    other.refresh_from_db()
    assert seen(people.parent, other) == both


def test_an_entry_that_released_two_childrens_records_shows_for_each(
    community, people, child, district_record, club_parent, shared
):
    clinic_record = SourceRecordFactory(organization=community.clinic, child=child)
    clinic_parent = UserFactory(username="clinic-parent")
    guardian(child, organization=community.clinic, user=clinic_parent)
    (entry,) = release(people.club_staff, community.club, [child])

    decisions.split(child, [clinic_record], people.steward)

    moved_to = now_of(clinic_record)
    assert seen(people.parent, child) == [entry.sequence]
    assert seen(clinic_parent, moved_to) == [entry.sequence]
    # The club's guardian stays with the club's record.
    assert seen(club_parent, child) == [entry.sequence]


def test_an_entry_naming_no_record_stays_with_the_child_it_was_filed_under(
    community, people, child, district_record, club_record, shared, club_parent
):
    (older,) = release(
        people.club_staff,
        community.club,
        [child],
        grounds=[{"contributor": community.district.pk, "agreement": 1}],
    )

    decisions.split(child, [district_record], people.steward)

    assert seen(club_parent, child) == [older.sequence]
    assert seen(people.parent, now_of(district_record)) == []


def test_no_parent_sees_another_childs_entries(
    client, community, people, district_record, disclosed
):
    other = SourceRecordFactory(organization=community.district)
    SourceRecordFactory(organization=community.club, child=other.child)
    consent(other.child, by=people.district_staff, organization=community.district)
    client.get(reverse("children:detail", args=[other.child.public_id]))
    assert Disclosure.objects.count() == 2

    decisions.split(district_record.child, [district_record], people.steward)

    assert seen(people.parent, now_of(district_record)) == [disclosed.sequence]
    assert seen(people.parent, other.child) == []


def test_the_migration_indexes_the_entries_written_before_it(
    community, people, district_record, club_record
):
    release(people.club_staff, community.club, [district_record.child])
    release(
        people.club_staff,
        community.club,
        [district_record.child],
        grounds=[{"contributor": community.district.pk, "record": "7"}],
    )
    expected = sorted(
        DisclosedRecord.objects.values_list("disclosure_id", "source_record_id")
    )
    DisclosedRecord.objects.all().delete()

    FILL.fill(apps, None)

    assert (
        sorted(DisclosedRecord.objects.values_list("disclosure_id", "source_record_id"))
        == expected
    )
    assert len(expected) == 2
