"""A record whose compared details a later roster changes is linked again."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from braid.children.models import Child, LinkRule, SourceRecord
from braid.consent import services
from braid.consent.models import FormVersion
from braid.linkage import decisions, engine
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from tests.linkage.conftest import child_of, queue

ZOE = "z1,,Zoe,Hartwell,2015-02-02,,,60630"
QUINN = "q1,,Quinn,Yarrow,2011-09-09,,,60631"
QUINN_CORRECTED = "q1,,Zoe,Hartwell,2015-02-02,,,60630"


def linking(outcome):
    assert outcome.linking is not None
    return outcome.linking


def test_a_corrected_record_joins_the_child_it_belongs_to(send, community, people):
    send(community.district, ZOE)
    send(community.club, QUINN)
    quinn_child = Child.objects.get(pk=child_of(community.club, "q1"))

    outcome = send(community.club, QUINN_CORRECTED)

    assert outcome.preview.counts()["changed"] == 1
    assert (linking(outcome).relinked, linking(outcome).moved) == (1, 1)
    zoe_child = child_of(community.district, "z1")
    assert child_of(community.club, "q1") == zoe_child
    record = SourceRecord.objects.get(organization=community.club)
    assert record.link_rule == LinkRule.MODEL
    assert record.link_weight is not None
    # The corrected record's old ID now leads to the child it joined.
    quinn_child.refresh_from_db()
    assert quinn_child.merged_into_id == zoe_child
    event = MappingEvent.objects.get()
    assert event.moves == [[record.pk, quinn_child.pk, zoe_child]]
    assert event.created_by == people.club_staff


def test_a_record_changed_to_another_child_leaves_and_the_child_keeps_its_id(
    send, community
):
    send(community.district, "d1,,Ava,Brennan,2012-06-21,F,,60630")
    send(community.club, "c1,,Ava,Brennan,2012-06-21,F,,60630")
    shared = child_of(community.district, "d1")
    assert child_of(community.club, "c1") == shared

    outcome = send(community.club, "c1,,Leo,Nguyen,2014-11-30,M,,60640")

    assert (linking(outcome).relinked, linking(outcome).moved) == (1, 1)
    assert child_of(community.district, "d1") == shared
    left_for = child_of(community.club, "c1")
    assert left_for != shared
    assert Child.objects.get(pk=shared).merged_into is None
    record = SourceRecord.objects.get(organization=community.club)
    assert record.link_rule == LinkRule.NEW_CHILD
    assert MappingEvent.objects.get().moves == [[record.pk, shared, left_for]]


def test_a_record_alone_keeps_its_child_whatever_its_new_details(send, community):
    send(community.club, QUINN)
    before = child_of(community.club, "q1")

    outcome = send(community.club, "q1,,Leo,Nguyen,2014-11-30,M,,60640")

    assert (linking(outcome).relinked, linking(outcome).moved) == (1, 0)
    assert child_of(community.club, "q1") == before
    assert not MappingEvent.objects.exists()


def test_incremental_linking_agrees_with_a_full_relink_after_changes(send, community):
    send(community.district, ZOE, "d1,,Ava,Brennan,2012-06-21,F,,60630")
    send(community.club, QUINN, "c1,,Ava,Brennan,2012-06-21,F,,60630")

    send(
        community.club,
        QUINN_CORRECTED,
        "c1,,Leo,Nguyen,2014-11-30,M,,60640",
    )

    plan = engine.plan_relink()
    assert (plan.moves, plan.merged, plan.split) == ([], [], [])


def test_a_change_the_model_does_not_compare_links_nothing_again(send, community):
    send(community.district, ZOE)
    send(community.club, QUINN_CORRECTED)

    # The case of a name is not compared: the record changes, its link does
    # not.
    outcome = send(community.club, "q1,,ZOE,HARTWELL,2015-02-02,,,60630")

    assert outcome.preview.counts()["changed"] == 1
    assert (linking(outcome).relinked, linking(outcome).moved) == (0, 0)


def test_open_pairs_of_a_changed_record_are_scored_again(send, community):
    send(community.district, "d1,,Ava,Okafor,2015-03-07,F,1 Elm St,60630")
    send(community.club, "c1,,Mia,Okafor,2015-03-07,F,1 Elm St,60630")
    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.TWINS

    send(community.club, "c1,,Leo,Nguyen,2014-11-30,M,,60640")

    # The new details put the pair out of doubt; no record moved, so there is
    # no change to undo, and the pair stays off the queue.
    item.refresh_from_db()
    assert item.status == ReviewItem.Status.OBSOLETE
    assert not MappingEvent.objects.exists()


@pytest.fixture
def decided_pair(send, community, people):
    """Two records a person said are one child despite two state IDs."""
    send(community.district, "d1,S100,Ava,Brennan,2012-06-21,F,,60630")
    send(community.club, "c1,S999,Ava,Brennan,2012-06-21,F,,60630")
    item = ReviewItem.objects.get()
    assert item.reason == ReviewItem.Reason.DIFFERENT_IDS
    decisions.decide(item, True, people.steward)
    assert child_of(community.district, "d1") == child_of(community.club, "c1")
    return child_of(community.district, "d1")


def test_a_link_a_person_made_survives_a_minor_change(send, community, decided_pair):
    outcome = send(community.club, "c1,S999,Ava,Brennan,2012-06-21,F,9 Oak Ave,60631")

    assert (linking(outcome).relinked, linking(outcome).moved) == (0, 0)
    assert child_of(community.club, "c1") == decided_pair
    assert PairDecision.standing.get().same is True
    assert not ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).exists()


def test_a_link_a_person_made_is_asked_about_again_when_it_no_longer_fits(
    send, community, decided_pair
):
    outcome = send(community.club, "c1,S999,Leo,Nguyen,2014-11-30,M,,60640")

    # The person's word holds until a person takes it back.
    assert (linking(outcome).relinked, linking(outcome).moved) == (0, 0)
    assert child_of(community.club, "c1") == decided_pair
    assert PairDecision.standing.get().same is True
    item = ReviewItem.objects.get()
    assert item.status == ReviewItem.Status.PENDING
    assert item.decision is None
    assert item.match_weight < engine.policy().review_weight
    assert linking(outcome).review == 1


def test_a_person_who_said_two_records_differ_is_still_obeyed(send, community, people):
    send(community.district, ZOE)
    send(community.club, "q1,,Zoe,Hartwell,2015-02-02,,,60630")
    club = SourceRecord.objects.get(organization=community.club)
    decisions.split(club.child, [club], people.steward)
    send(community.club, QUINN)

    send(community.club, QUINN_CORRECTED)

    assert child_of(community.club, "q1") != child_of(community.district, "z1")


def test_linking_a_changed_record_again_can_be_undone(send, community, people):
    send(community.district, ZOE)
    send(community.club, QUINN)
    quinn_child = Child.objects.get(pk=child_of(community.club, "q1"))
    send(community.club, QUINN_CORRECTED)

    decisions.undo(MappingEvent.objects.get(), people.steward)

    assert child_of(community.club, "q1") == quinn_child.pk
    quinn_child.refresh_from_db()
    assert quinn_child.merged_into is None


def test_a_consent_goes_with_a_corrected_record_to_its_new_child(
    send, community, people
):
    send(community.district, ZOE)
    send(community.club, QUINN_CORRECTED)
    together = Child.objects.get(pk=child_of(community.club, "q1"))
    assert child_of(community.district, "z1") == together.pk
    guardian = services.add_guardian(
        together, "Lee Example", "aunt", "", "", people.club_staff
    )
    now = timezone.now()
    consent = services.give_consent(
        child=together,
        form_version=FormVersion.objects.get(form__slug="sharing", number=1),
        signer="guardian",
        guardian=guardian,
        recipient_kinds=["city-service"],
        purposes=["program-evaluation"],
        categories=["attendance"],
        valid_from=now - timedelta(days=1),
        valid_until=now + timedelta(days=365),
        signed_at=now - timedelta(days=1),
        method="paper",
        scan=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"),
        user=people.club_staff,
    )

    # The club's record was another child's all along.
    send(community.club, QUINN)

    quinn_child = child_of(community.club, "q1")
    assert quinn_child != together.pk
    consent.refresh_from_db()
    guardian.refresh_from_db()
    assert (consent.child_id, guardian.child_id) == (quinn_child, quinn_child)


def record(org, local_id: str) -> SourceRecord:
    return SourceRecord.objects.get(organization=org, local_id=local_id)


def status_of(item: ReviewItem) -> str:
    item.refresh_from_db()
    return item.status


def test_undoing_a_roster_change_asks_again_the_pairs_it_set_aside(
    send, community, people
):
    send(community.district, ZOE)
    send(community.club, QUINN)
    waiting = queue(
        record(community.district, "z1"),
        record(community.club, "q1"),
        status=ReviewItem.Status.SKIPPED,
    )

    send(community.club, QUINN_CORRECTED)

    # The corrected record joined Zoe: the pair is settled for now.
    event = MappingEvent.objects.get()
    assert status_of(waiting) == ReviewItem.Status.OBSOLETE
    assert event.summary["reviews_obsoleted"] == [[waiting.pk, "skipped"]]

    decisions.undo(event, people.steward)

    assert child_of(community.club, "q1") != child_of(community.district, "z1")
    assert status_of(waiting) == ReviewItem.Status.SKIPPED


def test_a_roster_change_lists_only_the_set_aside_pairs_of_records_it_moved(
    send, community, people
):
    send(community.district, ZOE, "d1,,Ava,Okafor,2015-03-07,F,1 Elm St,60630")
    send(community.club, QUINN, "c1,,Mia,Okafor,2015-03-07,F,1 Elm St,60630")
    twins = ReviewItem.objects.get()
    moving = queue(record(community.district, "z1"), record(community.club, "q1"))

    # Quinn's record moves to Zoe; Mia's changes but stays alone.
    send(community.club, QUINN_CORRECTED, "c1,,Leo,Nguyen,2014-11-30,M,,60640")

    event = MappingEvent.objects.get()
    assert [move[0] for move in event.moves] == [record(community.club, "q1").pk]
    assert event.summary["reviews_obsoleted"] == [[moving.pk, "pending"]]

    decisions.undo(event, people.steward)

    # The undo takes back the move, not the new details: the twins pair was
    # set aside for what the roster says of Mia, which still holds.
    assert status_of(moving) == ReviewItem.Status.PENDING
    assert status_of(twins) == ReviewItem.Status.OBSOLETE


def test_a_set_aside_pair_the_roster_asks_about_again_is_not_listed(
    send, community, people
):
    send(
        community.district,
        ZOE,
        "z2,,Hazel,Hartwell,2015-02-02,,,60630",
    )
    send(community.club, QUINN)
    again = queue(record(community.district, "z2"), record(community.club, "q1"))

    send(community.club, QUINN_CORRECTED)

    event = MappingEvent.objects.get()
    assert status_of(again) == ReviewItem.Status.PENDING
    assert again.reason == ReviewItem.Reason.TWINS
    assert "reviews_obsoleted" not in event.summary
