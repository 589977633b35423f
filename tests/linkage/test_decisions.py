"""A person's changes to the mapping: decisions, merges, splits, undo."""

import pytest

from braid.children.models import Child, LinkRule, SourceRecord
from braid.linkage import decisions, engine
from braid.linkage.decisions import MappingError
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from braid.records.models import Enrollment
from tests.linkage.conftest import child_of


@pytest.fixture
def two_children(send, community):
    send(community.district, "D1,,Jaden,Cole-Reyes,2015-04-09,M,,")
    send(community.club, "C1,,Ava,Brennan,2012-06-21,F,,")
    return (
        SourceRecord.objects.get(organization=community.district),
        SourceRecord.objects.get(organization=community.club),
    )


def test_merging_keeps_the_older_id_and_the_other_points_to_it(two_children, people):
    district, club = two_children
    older, newer = district.child, club.child

    event = decisions.merge(older, newer, people.steward)

    newer.refresh_from_db()
    assert newer.merged_into == older
    assert newer.survivor() == older
    assert child_of(club.organization, "C1") == older.pk
    assert event.kind == MappingEvent.Kind.MERGE
    assert PairDecision.standing.get().same is True
    club.refresh_from_db()
    assert club.link_rule == LinkRule.HUMAN
    assert club.linked_by == people.steward


def test_enrollments_follow_their_records_into_the_merged_child(two_children, people):
    district, club = two_children
    decisions.merge(district.child, club.child, people.steward)

    children = set(Enrollment.objects.values_list("source_record__child_id", flat=True))
    assert children == {district.child_id}


def test_splitting_a_merge_brings_back_the_old_id(two_children, people):
    district, club = two_children
    old_club_child = club.child
    decisions.merge(district.child, club.child, people.steward)

    decisions.split(district.child, [club], people.steward)

    club.refresh_from_db()
    old_club_child.refresh_from_db()
    assert club.child == old_club_child
    assert old_club_child.merged_into is None
    standing = PairDecision.standing.get(record_a=district, record_b=club)
    assert standing.same is False


def test_a_merge_can_be_undone(two_children, people):
    district, club = two_children
    old_club_child = club.child
    event = decisions.merge(district.child, club.child, people.steward)

    decisions.undo(event, people.steward)

    club.refresh_from_db()
    old_club_child.refresh_from_db()
    assert club.child == old_club_child
    assert old_club_child.merged_into is None
    assert not PairDecision.standing.exists()
    with pytest.raises(MappingError):
        decisions.undo(event, people.steward)


def test_a_change_moved_again_since_cannot_be_undone_out_of_order(two_children, people):
    district, club = two_children
    merge = decisions.merge(district.child, club.child, people.steward)
    decisions.split(district.child, [club], people.steward)

    with pytest.raises(MappingError, match="moved again"):
        decisions.undo(merge, people.steward)


def test_a_split_needs_one_record_to_stay(two_children, people):
    district, _ = two_children

    with pytest.raises(MappingError):
        decisions.split(district.child, [district], people.steward)


def test_a_merged_child_cannot_be_worked_on_directly(two_children, people):
    district, club = two_children
    newer = club.child
    decisions.merge(district.child, newer, people.steward)

    with pytest.raises(MappingError, match="merged into another"):
        decisions.merge(newer, district.child, people.steward)


def test_deciding_a_queued_pair_the_same_child_merges_them(
    send,
    community,
    people,
):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()

    decisions.decide(item, True, people.steward)

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.DECIDED
    assert item.decision.same is True
    assert item.decision.decided_by == people.steward
    assert item.decision.match_weight == item.match_weight
    assert child_of(community.district, "D1") == child_of(community.club, "C1")


def test_skipping_a_pair_keeps_it_in_the_queue(send, community, people):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()

    assert decisions.decide(item, None, people.steward) is None

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.SKIPPED
    assert not PairDecision.objects.exists()


def test_a_full_relink_never_overrides_a_person(send, community, people):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")
    district = SourceRecord.objects.get(organization=community.district)
    club = SourceRecord.objects.get(organization=community.club)
    assert district.child_id == club.child_id
    decisions.split(district.child, [club], people.steward)

    plan = engine.plan_relink()
    engine.apply_relink(plan, None)

    assert plan.counts()["children_merged"] == 0
    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_a_full_relink_says_what_it_would_change_before_changing_it(
    send,
    community,
    people,
):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")
    club = SourceRecord.objects.get(organization=community.club)
    # Pulled apart by hand, with no decision left behind: a re-link joins them.
    fresh = Child.objects.create()
    SourceRecord.objects.filter(pk=club.pk).update(child=fresh)

    plan = engine.plan_relink()

    assert plan.counts()["children_merged"] == 1
    assert child_of(community.club, "C1") == fresh.pk
    engine.apply_relink(plan, None)
    assert child_of(community.club, "C1") == child_of(community.district, "D1")
    fresh.refresh_from_db()
    assert fresh.merged_into_id == child_of(community.district, "D1")
