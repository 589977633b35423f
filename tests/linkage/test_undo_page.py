"""Undoing a change: a page that says what it will do, then the undo."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions
from braid.linkage.models import MappingEvent, PairDecision
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import queue

OTHERS = [
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]


@pytest.fixture
def pair(community) -> tuple[SourceRecord, SourceRecord]:
    """The school's D1 and the club's C1, each a child of its own."""
    return (
        SourceRecordFactory(organization=community.district, local_id="D1"),
        SourceRecordFactory(organization=community.club, local_id="C1"),
    )


@pytest.fixture
def merged(pair, people) -> MappingEvent:
    district, club = pair
    return decisions.merge(district.child, club.child, people.steward)


def ask(client, people, event: MappingEvent, **query: str):
    client.force_login(people.steward)
    return client.get(reverse("linkage:undo", args=[event.pk]), query)


def text_of(response) -> str:
    """Return the page's main text, tags taken out and spaces joined."""
    main = response.content.decode().split('<main id="main"', 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def child_url(child: Child) -> str:
    return reverse("linkage:child", args=[child.public_id])


class TestWhatTheConfirmationSays:
    def test_a_merge_gives_its_records_back_and_its_decision(
        self, client, people, pair, merged
    ):
        district, club = pair
        club_child = Child.objects.get(pk=club.child_id)

        response = ask(client, people, merged)

        assert response.status_code == 200
        text = text_of(response)
        assert f"Undo change #{merged.pk}" in text
        assert "Undoing it moves 1 record back to the child it was with" in text
        assert (
            f"{district.child.public_id} {club_child.public_id} Youth Club C1" in text
        )
        assert (
            f"{club_child.public_id} a child of its own again, with its records back"
            in text
        )
        assert "Undoing it takes back the decision made with the change: " in text
        assert "Same child: Riverbend Schools D1 and Youth Club C1" in text
        page = response.content.decode()
        assert f'href="{child_url(club_child)}"' in page

    def test_it_never_shows_a_name_or_a_date_of_birth(
        self, client, people, pair, merged
    ):
        page = ask(client, people, merged).content.decode()

        for record in pair:
            assert record.first_name not in page
            assert record.last_name not in page
            assert record.birth_date.isoformat() not in page

    def test_asking_changes_nothing(self, client, people, pair, merged):
        district, club = pair

        ask(client, people, merged)

        club.refresh_from_db()
        assert club.child_id == district.child_id
        assert MappingEvent.objects.count() == 1
        assert PairDecision.standing.count() == 1

    def test_a_split_says_the_new_child_is_left_without_records(
        self, client, people, pair
    ):
        district, club = pair
        club.child = district.child
        club.save(update_fields=["child"])
        split = decisions.split(district.child, [club], people.steward)
        club.refresh_from_db()

        text = text_of(ask(client, people, split))

        assert (
            f"{club.child.public_id} left without records; leads to where they go: "
            f"{district.child.public_id}" in text
        )
        assert "Not the same child: Riverbend Schools D1 and Youth Club C1" in text

    def test_a_split_after_a_merge_lets_the_merges_decision_hold_again(
        self, client, people, pair, merged
    ):
        district, club = pair
        split = decisions.split(district.child, [club], people.steward)
        club.refresh_from_db()

        text = text_of(ask(client, people, split))

        assert (
            f"{club.child.public_id} leads again to {district.child.public_id}" in text
        )
        assert (
            "Undoing it takes back the decision made with the change: "
            "Not the same child: Riverbend Schools D1 and Youth Club C1" in text
        )
        assert (
            "These decisions hold again, as they did before the change: "
            "Same child: Riverbend Schools D1 and Youth Club C1" in text
        )

    def test_a_withdrawal_says_which_decision_holds_again(self, client, people, pair):
        decision = decisions.decide(queue(*pair), False, people.steward)
        withdrawn = decisions.withdraw(decision, people.steward)

        text = text_of(ask(client, people, withdrawn))

        assert "Undoing it moves no record." in text
        assert "These decisions hold again, as they did before the change: " in text
        assert "Not the same child: Riverbend Schools D1 and Youth Club C1" in text
        assert "The pair leaves the review queue again" in text

    def test_a_large_change_is_counted_not_listed(self, client, community, people):
        target = Child.objects.create()
        records = [
            SourceRecordFactory(organization=community.club, local_id=f"C{n}")
            for n in range(30)
        ]
        moves = [[r.pk, r.child_id, target.pk] for r in records]
        SourceRecord.objects.update(child=target)
        event = MappingEvent.objects.create(kind=MappingEvent.Kind.RELINK, moves=moves)

        response = ask(client, people, event)

        text = text_of(response)
        assert "Undoing it moves 30 records back to the children they were" in text
        assert "Youth Club C1" not in text
        assert text.count(" 1 record ") == 25
        assert "And records going back between 5 more pairs of children." in text
        assert len(response.context["plan"].going) == 25

    def test_a_later_change_undone_since_is_not_in_the_way(
        self, client, people, pair, merged
    ):
        district, club = pair
        decisions.undo(
            decisions.split(district.child, [club], people.steward), people.steward
        )

        text = text_of(ask(client, people, merged))

        assert "This change cannot be undone now" not in text
        assert "Undo the change" in text

    def test_the_cancel_link_leads_back_to_the_page_it_came_from(
        self, client, people, pair, merged
    ):
        back = child_url(pair[0].child)

        page = ask(client, people, merged, next=back).content.decode()

        assert f'<a href="{back}">Cancel</a>' in page
        assert f'<input type="hidden" name="next" value="{back}">' in page

    def test_a_page_elsewhere_is_not_led_back_to(self, client, people, merged):
        page = ask(
            client, people, merged, next="https://elsewhere.example/"
        ).content.decode()

        assert 'value="https://elsewhere.example/"' not in page
        assert f'<a href="{reverse("linkage:changes")}">Cancel</a>' in page


class TestWhatCannotBeUndone:
    def test_records_moved_since_are_named_with_the_later_change(
        self, client, people, pair, merged
    ):
        district, club = pair
        later = decisions.split(district.child, [club], people.steward)
        club.refresh_from_db()

        response = ask(client, people, merged)

        text = text_of(response)
        assert "This change cannot be undone now" in text
        assert "1 record the change moved has been moved again since" in text
        assert f"Youth Club C1 {club.child.public_id}" in text
        assert f"Changes to undo first, newest first: #{later.pk}" in text
        assert "Undo the change" not in text
        assert '<form method="post" action="/linkage/changes' not in (
            response.content.decode()
        )

    def test_a_record_moved_out_and_back_since_is_still_in_the_way(
        self, client, community, people, pair, merged
    ):
        district, club = pair
        clinic = SourceRecordFactory(organization=community.clinic, local_id="H1")
        decisions.merge(district.child, clinic.child, people.steward)
        split = decisions.split(district.child, [club], people.steward)
        for decision in PairDecision.standing.filter(event=split):
            decisions.withdraw(decision, people.steward)
        club.refresh_from_db()
        back = decisions.merge(district.child, club.child, people.steward)
        next_page = child_url(district.child)

        response = ask(client, people, merged, next=next_page)

        text = text_of(response)
        assert "1 record the change moved has been moved again since" in text
        assert f"Youth Club C1 {district.child.public_id}" in text
        # Each number links to its own undo; the tags leave a space behind.
        assert f"Changes to undo first, newest first: #{back.pk} , #{split.pk}" in text
        assert "Undo the change" not in text
        first = reverse("linkage:undo", args=[back.pk])
        assert f'<a href="{first}?next={next_page}">' in response.content.decode()

        refused = client.post(reverse("linkage:undo", args=[merged.pk]), follow=True)

        assert messages_of(refused) == [
            f"Youth Club C1 moved again after this change, by changes #{back.pk}, "
            f"#{split.pk}; undo those first, newest first, then this one."
        ]

    def test_a_withdrawal_decided_again_since_says_so(self, client, people, pair):
        district, club = pair
        decision = decisions.decide(queue(district, club), False, people.steward)
        withdrawn = decisions.withdraw(decision, people.steward)
        decisions.merge(district.child, club.child, people.steward)

        text = text_of(ask(client, people, withdrawn))

        assert (
            "Riverbend Schools D1 and Youth Club C1 have been decided again since; "
            "withdraw or undo that later decision first." in text
        )
        assert "Undo the change" not in text

    def test_an_undone_change_leads_back_with_the_reason(self, client, people, merged):
        decisions.undo(merged, people.steward)

        response = ask(client, people, merged)
        followed = client.get(response["Location"])

        assert response["Location"] == reverse("linkage:changes")
        assert messages_of(followed) == ["This change has already been undone."]

    def test_an_undo_leads_back_with_the_reason(self, client, people, pair, merged):
        undo = decisions.undo(merged, people.steward)
        back = child_url(pair[0].child)

        response = ask(client, people, undo, next=back)

        assert response["Location"] == back
        assert messages_of(client.get(back, follow=True)) == [
            "An undo cannot itself be undone; make the change again."
        ]


class TestConfirming:
    def test_confirming_undoes_and_goes_back(self, client, people, pair, merged):
        district, club = pair
        back = child_url(district.child)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:undo", args=[merged.pk]), {"next": back}, follow=True
        )

        assert response.redirect_chain == [(back, 302)]
        assert messages_of(response) == [f"Change {merged.pk} (Merge) undone."]
        club.refresh_from_db()
        assert club.child_id != district.child_id

    def test_a_change_moved_since_the_page_was_read_is_refused(
        self, client, people, pair, merged
    ):
        district, club = pair
        page = ask(client, people, merged)
        assert "Undo the change" in text_of(page)
        split = decisions.split(district.child, [club], people.steward)

        response = client.post(reverse("linkage:undo", args=[merged.pk]), follow=True)

        assert messages_of(response) == [
            f"Youth Club C1 moved again after this change, by change #{split.pk}; "
            "undo that change first, then this one."
        ]
        assert not hasattr(MappingEvent.objects.get(pk=merged.pk), "undone_by")

    def test_the_post_needs_the_forms_token(self, people, pair, merged, quiet):
        district, club = pair
        client = Client(enforce_csrf_checks=True)
        client.force_login(people.steward)

        response = client.post(reverse("linkage:undo", args=[merged.pk]))

        assert response.status_code == 403
        club.refresh_from_db()
        assert club.child_id == district.child_id
        assert [line.split(":")[0] for line in quiet.take()] == ["django.security.csrf"]

    def test_the_page_carries_the_token(self, people, pair, merged):
        client = Client(enforce_csrf_checks=True)

        page = ask(client, people, merged).content.decode()

        assert 'name="csrfmiddlewaretoken"' in page


class TestWhoMayUndo:
    @pytest.mark.parametrize("person", OTHERS)
    def test_nobody_else_sees_the_confirmation(
        self, client, people, merged, quiet, person
    ):
        client.force_login(getattr(people, person))

        response = client.get(reverse("linkage:undo", args=[merged.pk]))

        assert response.status_code == 403
        assert len(quiet.take()) == 1

    def test_a_change_that_does_not_exist_is_not_found(self, client, people, quiet):
        client.force_login(people.steward)

        response = client.get(reverse("linkage:undo", args=[999999]))

        assert response.status_code == 404
        quiet.take()
