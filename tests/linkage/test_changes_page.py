"""The lists of changes name the children each change concerned."""

import re

import pytest
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions
from braid.linkage.models import MappingEvent, ReviewItem
from tests.factories import SourceRecordFactory

# The session, the user, their memberships and programs, the count of
# changes, the changes (each saying whether it was undone) and the children
# they touched. Changes that withdrew or restored decisions cost one more,
# for the records of their pairs.
QUERIES = 7


@pytest.fixture
def records(community):
    """A school's record and a club's, each a child of its own."""

    def make(count: int = 1) -> list[tuple[SourceRecord, SourceRecord]]:
        made = []
        for n in range(count):
            made.append(
                (
                    SourceRecordFactory(
                        organization=community.district, local_id=f"D{n}"
                    ),
                    SourceRecordFactory(organization=community.club, local_id=f"C{n}"),
                )
            )
        return made

    return make


def decided_apart(district: SourceRecord, club: SourceRecord, user) -> MappingEvent:
    """Answer the pair "not the same child" in the queue, then withdraw it."""
    item = ReviewItem.objects.create(
        record_a=district,
        record_b=club,
        kind=ReviewItem.Kind.LINK,
        reason=ReviewItem.Reason.UNCERTAIN,
        match_weight=0.5,
        match_probability=0.6,
    )
    decision = decisions.decide(item, False, user)
    assert decision is not None
    return decisions.withdraw(decision, user)


def changes_page(client, people, query: str = "") -> str:
    client.force_login(people.steward)
    response = client.get(reverse("linkage:changes") + query)
    assert response.status_code == 200
    return response.content.decode()


def row_of(page: str, event: MappingEvent) -> str:
    """Return the table row of one change, as HTML."""
    found = re.search(rf"<tr>\s*<td>#{event.pk}</td>.*?</tr>", page, re.S)
    assert found, f"change #{event.pk} is not listed"
    return found.group(0)


def named(row: str) -> list[str]:
    """Return the community IDs the row's children cell links to, in order."""
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return re.findall(r'href="/linkage/children/([^/]+)/"><code>\1</code>', cells[2])


def ids(*children: Child) -> list[str]:
    return [c.public_id for c in sorted(children, key=lambda c: c.pk)]


class TestEachRowNamesItsChildren:
    def test_a_merge_names_the_two_children(self, client, people, records):
        [(district, club)] = records()
        event = decisions.merge(district.child, club.child, people.steward)

        row = row_of(changes_page(client, people), event)

        assert named(row) == ids(district.child, club.child)

    def test_a_split_names_the_child_and_the_new_one(self, client, people, records):
        [(district, club)] = records()
        club.child = district.child
        club.save(update_fields=["child"])
        event = decisions.split(district.child, [club], people.steward)
        club.refresh_from_db()

        row = row_of(changes_page(client, people), event)

        assert named(row) == ids(district.child, club.child)

    def test_a_move_names_the_two_children(self, client, people, twins):
        found, item = twins
        before = {r.local_id: r.child for r in found.values()}
        event = decisions.decide(item, True, people.steward).event
        assert event.kind == MappingEvent.Kind.MOVE

        row = row_of(changes_page(client, people), event)

        assert named(row) == ids(before["A1"], before["A2"])

    def test_a_withdrawal_names_the_pairs_children(self, client, people, records):
        [(district, club)] = records()
        event = decided_apart(district, club, people.steward)

        row = row_of(changes_page(client, people), event)

        assert named(row) == ids(district.child, club.child)

    def test_an_undo_names_what_it_restored(self, client, people, records):
        [(district, club)] = records()
        merge = decisions.merge(district.child, club.child, people.steward)
        event = decisions.undo(merge, people.steward)

        row = row_of(changes_page(client, people), event)

        assert named(row) == ids(district.child, club.child)

    def test_a_merged_child_keeps_its_own_id_which_leads_to_the_survivor(
        self, client, community, people, records
    ):
        [(district, club)] = records()
        clinic = SourceRecordFactory(organization=community.clinic, local_id="K1")
        first = decisions.merge(district.child, club.child, people.steward)
        decisions.merge(district.child, clinic.child, people.steward)
        retired = clinic.child
        retired.refresh_from_db()
        assert retired.merged_into_id == district.child_id
        second = MappingEvent.objects.get(kind=MappingEvent.Kind.MERGE, pk__gt=first.pk)

        row = row_of(changes_page(client, people), second)

        assert named(row) == ids(district.child, retired)
        leads = client.get(reverse("linkage:child", args=[retired.public_id]))
        assert leads["Location"] == reverse(
            "linkage:child", args=[district.child.public_id]
        )

    def test_a_large_change_names_a_few_and_counts_the_rest(
        self, client, people, records
    ):
        made = records(5)
        target = made[0][0].child
        moves = [[club.pk, club.child_id, target.pk] for _district, club in made]
        event = MappingEvent.objects.create(kind=MappingEvent.Kind.RELINK, moves=moves)

        row = row_of(changes_page(client, people), event)

        touched = sorted(
            {target, *(club.child for _d, club in made)}, key=lambda c: c.pk
        )
        assert named(row) == [c.public_id for c in touched[:3]]
        assert "and 3 more" in row

    def test_a_change_that_touched_no_child_says_so(self, client, people):
        event = MappingEvent.objects.create(kind=MappingEvent.Kind.RELINK)

        row = row_of(changes_page(client, people), event)

        assert named(row) == []
        assert re.findall(r"<td>(.*?)</td>", row, re.S)[2].strip() == "—"

    def test_the_childs_page_names_them_too(self, client, people, records):
        [(district, club)] = records()
        event = decisions.merge(district.child, club.child, people.steward)
        client.force_login(people.steward)

        response = client.get(reverse("linkage:child", args=[district.child.public_id]))

        row = row_of(response.content.decode(), event)
        assert named(row) == ids(district.child, club.child)


class TestTheUndoLink:
    def test_it_leads_to_the_confirmation_and_back_to_the_page(
        self, client, people, records
    ):
        [(district, club)] = records()
        event = decisions.merge(district.child, club.child, people.steward)

        row = row_of(changes_page(client, people, "?page=1"), event)

        url = reverse("linkage:undo", args=[event.pk])
        assert f'<a href="{url}?next=/linkage/changes/%3Fpage%3D1">Undo' in row
        assert "<form" not in row


class TestFiftyChanges:
    @pytest.fixture
    def fifty(self, people, records):
        """Merges, their undos, splits and withdrawals: fifty changes."""
        for district, club in records(25):
            merge = decisions.merge(district.child, club.child, people.steward)
            if district.pk % 2:
                decisions.undo(merge, people.steward)
            else:
                decisions.split(district.child, [club], people.steward)
        assert MappingEvent.objects.count() == 50

    @pytest.mark.parametrize("query", ["", "?page=2"])
    def test_a_page_of_them_asks_the_database_a_fixed_number_of_times(
        self, client, people, fifty, django_assert_num_queries, query
    ):
        client.force_login(people.steward)

        with django_assert_num_queries(QUERIES):
            response = client.get(reverse("linkage:changes") + query)

        rows = response.context["events"]
        assert len(rows) == 25
        assert all(len(row["children"]) == 2 for row in rows)

    def test_the_withdrawals_names_cost_no_query_per_row(
        self, client, people, records, django_assert_num_queries
    ):
        for district, club in records(10):
            decided_apart(district, club, people.steward)
        client.force_login(people.steward)

        with django_assert_num_queries(QUERIES + 1):
            response = client.get(reverse("linkage:changes"))

        rows = response.context["events"]
        assert all(len(row["children"]) == 2 for row in rows)
