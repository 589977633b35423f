"""The review queue after changes that join, separate or put back records."""

import pytest
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions, engine
from braid.linkage.models import MappingEvent, ReviewItem
from braid.linkage.scoring import ScoredPair
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of, queue


def status_of(item: ReviewItem) -> str:
    item.refresh_from_db()
    return item.status


@pytest.fixture
def competing(community):
    """A district and a clinic record in one child, a club record apart.

    The club record is queued with each of the other two.
    """
    first, second = Child.objects.create(), Child.objects.create()
    district = SourceRecordFactory(
        organization=community.district, local_id="D1", child=first
    )
    clinic = SourceRecordFactory(
        organization=community.clinic, local_id="K1", child=first
    )
    club = SourceRecordFactory(organization=community.club, local_id="C1", child=second)
    return queue(district, club), queue(clinic, club)


def test_a_same_child_answer_takes_the_other_joined_pairs_off_the_queue(
    competing, people
):
    answered, other = competing

    decisions.decide(answered, True, people.steward)

    assert status_of(answered) == ReviewItem.Status.DECIDED
    assert status_of(other) == ReviewItem.Status.OBSOLETE


def test_undoing_the_join_asks_the_other_pairs_again_as_they_were(competing, people):
    answered, other = competing
    ReviewItem.objects.filter(pk=other.pk).update(status=ReviewItem.Status.SKIPPED)
    decision = decisions.decide(answered, True, people.steward)
    assert decision is not None and decision.event is not None

    decisions.undo(decision.event, people.steward)

    assert status_of(answered) == ReviewItem.Status.PENDING
    assert status_of(other) == ReviewItem.Status.SKIPPED


def test_a_merge_takes_pairs_already_inside_one_child_off_the_queue(community, people):
    first, second = Child.objects.create(), Child.objects.create()
    district = SourceRecordFactory(
        organization=community.district, local_id="D1", child=first
    )
    clinic = SourceRecordFactory(
        organization=community.clinic, local_id="K1", child=first
    )
    club = SourceRecordFactory(organization=community.club, local_id="C1", child=second)
    inside = queue(district, clinic)
    across = queue(district, club)

    event = decisions.merge(first, second, people.steward)

    assert status_of(inside) == ReviewItem.Status.OBSOLETE
    assert status_of(across) == ReviewItem.Status.DECIDED
    assert event.summary["reviews_obsoleted"] == [[inside.pk, "pending"]]


def test_a_linking_run_takes_off_pairs_whose_records_are_one_child(send, community):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()
    # Joined by hand, with no decision: the next run asks about the pair
    # again and finds it settled.
    club = SourceRecord.objects.get(organization=community.club)
    SourceRecord.objects.filter(pk=club.pk).update(
        child_id=child_of(community.district, "D1")
    )
    ReviewItem.objects.filter(pk=item.pk).update(status=ReviewItem.Status.OBSOLETE)
    club.refresh_from_db()
    district = SourceRecord.objects.get(organization=community.district)
    scored = engine.PendingReview(district, club, _scored(item), None, known=True)

    engine._queue([scored], None)

    assert status_of(item) == ReviewItem.Status.OBSOLETE


def _scored(item: ReviewItem) -> ScoredPair:
    a, b = item.record_a, item.record_b
    return ScoredPair(
        a=a.pk,
        b=b.pk,
        weight=item.match_weight,
        probability=item.match_probability,
        organization_a=a.organization_id,
        organization_b=b.organization_id,
        values={},
        levels=[],
    )


def test_undoing_a_full_relink_puts_the_queue_back(send, community, people):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")
    send(community.district, "D2,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C2,S999,Noah,Kim,2015-03-07,M,,")
    noah = ReviewItem.objects.get()
    # Pulled apart by hand and queued: the re-link joins them and drops the
    # pair. Noah's pair it asks about anew.
    william = SourceRecord.objects.get(organization=community.club, local_id="C1")
    SourceRecord.objects.filter(pk=william.pk).update(child=Child.objects.create())
    dropped = queue(SourceRecord.objects.get(local_id="D1"), william)
    noah.delete()

    event = engine.apply_relink(engine.plan_relink(), people.steward)

    asked = ReviewItem.objects.get(status=ReviewItem.Status.PENDING)
    assert status_of(dropped) == ReviewItem.Status.OBSOLETE
    assert event.summary["reviews_created"] == [asked.pk]

    decisions.undo(event, people.steward)

    assert status_of(dropped) == ReviewItem.Status.PENDING
    assert status_of(asked) == ReviewItem.Status.OBSOLETE


def test_a_not_the_same_answer_says_the_records_were_separated(
    client, community, people
):
    child = Child.objects.create()
    district = SourceRecordFactory(
        organization=community.district, local_id="D1", child=child
    )
    club = SourceRecordFactory(organization=community.club, local_id="C1", child=child)
    item = queue(district, club)
    client.force_login(people.steward)

    response = client.post(
        reverse("linkage:review"), {f"pair-{item.pk}": "different"}, follow=True
    )

    event = MappingEvent.objects.get()
    club.refresh_from_db()
    assert [str(m) for m in response.context["messages"]] == [
        "1 answer saved: 0 same child, 1 not the same, 0 skipped.",
        f"Riverbend Schools D1 and Youth Club C1: the two records were in one "
        f"child, so they were separated: Youth Club C1 moved from child "
        f"{child.public_id} to child {club.child.public_id}. The split (change "
        f"#{event.pk}) can be undone in the list of changes.",
    ]


def test_a_full_relink_asks_again_about_a_pair_set_aside_before(
    send, community, people
):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()
    fresh = {
        name: getattr(item, name)
        for name in ("kind", "reason", "match_weight", "match_probability")
    }
    # Set aside by an earlier change, with the scores it had then.
    ReviewItem.objects.filter(pk=item.pk).update(
        status=ReviewItem.Status.OBSOLETE,
        reason=ReviewItem.Reason.UNCERTAIN,
        match_weight=0.5,
        match_probability=0.6,
        comparison=[],
    )
    plan = engine.plan_relink()
    [wanted] = plan.review

    event = engine.apply_relink(plan, people.steward)

    item.refresh_from_db()
    assert item.status == ReviewItem.Status.PENDING
    assert {name: getattr(item, name) for name in fresh} == fresh
    assert item.match_weight == wanted.scored.weight
    assert item.comparison == [
        {"comparison": level.comparison, "level": level.label, "weight": level.weight}
        for level in wanted.scored.levels
    ]
    assert event.summary["reviews_reopened"] == [item.pk]
    assert event.summary["reviews_created"] == []

    decisions.undo(event, people.steward)

    assert status_of(item) == ReviewItem.Status.OBSOLETE


def test_a_full_relink_leaves_a_decided_pair_as_it_was(send, community, people):
    send(community.district, "D1,S100,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S999,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get()
    # Answered once; the decision no longer stands, so the re-link would
    # ask about the pair, but the answered item is not its to reopen.
    ReviewItem.objects.filter(pk=item.pk).update(status=ReviewItem.Status.DECIDED)
    plan = engine.plan_relink()
    assert len(plan.review) == 1

    event = engine.apply_relink(plan, people.steward)

    assert status_of(item) == ReviewItem.Status.DECIDED
    assert event.summary["reviews_reopened"] == []
    assert event.summary["reviews_created"] == []
