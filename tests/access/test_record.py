"""Reading the record: the steward's search and a parent's own child's
entries, each for the people it is meant for only."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from braid.access import record
from braid.access.record import Filters
from braid.children.models import Child
from tests.access.builders import guardian, moment
from tests.access.released import release
from tests.factories import ChildFactory, UserFactory

NOT_STEWARDS = ["district_staff", "club_staff", "analyst", "evaluator", "parent"]


def merge(retired: Child, into: Child) -> None:
    retired.merged_into = into
    retired.merged_at = timezone.now()
    retired.save()


@pytest.fixture
def children() -> dict[str, Child]:
    return {"ada": ChildFactory(), "ben": ChildFactory(), "cy": ChildFactory()}


@pytest.fixture
def entries(people, community, children):
    """Releases by two organizations on different days, for different ends."""
    release(
        people.district_staff,
        community.district,
        [children["ada"], children["ben"]],
        at=moment(2026, 3, 2, 9),
    )
    release(
        people.club_staff,
        community.club,
        [children["ada"]],
        purpose="program-evaluation",
        legal_basis="ferpa-studies",
        release="export",
        at=moment(2026, 3, 9, 17),
    )
    release(
        people.club_staff,
        community.club,
        [children["cy"]],
        release="api",
        at=moment(2026, 3, 10, 23, 30),
    )


def sequences(entries) -> list[int]:
    return [entry.sequence for entry in entries]


class TestSearch:
    def test_it_lists_every_entry_newest_first(self, people, entries):
        assert sequences(record.search(people.steward, Filters())) == [4, 3, 2, 1]

    def test_it_finds_a_childs_entries_by_community_id(self, people, entries, children):
        public_id = children["ada"].public_id
        found = record.search(people.steward, Filters(child=public_id))

        assert sequences(found) == [3, 1]

    def test_it_reads_a_community_id_typed_loosely(self, people, entries, children):
        typed = (
            children["ada"].public_id.lower()[:4]
            + " - "
            + children["ada"].public_id.lower()[4:]
        )

        assert sequences(record.search(people.steward, Filters(child=typed))) == [
            3,
            1,
        ]

    def test_it_finds_a_merged_childs_entries_under_either_id(
        self, people, entries, children
    ):
        merge(children["ben"], into=children["ada"])
        merge(children["cy"], into=children["ben"])

        for child in children.values():
            found = record.search(people.steward, Filters(child=child.public_id))
            assert sequences(found) == [4, 3, 2, 1]

    def test_it_finds_nothing_for_an_unknown_id(self, people, entries):
        assert not record.search(people.steward, Filters(child="ZZZZZZZZZZ"))

    def test_it_narrows_by_recipient_organization(self, people, entries, community):
        found = record.search(people.steward, Filters(organization=community.club))

        assert sequences(found) == [4, 3]

    def test_it_narrows_by_username_in_any_case(self, people, entries):
        found = record.search(people.steward, Filters(username="District-Staff"))

        assert sequences(found) == [2, 1]

    def test_it_narrows_by_purpose_and_release(self, people, entries):
        by_purpose = record.search(
            people.steward, Filters(purpose="program-evaluation")
        )
        by_release = record.search(people.steward, Filters(release="api"))

        assert sequences(by_purpose) == [3]
        assert sequences(by_release) == [4]

    def test_it_narrows_by_local_days_both_ends_included(self, people, entries):
        found = record.search(
            people.steward, Filters(since=date(2026, 3, 9), until=date(2026, 3, 10))
        )

        assert sequences(found) == [4, 3]

    def test_it_narrows_by_every_filter_at_once(self, people, entries, community):
        found = record.search(
            people.steward,
            Filters(
                organization=community.club,
                username="club-staff",
                purpose="service-coordination",
                release="api",
                until=date(2026, 3, 10) + timedelta(days=1),
            ),
        )

        assert sequences(found) == [4]

    @pytest.mark.parametrize("person", [*NOT_STEWARDS, "outsider"])
    def test_it_is_the_stewards_alone(self, people, entries, person):
        with pytest.raises(PermissionDenied):
            record.search(getattr(people, person), Filters())

    def test_it_refuses_a_visitor(self, entries):
        with pytest.raises(PermissionDenied):
            record.search(AnonymousUser(), Filters())


class TestAParentsView:
    def test_a_guardian_sees_the_childs_entries(self, people, entries, children):
        guardian(children["ada"], user=people.parent)

        found = record.parent_entries(people.parent, children["ada"])

        assert sequences(found) == [3, 1]

    def test_a_guardian_sees_no_other_childs_entries(self, people, entries, children):
        guardian(children["ada"], user=people.parent)

        assert not record.parent_entries(people.parent, children["ben"])

    def test_a_guardian_restricted_by_a_court_order_sees_nothing(
        self, people, entries, children
    ):
        guardian(
            children["ada"],
            user=people.parent,
            restricted_at=timezone.now() - timedelta(days=1),
        )

        assert not record.parent_entries(people.parent, children["ada"])

    def test_a_restriction_counts_from_its_moment(self, people, entries, children):
        guardian(
            children["ada"],
            user=people.parent,
            restricted_at=timezone.now() + timedelta(days=1),
        )

        assert sequences(record.parent_entries(people.parent, children["ada"])) == [
            3,
            1,
        ]

    def test_a_guardian_named_without_a_portal_account_gives_no_one_access(
        self, people, entries, children
    ):
        guardian(children["ada"])

        assert not record.parent_entries(people.parent, children["ada"])

    def test_a_guardian_of_a_merged_child_sees_the_whole_childs_entries(
        self, people, entries, children
    ):
        guardian(children["ben"], user=people.parent)
        merge(children["ben"], into=children["ada"])

        for child in (children["ada"], children["ben"]):
            found = record.parent_entries(people.parent, child)
            assert sequences(found) == [3, 2, 1]

    @pytest.mark.parametrize("person", ["steward", *NOT_STEWARDS[:-1], "outsider"])
    def test_nobody_else_sees_anything(self, people, entries, children, person):
        guardian(children["ada"], user=UserFactory(username="the-parent"))

        assert not record.parent_entries(getattr(people, person), children["ada"])

    def test_a_visitor_sees_nothing(self, entries, children):
        assert not record.parent_entries(AnonymousUser(), children["ada"])

    def test_an_inactive_account_sees_nothing(self, people, entries, children):
        guardian(children["ada"], user=people.parent)
        people.parent.is_active = False
        people.parent.save()

        assert not record.parent_entries(people.parent, children["ada"])


def test_grounds_are_summed_up_by_id_each_named_once():
    grounds = [
        {"contributor": 1, "agreement": 3, "consent": 7, "consent_version": 2},
        {"contributor": 2, "agreement": 3, "consent": 7, "consent_version": 2},
        {"contributor": 4, "agreement": 5, "consent": None},
    ]

    assert record.grounds_summary(grounds) == (
        "agreement 3; consent 7 version 2; agreement 5"
    )
