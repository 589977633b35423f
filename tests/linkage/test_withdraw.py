"""Withdrawing a standing decision from a child's page, and undoing that."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from braid.children.models import Child, SourceRecord
from braid.community.models import Role
from braid.community.services import add_member
from braid.linkage import decisions
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of

OTHERS = [
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]


@pytest.fixture
def queued_pair(send, community) -> ReviewItem:
    """Noah at the school and at the club, with state IDs that differ."""
    send(community.district, "D1,S101,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S901,Noah,Kim,2015-03-07,M,,")
    return ReviewItem.objects.get(kind=ReviewItem.Kind.LINK)


@pytest.fixture
def apart(queued_pair, people) -> PairDecision:
    """The steward's "not the same child" on the pair, made in the queue."""
    decision = decisions.decide(queued_pair, False, people.steward)
    assert decision is not None and decision.event is None
    return decision


@pytest.fixture
def together(queued_pair, people) -> PairDecision:
    """The steward's "same child" on the pair, which merged the two."""
    decision = decisions.decide(queued_pair, True, people.steward)
    assert decision is not None and decision.event is not None
    return decision


def page_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def child_url(child: Child) -> str:
    return reverse("linkage:child", args=[child.public_id])


def withdraw(client, decision: PairDecision, child: Child, **extra):
    return client.post(
        reverse("linkage:withdraw", args=[decision.pk]),
        {"child": child.public_id, "confirm": "yes"},
        **extra,
    )


class TestTheChildsPage:
    def test_it_lists_each_standing_decision_with_a_button_to_withdraw_it(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        club = SourceRecord.objects.get(organization=community.club)
        client.force_login(people.steward)

        response = client.get(child_url(district.child))

        [row] = response.context["decisions"]
        assert (row.decision, row.here, row.other) == (apart, district, club)
        assert row.other_child == club.child
        page = page_of(response)
        assert "Decisions on this child's records" in page
        assert "Not the same child" in page
        assert "answered in the review queue" in page
        assert f'href="{child_url(club.child)}"' in page
        withdraw_url = reverse("linkage:withdraw", args=[apart.pk])
        assert f'<form method="post" action="{withdraw_url}"' in page
        assert "csrfmiddlewaretoken" in page
        assert "a “same child” withdrawn leaves them together" in page

    def test_the_other_record_is_masked_as_the_childs_own_are(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        page = page_of(client.get(child_url(district.child)))

        assert "Noah" not in page and "Kim" not in page
        assert "2015-03-07" not in page
        assert "N*** K**" in page and "****-**-**" in page

    def test_a_steward_on_the_clubs_staff_reads_the_clubs_record(
        self, client, community, people, apart
    ):
        add_member(username="steward", organization=community.club, role=Role.STAFF)
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        response = client.get(child_url(district.child))

        [row] = response.context["decisions"]
        assert row.other_name == {"name": "Noah Kim", "birth_date": "2015-03-07"}
        assert response.context["records"][0]["name"]["name"] == "N*** K**"

    def test_a_same_child_decision_within_the_child_names_this_child(
        self, client, community, people, together
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        response = client.get(child_url(district.child))

        [row] = response.context["decisions"]
        assert row.other_child is None
        page = page_of(response)
        assert "this child" in page
        assert f"with change #{together.event_id} (Merge)" in page

    def test_a_child_without_decisions_says_so(self, client, community, people):
        record = SourceRecordFactory(organization=community.district)
        client.force_login(people.steward)

        page = page_of(client.get(child_url(record.child)))

        assert "No standing decision involves this child's records." in page

    def test_the_page_asks_the_database_as_often_for_many_decisions_as_for_one(
        self, client, community, people
    ):
        client.force_login(people.steward)

        def queries_for(decided: int) -> int:
            here = SourceRecordFactory(organization=community.district)
            for n in range(decided):
                there = SourceRecordFactory(organization=community.club)
                decision = PairDecision.objects.create(
                    record_a=here, record_b=there, same=False, decided_by=people.steward
                )
                if n == 0:
                    event = decisions.withdraw(decision, people.steward)
                    decisions.undo(event, people.steward)
            decisions.split(
                here.child,
                [SourceRecordFactory(organization=community.club, child=here.child)],
                people.steward,
            )
            with CaptureQueriesContext(connection) as queries:
                response = client.get(child_url(here.child))
            assert len(response.context["decisions"]) == decided + 1
            return len(queries)

        assert queries_for(1) == queries_for(6)


class TestWithdrawing:
    def test_the_button_first_asks_to_confirm_and_changes_nothing(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:withdraw", args=[apart.pk]),
            {"child": district.child.public_id},
        )

        assert response.status_code == 200
        page = page_of(response)
        assert "Withdraw a decision" in page
        assert (
            "steward decided on " in page
            and "that Riverbend Schools D1 and Youth Club C1 are not the same child."
            in page
        )
        assert "Withdrawing moves no record" in page
        assert "The pair goes back to the review queue" in page
        assert 'name="confirm" value="yes"' in page
        assert "Noah" not in page and "N*** K**" in page
        assert PairDecision.standing.filter(pk=apart.pk).exists()
        assert not MappingEvent.objects.exists()

    def test_withdrawing_not_the_same_child_lets_a_merge_join_them(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        club = SourceRecord.objects.get(organization=community.club)
        client.force_login(people.steward)

        response = withdraw(client, apart, district.child, follow=True)

        event = MappingEvent.objects.get()
        assert event.kind == MappingEvent.Kind.WITHDRAW
        assert event.created_by == people.steward
        assert event.moves == [] and event.merged == []
        apart.refresh_from_db()
        assert apart.withdrawn_by == event
        assert response.redirect_chain == [(child_url(district.child), 302)]
        assert messages_of(response) == [
            f"Decision withdrawn (change #{event.pk}): Riverbend Schools D1 and "
            "Youth Club C1 are no longer held apart. No record moved; a merge or "
            "the next linking run may join them. The pair is back in the review "
            "queue."
        ]
        assert child_of(community.district, "D1") != child_of(community.club, "C1")

        merged = client.post(
            reverse("linkage:merge", args=[district.child.public_id]),
            {"other": club.child.public_id},
            follow=True,
        )

        assert child_of(community.district, "D1") == child_of(community.club, "C1")
        assert messages_of(merged)[0].endswith(
            f"are now one child, {district.child.public_id}."
        )

    def test_the_pair_goes_back_to_the_review_queue(
        self, client, community, people, apart, queued_pair
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        withdraw(client, apart, district.child)

        queued_pair.refresh_from_db()
        assert queued_pair.status == ReviewItem.Status.PENDING
        assert queued_pair.decision is None
        queue = client.get(reverse("linkage:review"))
        assert [p.item.pk for p in queue.context["pairs"]] == [queued_pair.pk]

    def test_withdrawing_same_child_separates_nobody(
        self, client, community, people, together
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        response = withdraw(client, together, district.child, follow=True)

        assert child_of(community.district, "D1") == child_of(community.club, "C1")
        event = MappingEvent.objects.get(kind=MappingEvent.Kind.WITHDRAW)
        assert messages_of(response) == [
            f"Decision withdrawn (change #{event.pk}): Riverbend Schools D1 and "
            "Youth Club C1 are no longer held together as one child. No record "
            "moved; separate them on this page if they are not one child. The "
            "pair is back in the review queue."
        ]
        assert response.context["decisions"] == []
        assert not PairDecision.standing.exists()

    def test_the_withdrawal_is_listed_among_the_changes(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)
        withdraw(client, apart, district.child)

        changes = client.get(reverse("linkage:changes"))
        history = client.get(child_url(district.child))

        [row] = changes.context["events"]
        assert row["event"].get_kind_display() == "Decision withdrawn"
        assert row["decided_pairs"] == ["Riverbend Schools D1 and Youth Club C1"]
        assert row["can_undo"]
        assert "Decision withdrawn" in page_of(changes)
        assert "Riverbend Schools D1 and Youth Club C1" in page_of(changes)
        assert [r["event"] for r in history.context["events"]] == [row["event"]]

    def test_a_second_withdrawal_says_the_decision_is_already_withdrawn(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        event = decisions.withdraw(apart, people.steward)
        client.force_login(people.steward)

        again = withdraw(client, apart, district.child, follow=True)
        asked = client.get(reverse("linkage:withdraw", args=[apart.pk]), follow=True)

        expected = [
            f"This decision was already withdrawn, by change #{event.pk}; nothing "
            "was changed."
        ]
        assert again.redirect_chain == [(child_url(district.child), 302)]
        assert messages_of(again) == expected
        assert messages_of(asked) == expected
        assert MappingEvent.objects.count() == 1

    def test_a_decision_replaced_by_a_later_one_is_not_withdrawn(
        self, client, community, people, together
    ):
        district = SourceRecord.objects.get(organization=community.district)
        club = SourceRecord.objects.get(organization=community.club)
        decisions.split(district.child, [club], people.steward)
        client.force_login(people.steward)

        response = withdraw(client, together, district.child, follow=True)

        assert messages_of(response) == [
            "A later decision on the same pair replaced this one; nothing was changed."
        ]
        assert PairDecision.standing.get().same is False
        assert not MappingEvent.objects.filter(kind=MappingEvent.Kind.WITHDRAW).exists()

    def test_a_child_the_decision_is_not_about_leads_to_the_first_records_child(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        stranger = SourceRecordFactory(organization=community.clinic).child
        client.force_login(people.steward)

        response = withdraw(client, apart, stranger)

        assert response["Location"] == child_url(district.child)

    def test_an_unknown_decision_is_not_found(self, client, people, quiet):
        client.force_login(people.steward)

        response = client.post(reverse("linkage:withdraw", args=[999999]))

        assert response.status_code == 404
        quiet.take()


class TestUndoingAWithdrawal:
    def test_undoing_it_restores_the_decision_and_a_merge_is_refused_again(
        self, client, community, people, apart, queued_pair
    ):
        district = SourceRecord.objects.get(organization=community.district)
        club = SourceRecord.objects.get(organization=community.club)
        event = decisions.withdraw(apart, people.steward)
        client.force_login(people.steward)

        undone = client.post(reverse("linkage:undo", args=[event.pk]), follow=True)

        assert messages_of(undone) == [
            f"Change {event.pk} (Decision withdrawn) undone."
        ]
        apart.refresh_from_db()
        assert apart.withdrawn_by is None
        assert list(PairDecision.standing.all()) == [apart]
        queued_pair.refresh_from_db()
        assert queued_pair.status == ReviewItem.Status.DECIDED
        assert queued_pair.decision == apart
        reversal = event.undone_by
        assert reversal.summary == {"decided_pairs": [[district.pk, club.pk]]}

        refused = client.post(
            reverse("linkage:merge", args=[district.child.public_id]),
            {"other": club.child.public_id},
            follow=True,
        )

        [message] = messages_of(refused)
        assert message.startswith(
            "These children cannot be merged. Riverbend Schools D1 and Youth Club "
            "C1 were decided not the same child by steward on "
        )
        assert message.endswith(
            "A merge does not override that decision: if they are one child after "
            "all, withdraw it under “Decisions on this child's records” on the "
            f"page of child {district.child.public_id}, then merge again."
        )
        assert child_of(community.district, "D1") != child_of(community.club, "C1")

    def test_a_pair_decided_again_since_keeps_its_later_decision(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        club = SourceRecord.objects.get(organization=community.club)
        event = decisions.withdraw(apart, people.steward)
        merge = decisions.merge(district.child, club.child, people.steward)
        client.force_login(people.steward)

        refused = client.post(reverse("linkage:undo", args=[event.pk]), follow=True)

        assert messages_of(refused) == [
            "Riverbend Schools D1 and Youth Club C1 have been decided again since; "
            "withdraw or undo that later decision first."
        ]
        assert PairDecision.standing.get().same is True

        decisions.undo(merge, people.steward)
        decisions.undo(event, people.steward)

        assert list(PairDecision.standing.all()) == [apart]

    def test_an_undone_withdrawal_is_not_undone_twice(self, people, apart):
        event = decisions.withdraw(apart, people.steward)
        decisions.undo(event, people.steward)

        with pytest.raises(decisions.MappingError, match="already been undone"):
            decisions.undo(event, people.steward)


class TestWhoMayWithdraw:
    @pytest.mark.parametrize("person", OTHERS)
    def test_nobody_but_the_steward_withdraws_a_decision(
        self, client, community, people, apart, quiet, person
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(getattr(people, person))

        asked = client.get(reverse("linkage:withdraw", args=[apart.pk]))
        posted = withdraw(client, apart, district.child)

        assert (asked.status_code, posted.status_code) == (403, 403)
        assert PairDecision.standing.filter(pk=apart.pk).exists()
        assert not MappingEvent.objects.exists()
        # Django logs each refusal as a warning; these are on purpose.
        assert len(quiet.take()) == 2

    def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
        self, client, community, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)

        response = withdraw(client, apart, district.child)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert PairDecision.standing.filter(pk=apart.pk).exists()


class TestInSpanish:
    def test_the_decisions_and_the_confirmation_read_in_spanish(
        self, client, community, people, apart
    ):
        district = SourceRecord.objects.get(organization=community.district)
        client.force_login(people.steward)

        # The test client's requests leave the language they chose active in
        # this thread; the tests that follow expect English.
        with translation.override("en"):
            child_page = page_of(
                client.get(child_url(district.child), HTTP_ACCEPT_LANGUAGE="es")
            )
            confirm = page_of(
                client.get(
                    reverse("linkage:withdraw", args=[apart.pk]),
                    HTTP_ACCEPT_LANGUAGE="es",
                )
            )

        assert "Decisiones sobre los registros de este niño" in child_page
        assert "No es el mismo niño" in child_page and ">Retirar<" in child_page
        assert "Retirar una decisión" in confirm
        assert (
            "que Riverbend Schools D1 y Youth Club C1 no son el mismo niño." in confirm
        )
        assert "Retirarla no mueve ningún registro" in confirm
        assert "Withdraw" not in child_page + confirm
