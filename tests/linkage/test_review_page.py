"""What the review queue says about the children behind each pair."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from braid.children.models import SourceRecord
from braid.intake import services
from braid.linkage.models import PairDecision, ReviewItem
from tests.factories import SourceRecordFactory
from tests.intake.rosters import roster
from tests.linkage import test_views
from tests.linkage.conftest import DAY, HEADER
from tests.linkage.test_views import page_of

duplicate = test_views.duplicate
one_pair = test_views.one_pair
queued = test_views.queued

NOAH = "Noah,Kim,2015-03-07,M,12 Elm St,60601"


@pytest.fixture
def send_any(send, community, people):
    """Send a roster from the district, the club or the clinic."""
    community.clinic.contributes_roster = True
    community.clinic.save()

    def go(org, *rows: str) -> None:
        if org != community.clinic:
            send(org, *rows)
            return
        outcome = services.import_roster(
            user=people.outsider,
            organization=org,
            program=None,
            filename="r.csv",
            content=roster(*rows, header=HEADER),
            as_of=DAY,
        )
        assert outcome.committed, outcome.preview.errors

    return go


def record(org, local_id: str) -> SourceRecord:
    return SourceRecord.objects.select_related("child").get(
        organization=org, local_id=local_id
    )


def view_of(response, item: ReviewItem):
    return next(p for p in response.context["pairs"] if p.item.pk == item.pk)


def open_queue(client, people, **query):
    client.force_login(people.steward)
    return client.get(reverse("linkage:review"), query)


def child_link(public_id: str) -> str:
    url = reverse("linkage:child", args=[public_id])
    return f'<a href="{url}"><code>{public_id}</code></a>'


class TestTheChildrenOfAPair:
    def test_each_side_links_to_its_childs_mapping_with_its_record_count(
        self, client, people, one_pair
    ):
        response = open_queue(client, people)

        page = page_of(response)
        for side in (one_pair.record_a, one_pair.record_b):
            assert child_link(side.child.public_id) in page
        assert page.count("<small>1 record</small>") == 2
        assert "other records" not in page

    def test_a_childs_other_records_are_named_by_organization_and_local_id(
        self, client, community, people, twins
    ):
        records, item = twins

        response = open_queue(client, people)

        pair = view_of(response, item)
        mia, ava = pair.sides
        assert (mia.child, ava.child) == (records["A2"].child, records["B1"].child)
        assert [len(mia.records), ava.others] == [1, [records["A1"]]]
        page = page_of(response)
        assert "The child's other records" in page
        assert "<td>—</td><td>Riverbend Schools A1</td>" in page
        assert "<small>2 records</small>" in page
        assert "Okafor" not in page and "Ava" not in page and "Mia" not in page

    def test_records_already_in_one_child_say_so(self, client, people, one_pair):
        first = one_pair.record_a
        SourceRecord.objects.filter(pk=one_pair.record_b_id).update(child=first.child)

        page = page_of(open_queue(client, people))

        assert (
            f"Both records already belong to child {child_link(first.child.public_id)}."
        ) in page
        assert "one child already" in page


class TestWhatStandsInTheWay:
    def test_a_chain_names_the_waiting_pair_that_does_not_match(
        self, client, community, people, send_any
    ):
        # The district's Noah joined the club's; the clinic's Noah matches
        # both, but the club's carries another state student ID.
        send_any(community.district, f"D1,,{NOAH}")
        send_any(community.club, f"C1,S1,{NOAH}")
        send_any(community.clinic, f"E1,S2,{NOAH}")
        chain = ReviewItem.objects.get(reason=ReviewItem.Reason.CHAIN)
        held = ReviewItem.objects.get(reason=ReviewItem.Reason.DIFFERENT_IDS)
        district = record(community.district, "D1")
        clinic = record(community.clinic, "E1")

        response = open_queue(client, people)

        pair = view_of(response, chain)
        assert pair.sides[0].others == [record(community.club, "C1")]
        [between] = pair.standing.between
        assert (between.item, between.first, between.second) == (
            held,
            "Youth Club C1",
            "Eastside Clinic E1",
        )
        page = page_of(response)
        assert (
            f"Youth Club C1 (child <code>{district.child.public_id}</code>) and "
            f"Eastside Clinic E1 (child <code>{clinic.child.public_id}</code>) also "
            f"wait for review. The state student IDs differ. "
            f'<a href="#pair-{held.pk}">See pair {view_of(response, held).number}.</a>'
        ) in page
        assert "Noah" not in page and "Kim" not in page

    def test_a_record_matching_two_children_names_the_other_child(
        self, client, community, people, send_any
    ):
        send_any(community.club, f"C1,S1,{NOAH}")
        send_any(community.clinic, f"E1,S2,{NOAH}")
        send_any(community.district, f"D1,,{NOAH}")
        district = record(community.district, "D1")
        club = record(community.club, "C1")
        clinic = record(community.clinic, "E1")
        to_club, to_clinic = ReviewItem.objects.filter(
            reason=ReviewItem.Reason.COMPETING
        ).order_by("record_a__local_id")
        assert {to_club.record_a, to_club.record_b} == {club, district}

        response = open_queue(client, people)

        [rival] = view_of(response, to_club).standing.rivals
        assert (rival.item, rival.first, rival.second, rival.second_child) == (
            to_clinic,
            "Riverbend Schools D1",
            "Eastside Clinic E1",
            clinic.child.public_id,
        )
        assert (
            f"Riverbend Schools D1 also matches Youth Club C1 (child "
            f"<code>{club.child.public_id}</code>)."
        ) in page_of(response)

    def test_a_decision_between_the_two_children_is_named_with_who_made_it(
        self, client, community, people, one_pair
    ):
        district, club = one_pair.record_a, one_pair.record_b
        clinic = SourceRecordFactory(
            organization=community.clinic, child=district.child, local_id="E7"
        )
        other = SourceRecordFactory(
            organization=community.club, child=club.child, local_id="C7"
        )
        PairDecision.objects.create(
            record_a=clinic, record_b=other, same=False, decided_by=people.steward
        )
        ReviewItem.objects.filter(pk=one_pair.pk).update(reason=ReviewItem.Reason.CHAIN)

        page = page_of(open_queue(client, people))

        day = formats.date_format(timezone.localdate(), "DATE_FORMAT")
        assert (
            "<li>Eastside Clinic E7 and Youth Club C7 were decided not the same "
            f"child by steward on {day}.</li>"
        ) in page
        assert (
            "Records like these keep a “same child” answer from joining the two "
            "children whole: it moves one record on its own, or is refused."
        ) in page

    def test_a_chain_with_nothing_on_record_says_to_compare_the_two_children(
        self, client, community, people, one_pair
    ):
        district, club = one_pair.record_a, one_pair.record_b
        SourceRecordFactory(
            organization=community.clinic, child=district.child, local_id="E7"
        )
        ReviewItem.objects.filter(pk=one_pair.pk).update(reason=ReviewItem.Reason.CHAIN)

        response = open_queue(client, people)

        assert not view_of(response, one_pair).standing
        assert (
            "No decision or waiting pair names the record in the way. Compare the "
            f"records of child {child_link(district.child.public_id)} and child "
            f"{child_link(club.child.public_id)} on their pages before answering."
        ) in page_of(response)

    def test_a_hold_whose_children_now_hold_nothing_else_says_so(
        self, client, people, one_pair
    ):
        ReviewItem.objects.filter(pk=one_pair.pk).update(
            reason=ReviewItem.Reason.COMPETING
        )

        page = page_of(open_queue(client, people))

        assert (
            "Each child now holds only this pair's record, so a “same child” "
            "answer joins nothing else."
        ) in page
        assert "No decision or waiting pair" not in page

    def test_a_pair_held_for_the_score_alone_says_nothing_more(
        self, client, people, one_pair
    ):
        page = page_of(open_queue(client, people))

        assert "As the children stand now" not in page
        assert "No decision or waiting pair" not in page
        assert "Each child now holds only" not in page

    def test_a_duplicate_names_the_two_records_of_one_organization(
        self, client, people, duplicate
    ):
        page = page_of(open_queue(client, people, kind="duplicate"))

        assert (
            "<li>Riverbend Schools X1 and X2 are two records of one organization.</li>"
        ) in page
        assert "Records like these" not in page
        assert "Zara" not in page and "Pemberton" not in page


class TestTheQueries:
    def test_a_page_of_ten_tangled_pairs_asks_as_often_as_a_plain_one(
        self, client, community, people, queued
    ):
        items = queued(12)
        client.force_login(people.steward)
        url = reverse("linkage:review")
        client.get(url)
        with CaptureQueriesContext(connection) as plain:
            client.get(url)

        # Each pair's children get more records, a decision between them, a
        # pair waiting across them and one with a child of its own.
        for n, item in enumerate(items):
            district, club = item.record_a, item.record_b
            clinic = SourceRecordFactory(
                organization=community.clinic, child=district.child, local_id=f"E{n}"
            )
            other = SourceRecordFactory(
                organization=community.club, child=club.child, local_id=f"C{n}x"
            )
            elsewhere = SourceRecordFactory(
                organization=community.clinic, local_id=f"F{n}"
            )
            PairDecision.objects.create(
                record_a=clinic, record_b=other, same=False, decided_by=people.steward
            )
            for partner in (clinic, elsewhere):
                ReviewItem.objects.create(
                    record_a=club,
                    record_b=partner,
                    kind=ReviewItem.Kind.LINK,
                    reason=ReviewItem.Reason.COMPETING,
                    match_weight=-1.0,
                    match_probability=0.3,
                )
        ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(
            reason=ReviewItem.Reason.COMPETING
        )
        with CaptureQueriesContext(connection) as tangled:
            response = client.get(url)

        pairs = response.context["pairs"]
        assert len(pairs) == 10
        assert all(p.standing.conflicts and p.standing.between for p in pairs)
        assert all(p.standing.rivals for p in pairs)
        assert len(tangled) == len(plain) <= 11
