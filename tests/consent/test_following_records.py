"""Guardians and consents follow the records they were recorded from."""

import io

from django.core.management import call_command
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.consent import evaluation, services
from braid.consent.models import Consent, Guardian
from braid.linkage import decisions, engine
from braid.linkage.models import MappingEvent
from tests.factories import SourceRecordFactory


def held_by(child: Child) -> tuple[set[int], set[int]]:
    """Return the ids of the consents and guardians filed under ``child``."""
    return (
        set(Consent.objects.filter(child=child).values_list("pk", flat=True)),
        set(Guardian.objects.filter(child=child).values_list("pk", flat=True)),
    )


def new_child_of(record: SourceRecord) -> Child:
    record.refresh_from_db()
    return record.child


def test_a_split_takes_the_organizations_consent_and_guardian_along(
    community, people, child, guardian, consent
):
    district = child.source_records.get()
    club = SourceRecordFactory(organization=community.club, child=child)
    club_guardian = services.add_guardian(
        child, "Sam Example", "father", "", "", people.club_staff
    )

    event = decisions.split(child, [district], people.steward)

    moved_to = new_child_of(district)
    assert moved_to != child and new_child_of(club) == child
    assert held_by(moved_to) == ({consent.pk}, {guardian.pk})
    assert held_by(child) == (set(), {club_guardian.pk})
    assert event.summary["consents_moved"] == [[consent.pk, child.pk, moved_to.pk]]
    assert event.summary["guardians_moved"] == [[guardian.pk, child.pk, moved_to.pk]]
    # The consent counts for the child it now belongs to, and no longer for
    # the one its records left.
    facts = evaluation.load_facts([child.pk, moved_to.pk])
    assert [f.consent.pk for f in facts.get(moved_to.pk, [])] == [consent.pk]
    assert child.pk not in facts


def test_undoing_the_split_puts_them_back(community, people, child, guardian, consent):
    district = child.source_records.get()
    SourceRecordFactory(organization=community.club, child=child)
    event = decisions.split(child, [district], people.steward)

    decisions.undo(event, people.steward)

    assert new_child_of(district) == child
    assert held_by(child) == ({consent.pk}, {guardian.pk})


def test_what_the_other_organization_recorded_stays(
    community, people, child, guardian, consent
):
    club = SourceRecordFactory(organization=community.club, child=child)

    event = decisions.split(child, [club], people.steward)

    assert held_by(child) == ({consent.pk}, {guardian.pk})
    assert held_by(new_child_of(club)) == (set(), set())
    assert "consents_moved" not in event.summary


def test_they_stay_when_the_organizations_records_end_up_on_both_sides(
    community, people, child, guardian, consent
):
    duplicate = SourceRecordFactory(organization=community.district, child=child)

    decisions.split(child, [duplicate], people.steward)

    assert held_by(child) == ({consent.pk}, {guardian.pk})


def test_undoing_a_merge_takes_back_what_was_recorded_after_it(
    community, people, child, terms
):
    club = SourceRecordFactory(organization=community.club)
    club_child = club.child
    event = decisions.merge(child, club_child, people.steward)
    # On the merged child, the club records a guardian and a consent.
    guardian = services.add_guardian(
        child, "Lee Example", "aunt", "", "", people.club_staff
    )
    consent = services.give_consent(**terms(guardian=guardian, user=people.club_staff))

    decisions.undo(event, people.steward)

    assert new_child_of(club) == club_child
    assert held_by(club_child) == ({consent.pk}, {guardian.pk})
    assert consent.pk not in held_by(child)[0]


def test_a_full_relink_that_splits_a_child_moves_them_too(
    community, people, child, guardian, terms
):
    # Two different children's records on one child: a re-link takes them
    # apart, and the district's record, the older, keeps the ID.
    club = SourceRecordFactory(
        organization=community.club, child=child, first_name="Leo", last_name="Ng"
    )
    club_guardian = services.add_guardian(
        child, "Lee Example", "aunt", "", "", people.club_staff
    )
    consent = services.give_consent(
        **terms(guardian=club_guardian, user=people.club_staff)
    )

    event = engine.apply_relink(engine.plan_relink(), people.steward)

    moved_to = new_child_of(club)
    assert moved_to != child
    assert held_by(moved_to) == ({consent.pk}, {club_guardian.pk})
    assert held_by(child) == (set(), {guardian.pk})
    assert event.kind == MappingEvent.Kind.RELINK
    assert event.summary["consents_moved"] == [[consent.pk, child.pk, moved_to.pk]]


def test_the_steward_is_told_what_went_with_the_records(
    client, community, people, child, guardian, consent
):
    district = child.source_records.get()
    SourceRecordFactory(organization=community.club, child=child)
    client.force_login(people.steward)

    response = client.post(
        reverse("linkage:split", args=[child.public_id]),
        {"records": [district.pk]},
        follow=True,
    )

    moved_to = new_child_of(district)
    assert [str(m) for m in response.context["messages"]] == [
        f"1 record separated into child {moved_to.public_id}. "
        "1 consent went with the records it was recorded from. "
        "1 guardian went with the records that name them."
    ]
    event = MappingEvent.objects.get()
    response = client.post(reverse("linkage:undo", args=[event.pk]), follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        f"Change {event.pk} (Split) undone. "
        "1 consent went with the records it was recorded from. "
        "1 guardian went with the records that name them."
    ]
    assert held_by(child) == ({consent.pk}, {guardian.pk})
    page = client.get(reverse("linkage:changes")).content.decode()
    assert page.count("1 consent went with the records") == 2


def test_a_merge_files_what_the_retired_child_held_under_the_survivor(
    client, community, people, child, terms
):
    # The club's record of the same child came in as a child of its own,
    # newer: the club recorded a guardian and a consent for it there.
    club = SourceRecordFactory(organization=community.club)
    newer = club.child
    guardian = services.add_guardian(
        newer, "Lee Example", "aunt", "", "", people.club_staff
    )
    consent = services.give_consent(
        **terms(child=newer, guardian=guardian, user=people.club_staff)
    )

    event = decisions.merge(child, newer, people.steward)

    assert new_child_of(club) == child
    assert held_by(child)[0] >= {consent.pk} and guardian.pk in held_by(child)[1]
    assert held_by(newer) == (set(), set())
    assert event.summary["consents_moved"] == [[consent.pk, newer.pk, child.pk]]
    # The consent page of the child in use lists it, and it can be revoked.
    client.force_login(people.club_staff)
    page = client.get(reverse("consent:child", args=[child.public_id]))
    assert reverse("consent:revoke", args=[consent.pk]) in page.content.decode()

    decisions.undo(event, people.steward)

    assert held_by(newer) == ({consent.pk}, {guardian.pk})
    assert consent.pk not in held_by(child)[0]


def test_the_steward_is_told_what_stayed_when_records_went_both_ways(
    client, community, people, child, guardian, consent
):
    duplicate = SourceRecordFactory(organization=community.district, child=child)
    client.force_login(people.steward)

    response = client.post(
        reverse("linkage:split", args=[child.public_id]),
        {"records": [duplicate.pk]},
        follow=True,
    )

    (message,) = [str(m) for m in response.context["messages"]]
    assert f"1 consent stayed with child {child.public_id}." in message
    assert f"1 guardian stayed with child {child.public_id}." in message
    assert "ask it which child they are for" in message
    event = MappingEvent.objects.get()
    assert event.summary["consents_kept"] == [[consent.pk, child.pk]]
    assert event.summary["guardians_kept"] == [[guardian.pk, child.pk]]


def test_a_consent_and_the_one_it_superseded_travel_together(
    community, people, child, guardian, consent, terms
):
    # The steward re-signs the district's consent from a written request: the
    # new consent goes where the district's records go, as the first did.
    parts = {key: value for key, value in terms().items() if key != "child"}
    newer = services.resign(consent, **{**parts, "user": people.steward})
    district = child.source_records.get()
    SourceRecordFactory(organization=community.club, child=child)

    decisions.split(child, [district], people.steward)

    moved_to = new_child_of(district)
    assert held_by(moved_to)[0] == {consent.pk, newer.pk}


def test_what_was_recorded_on_a_split_off_child_goes_back_with_the_undo(
    community, people, child, guardian, terms
):
    district = child.source_records.get()
    SourceRecordFactory(organization=community.club, child=child)
    event = decisions.split(child, [district], people.steward)
    split_off = new_child_of(district)
    added = services.add_guardian(
        split_off, "Lee Example", "aunt", "", "", people.district_staff
    )
    consent = services.give_consent(**terms(child=split_off, guardian=added))

    decisions.undo(event, people.steward)

    assert new_child_of(district) == child
    assert held_by(child) == ({consent.pk}, {guardian.pk, added.pk})


def test_the_relink_command_says_what_went_with_the_records(
    community, people, child, guardian, terms
):
    SourceRecordFactory(
        organization=community.club, child=child, first_name="Leo", last_name="Ng"
    )
    club_guardian = services.add_guardian(
        child, "Lee Example", "aunt", "", "", people.club_staff
    )
    services.give_consent(**terms(guardian=club_guardian, user=people.club_staff))
    out = io.StringIO()

    call_command("link", "--all", "--yes", stdout=out)

    assert (
        "Consents and guardians that went with the records they were recorded "
        "from: 1 and 1." in out.getvalue()
    )
