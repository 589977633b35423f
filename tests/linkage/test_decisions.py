"""A person's changes to the mapping: decisions, merges, splits, undo."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from braid.children.models import Child, LinkRule, SourceRecord
from braid.linkage import decisions, engine
from braid.linkage.decisions import LaterMoves, MappingError
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from braid.records.models import Enrollment
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of, queue


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


def test_a_same_child_answer_moves_only_the_record_whose_child_holds_a_twin(
    twins, people
):
    records, item = twins
    ava = records["A1"].child

    decision = decisions.decide(item, True, people.steward)

    assert decision is not None and decision.event is not None
    event = decision.event
    assert event.kind == MappingEvent.Kind.MOVE
    b1, a2 = records["B1"], records["A2"]
    assert event.moves == [[b1.pk, ava.pk, a2.child_id]]
    assert event.summary["apart_from"] == [records["A1"].pk]
    assert child_of(b1.organization, "B1") == a2.child_id
    assert list(ava.source_records.all()) == [records["A1"]]
    assert not Child.objects.filter(merged_into__isnull=False).exists()
    standing = {
        (d.record_a.local_id, d.record_b.local_id): d.same
        for d in PairDecision.standing.all()
    }
    assert standing == {("A2", "B1"): True, ("A1", "B1"): False}


def test_a_move_can_be_undone_and_takes_its_decisions_back(twins, people):
    records, item = twins
    decision = decisions.decide(item, True, people.steward)
    assert decision is not None and decision.event is not None

    decisions.undo(decision.event, people.steward)

    assert child_of(records["B1"].organization, "B1") == records["A1"].child_id
    assert not PairDecision.standing.exists()


@pytest.fixture
def crossed(community):
    """Two children with a clinic record each, and a queued pair across."""
    first, second = Child.objects.create(), Child.objects.create()
    a = SourceRecordFactory(organization=community.district, local_id="D1", child=first)
    x = SourceRecordFactory(organization=community.clinic, local_id="K1", child=first)
    b = SourceRecordFactory(organization=community.club, local_id="C1", child=second)
    y = SourceRecordFactory(organization=community.clinic, local_id="K2", child=second)
    item = ReviewItem.objects.create(
        record_a=a,
        record_b=b,
        kind=ReviewItem.Kind.LINK,
        reason=ReviewItem.Reason.UNCERTAIN,
        match_weight=0.5,
        match_probability=0.6,
    )
    return item, (a, x, b, y)


def test_a_same_child_answer_is_refused_when_both_children_stand_in_the_way(
    crossed, people
):
    item, (a, x, b, y) = crossed

    with pytest.raises(MappingError) as refused:
        decisions.decide(item, True, people.steward)

    assert str(refused.value) == (
        "These two cannot be made one child as their children stand: Eastside "
        "Clinic K1 and K2 are two records of one organization. Separate the record "
        "that does not belong on its child's page, then answer again."
    )
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.PENDING
    assert {r.child_id for r in (a, x)} != {r.child_id for r in (b, y)}
    assert not MappingEvent.objects.exists()


def test_a_refusal_held_by_decisions_says_where_to_withdraw_them(crossed, people):
    item, (a, x, b, y) = crossed
    # Each record of the pair was said to be another child than a record on
    # the other side: neither can move on its own.
    for first, second in ((a, y), (x, b)):
        PairDecision.objects.create(
            record_a=first, record_b=second, same=False, decided_by=people.steward
        )

    with pytest.raises(MappingError) as refused:
        decisions.decide(item, True, people.steward)

    message = str(refused.value)
    assert message.startswith(
        "These two cannot be made one child as their children stand: Riverbend "
        "Schools D1 and Eastside Clinic K2 were decided not the same child by "
        "steward on "
    )
    assert message.endswith(
        "Separate the record that does not belong on its child's page, then "
        "answer again. If a “Not the same child” decision is wrong, withdraw it "
        "instead under “Decisions on this child's records” on the page of child "
        f"{a.child.public_id} or {b.child.public_id}."
    )
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.PENDING


def test_withdrawing_the_decision_in_the_way_lets_the_answer_through(crossed, people):
    item, (a, x, b, y) = crossed
    for first, second in ((a, y), (x, b)):
        PairDecision.objects.create(
            record_a=first, record_b=second, same=False, decided_by=people.steward
        )
    decisions.withdraw(PairDecision.standing.get(record_b=b), people.steward)

    decision = decisions.decide(item, True, people.steward)

    assert decision is not None and decision.event is not None
    assert decision.event.kind == MappingEvent.Kind.MOVE
    assert child_of(b.organization, "C1") == a.child_id


def test_a_same_child_answer_never_joins_records_decided_apart(crossed, people):
    item, (a, x, b, y) = crossed
    # The clinic's second record goes; its first was said to be another child
    # than the club's record: only the district's record can join the club's.
    SourceRecord.objects.filter(pk=y.pk).update(child=Child.objects.create())
    apart = PairDecision.objects.create(
        record_a=x, record_b=b, same=False, decided_by=people.steward
    )

    decision = decisions.decide(item, True, people.steward)

    assert decision is not None and decision.event is not None
    assert decision.event.kind == MappingEvent.Kind.MOVE
    assert child_of(a.organization, "D1") == b.child_id
    assert child_of(x.organization, "K1") != b.child_id
    apart.refresh_from_db()
    assert apart.superseded_by is None


def test_a_merge_that_would_hold_two_records_of_one_organization_is_refused(
    two_pairs_of_twins, community, people
):
    records = two_pairs_of_twins

    with pytest.raises(decisions.DuplicateRecords) as refused:
        decisions.merge(records["A1"].child, records["A2"].child, people.steward)

    assert refused.value.organizations == [community.district, community.club]
    assert "Riverbend Schools A1 and A2 are two records of one organization" in str(
        refused.value
    )
    assert "Youth Club B1 and B2" in str(refused.value)
    assert not MappingEvent.objects.exists()


def test_a_merge_confirmed_as_duplicates_in_only_one_organization_is_refused(
    two_pairs_of_twins, community, people
):
    records = two_pairs_of_twins

    with pytest.raises(decisions.DuplicateRecords) as refused:
        decisions.merge(
            records["A1"].child,
            records["A2"].child,
            people.steward,
            duplicates_in={community.district.pk},
        )

    assert refused.value.organizations == [community.club]


def test_a_merge_of_confirmed_duplicates_survives_a_full_relink(
    two_pairs_of_twins, community, people
):
    records = two_pairs_of_twins
    survivor = records["A1"].child

    decisions.merge(
        survivor,
        records["A2"].child,
        people.steward,
        duplicates_in={community.district.pk, community.club.pk},
    )
    plan = engine.plan_relink()

    assert set(survivor.source_records.values_list("local_id", flat=True)) == {
        "A1",
        "A2",
        "B1",
        "B2",
    }
    assert plan.counts()["children_split"] == 0
    assert plan.moves == []
    assert PairDecision.standing.filter(same=True).count() == 4


def test_a_merge_of_records_decided_apart_is_refused_and_says_by_whom(
    two_children, people
):
    district, club = two_children
    PairDecision.objects.create(
        record_a=district, record_b=club, same=False, decided_by=people.steward
    )

    with pytest.raises(MappingError) as refused:
        decisions.merge(district.child, club.child, people.steward)

    message = str(refused.value)
    assert message.startswith(
        "These children cannot be merged. Riverbend Schools D1 and Youth Club C1 "
        "were decided not the same child by steward on "
    )
    assert message.endswith(
        "A merge does not override that decision: if they are one child after "
        "all, withdraw it under “Decisions on this child's records” on the page "
        f"of child {district.child.public_id}, then merge again."
    )
    assert "Jaden" not in message


def test_a_merge_refused_by_a_split_points_to_undoing_the_split(two_children, people):
    district, club = two_children
    decisions.merge(district.child, club.child, people.steward)
    split = decisions.split(district.child, [club], people.steward)
    club.refresh_from_db()

    with pytest.raises(MappingError, match=f"change #{split.pk} \\(Split\\): if they"):
        decisions.merge(district.child, club.child, people.steward)

    decisions.undo(split, people.steward)
    assert child_of(club.organization, "C1") == district.child_id


@pytest.fixture
def linked(community):
    """One child whose district and club records were linked by a run."""
    child = Child.objects.create()
    district = SourceRecordFactory(
        organization=community.district, local_id="D1", child=child
    )
    club = SourceRecordFactory(organization=community.club, local_id="C1", child=child)
    return child, district, club


def test_undoing_a_split_leaves_no_empty_child_behind(linked, people):
    child, district, _ = linked
    split = decisions.split(child, [district], people.steward)
    district.refresh_from_db()
    separated = district.child
    assert separated != child

    undo = decisions.undo(split, people.steward)

    separated.refresh_from_db()
    assert not separated.source_records.exists()
    assert separated.merged_into == child
    assert separated.survivor() == child
    assert undo.merged == [[separated.pk, child.pk]]
    assert Child.objects.filter(merged_into__isnull=True).count() == 1


def test_splitting_again_after_an_undo_brings_back_the_same_id(linked, people):
    child, district, _ = linked
    split = decisions.split(child, [district], people.steward)
    district.refresh_from_db()
    separated = district.child
    decisions.undo(split, people.steward)

    decisions.split(child, [district], people.steward)

    separated.refresh_from_db()
    assert child_of(district.organization, "D1") == separated.pk
    assert separated.merged_into is None


@pytest.fixture
def merged_into_a(community, people):
    """Child A (a1, a2) with child B (b1) merged into it."""
    a, b = Child.objects.create(), Child.objects.create()
    a1 = SourceRecordFactory(organization=community.district, local_id="A1", child=a)
    a2 = SourceRecordFactory(organization=community.club, local_id="A2", child=a)
    b1 = SourceRecordFactory(organization=community.clinic, local_id="B1", child=b)
    merge = decisions.merge(a, b, people.steward)
    return a, b, (a1, a2, b1), merge


def test_splitting_off_a_childs_own_records_sends_the_merged_ones_back(
    merged_into_a, people
):
    a, b, (a1, a2, b1), _ = merged_into_a
    children_before = Child.objects.count()

    split = decisions.split(a, [a1, a2], people.steward)

    assert child_of(a1.organization, "A1") == a.pk
    assert child_of(a2.organization, "A2") == a.pk
    assert child_of(b1.organization, "B1") == b.pk
    b.refresh_from_db()
    assert b.merged_into is None
    assert Child.objects.count() == children_before
    assert split.moves == [[b1.pk, a.pk, b.pk]]
    assert split.revived == [[b.pk, a.pk]]
    standing = PairDecision.standing.filter(event=split)
    assert {(d.record_a_id, d.record_b_id, d.same) for d in standing} == {
        (a1.pk, b1.pk, False),
        (a2.pk, b1.pk, False),
    }

    decisions.undo(split, people.steward)

    b.refresh_from_db()
    assert b.merged_into == a
    assert {child_of(r.organization, r.local_id) for r in (a1, a2, b1)} == {a.pk}


def test_undoing_a_split_of_a_merge_brings_back_the_merges_decisions(
    merged_into_a, people
):
    a, _, (a1, a2, b1), merge = merged_into_a
    together = set(PairDecision.standing.filter(event=merge))
    assert len(together) == 2
    split = decisions.split(a, [b1], people.steward)

    undo = decisions.undo(split, people.steward)

    assert set(PairDecision.standing.all()) == together
    assert sorted(undo.summary["decided_pairs"]) == sorted(
        [[a1.pk, b1.pk], [a2.pk, b1.pk]]
    )
    engine.apply_relink(engine.plan_relink(), None)
    assert {child_of(r.organization, r.local_id) for r in (a1, a2, b1)} == {a.pk}


def test_undoing_a_merge_made_in_the_queue_asks_the_pair_again(send, community, people):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()
    decision = decisions.decide(item, True, people.steward)
    assert decision is not None and decision.event is not None

    undo = decisions.undo(decision.event, people.steward)

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.PENDING
    assert item.decision is None
    assert undo.summary == {"reopened": [item.pk]}
    decision.refresh_from_db()
    assert decision.withdrawn_by == undo


def test_a_withdrawal_of_a_decision_whose_merge_was_undone_is_not_undone(
    two_children, people
):
    district, club = two_children
    merge = decisions.merge(district.child, club.child, people.steward)
    together = PairDecision.standing.get()
    withdrawal = decisions.withdraw(together, people.steward)
    decisions.undo(merge, people.steward)

    with pytest.raises(MappingError) as refused:
        decisions.undo(withdrawal, people.steward)

    assert str(refused.value) == (
        "Riverbend Schools D1 and Youth Club C1 cannot be held again: the change "
        f"that made this decision, #{merge.pk}, has been undone since; nothing "
        "was changed."
    )
    assert not PairDecision.standing.exists()
    assert not hasattr(withdrawal, "undone_by")


def test_undo_refused_for_a_record_moved_since_names_the_record(two_children, people):
    district, club = two_children
    merge = decisions.merge(district.child, club.child, people.steward)
    split = decisions.split(district.child, [club], people.steward)

    with pytest.raises(MappingError) as refused:
        decisions.undo(merge, people.steward)

    assert str(refused.value) == (
        f"Youth Club C1 moved again after this change, by change #{split.pk}; "
        "undo that change first, then this one."
    )


@pytest.fixture
def split_off(community, people):
    """Three children merged into one (#1, #2), then the club's C3 split off.

    Returns the records, the two merges and the split, in that order.
    """
    d, c, h = (Child.objects.create() for _ in range(3))
    d1 = SourceRecordFactory(organization=community.district, local_id="D1", child=d)
    c3 = SourceRecordFactory(organization=community.club, local_id="C3", child=c)
    h1 = SourceRecordFactory(organization=community.clinic, local_id="H1", child=h)
    first = decisions.merge(d, c, people.steward)
    second = decisions.merge(d, h, people.steward)
    split = decisions.split(d, [c3], people.steward)
    return (d1, c3, h1), first, second, split


def _merge_back(c3: SourceRecord, d1: SourceRecord, split: MappingEvent, user):
    """Withdraw the split's decisions and merge C3's child back into D1's."""
    for decision in PairDecision.standing.filter(event=split):
        decisions.withdraw(decision, user)
    c3.refresh_from_db()
    d1.refresh_from_db()
    return decisions.merge(d1.child, c3.child, user)


def test_a_record_moved_out_and_back_since_still_refuses_the_undo(split_off, people):
    (d1, c3, _h1), first, _second, split = split_off
    back = _merge_back(c3, d1, split, people.steward)
    assert child_of(c3.organization, "C3") == d1.child_id

    with pytest.raises(MappingError) as refused:
        decisions.undo(first, people.steward)

    # The withdrawals in between moved nothing and are not in the way.
    assert str(refused.value) == (
        f"Youth Club C3 moved again after this change, by changes #{back.pk}, "
        f"#{split.pk}; undo those first, newest first, then this one."
    )
    assert child_of(c3.organization, "C3") == d1.child_id
    assert not hasattr(MappingEvent.objects.get(pk=first.pk), "undone_by")


def test_undoing_the_changes_in_the_way_newest_first_lets_the_undo_through(
    split_off, people
):
    (d1, c3, h1), first, second, split = split_off
    apart = {record.pk: record.child_id for record in (d1, c3, h1)}
    back = _merge_back(c3, d1, split, people.steward)

    for change in (back, split, second, first):
        decisions.undo(change, people.steward)

    assert dict(SourceRecord.objects.values_list("pk", "child_id")) == apart


def test_a_later_change_and_its_undo_are_not_in_the_way(split_off, people):
    (d1, c3, _h1), first, _second, split = split_off
    decisions.undo(split, people.steward)

    undo = decisions.undo(first, people.steward)

    assert undo.undoes == first
    c3.refresh_from_db()
    assert c3.child_id == first.moves[0][1] != d1.child_id


def test_an_undo_of_an_earlier_change_made_out_of_order_is_in_the_way(
    split_off, people, monkeypatch
):
    """An undo let through before the check existed blocks what it skipped."""
    (d1, c3, _h1), first, _second, split = split_off
    back = _merge_back(c3, d1, split, people.steward)
    with monkeypatch.context() as unchecked:
        unchecked.setattr(decisions, "later_moves", lambda *a, **k: LaterMoves())
        out_of_order = decisions.undo(first, people.steward)

    with pytest.raises(MappingError, match=f"by change #{out_of_order.pk};"):
        decisions.undo(back, people.steward)
    with pytest.raises(MappingError) as refused:
        decisions.undo(split, people.steward)
    assert f"by changes #{out_of_order.pk}, #{back.pk};" in str(refused.value)


def test_the_check_asks_the_same_few_queries_however_long_the_history(
    split_off, people, django_assert_num_queries
):
    (d1, c3, _h1), first, _second, split = split_off
    back = _merge_back(c3, d1, split, people.steward)
    for _ in range(3):
        again = decisions.split(d1.child, [c3], people.steward)
        decisions.undo(again, people.steward)
    where = {c3.pk: d1.child_id}

    with django_assert_num_queries(3):
        moved = decisions.later_moves(first, where, listed=1)

    assert moved == LaterMoves([back.pk, split.pk], [c3.pk], 1)


def _child_locks(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and 'FROM "children_child"' in q["sql"]
    ]


@pytest.mark.parametrize("flipped", [False, True])
def test_a_merge_locks_both_children_at_once_in_the_order_of_their_ids(
    two_children, people, flipped
):
    district, club = two_children
    pair = [district.child, club.child]
    first, second = reversed(pair) if flipped else pair

    with CaptureQueriesContext(connection) as queries:
        decisions.merge(first, second, people.steward)

    [lock, *_] = _child_locks(queries)
    assert 'ORDER BY "children_child"."id" ASC' in lock
    assert str(district.child_id) in lock and str(club.child_id) in lock
    if connection.features.has_select_for_update:
        assert lock.endswith("FOR UPDATE")


def status_of_item(item: ReviewItem) -> str:
    item.refresh_from_db()
    return item.status


@pytest.fixture
def moved_while_locking(monkeypatch):
    """Move a record to another child just before the first lock is taken.

    A roster or a re-link moves records without locking their children, so
    one may move between an answer's first read and its locks.
    """

    def arrange(record: SourceRecord) -> Child:
        elsewhere = Child.objects.create()
        lock = decisions._lock_children
        calls = []

        def moving_first(child_ids):
            if not calls:
                SourceRecord.objects.filter(pk=record.pk).update(child=elsewhere)
            calls.append(sorted(child_ids))
            return lock(child_ids)

        monkeypatch.setattr(decisions, "_lock_children", moving_first)
        return elsewhere

    return arrange


def test_a_same_child_answer_joins_the_records_where_they_are_once_locked(
    two_children, people, moved_while_locking
):
    district, club = two_children
    item = queue(district, club)
    elsewhere = moved_while_locking(club)

    decisions.decide(item, True, people.steward)

    club.refresh_from_db()
    assert child_of(district.organization, "D1") == club.child_id
    # The child the club's record had left was not merged for nothing.
    old = Child.objects.exclude(pk__in=[district.child_id, elsewhere.pk]).get()
    assert old.merged_into is None
    assert PairDecision.standing.get().same is True


def test_a_not_the_same_answer_moves_nothing_once_the_records_are_apart(
    community, people, moved_while_locking
):
    child = Child.objects.create()
    district = SourceRecordFactory(
        organization=community.district, local_id="D1", child=child
    )
    club = SourceRecordFactory(organization=community.club, local_id="C1", child=child)
    item = queue(district, club)
    elsewhere = moved_while_locking(club)

    decision = decisions.decide(item, False, people.steward)

    assert decision is not None and decision.event is None
    assert child_of(community.club, "C1") == elsewhere.pk
    assert child_of(community.district, "D1") == child.pk
    assert not MappingEvent.objects.exists()
    assert status_of_item(item) == ReviewItem.Status.DECIDED


def test_an_answer_locks_the_children_before_the_records_and_the_pair(
    two_children, people
):
    district, club = two_children
    item = queue(district, club)

    with CaptureQueriesContext(connection) as queries:
        decisions.decide(item, True, people.steward)

    selects = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    first_lock = next(
        i for i, sql in enumerate(selects) if 'FROM "children_child"' in sql
    )
    assert 'ORDER BY "children_child"."id" ASC' in selects[first_lock]
    # Before the lock, only the pair's children are read: no record is
    # read whole, and the queued pair is not read at all.
    for sql in selects[:first_lock]:
        assert 'FROM "linkage_reviewitem"' not in sql
        assert 'SELECT "children_sourcerecord"."child_id"' in sql


def test_undoing_a_split_whose_decision_was_withdrawn_brings_the_merge_back(
    two_children, people
):
    district, club = two_children
    decisions.merge(district.child, club.child, people.steward)
    club.refresh_from_db()
    split = decisions.split(club.child, [club], people.steward)
    decisions.withdraw(PairDecision.standing.get(), people.steward)

    decisions.undo(split, people.steward)

    # The merge's "same child" holds again, so a re-link keeps the two as one.
    assert PairDecision.standing.get().same is True
    assert engine.plan_relink().moves == []
