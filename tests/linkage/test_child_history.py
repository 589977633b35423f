"""The changes a child's page lists, found through what each change touched."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions, engine
from braid.linkage.models import (
    MappingEvent,
    PairDecision,
    TouchedChild,
    TouchedRecord,
)
from braid.linkage.views.mapping import HISTORY_LIMIT
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of

# The session, the user, their memberships and programs, the child, its
# records, its decisions, the children merged into it, its changes, the
# changes that retired those children, which changes were undone, and the
# records their decided pairs name.
QUERIES = 12
ZOE = "z1,,Zoe,Hartwell,2015-02-02,,,60630"
QUINN = "q1,,Quinn,Yarrow,2011-09-09,,,60631"
QUINN_CORRECTED = "q1,,Zoe,Hartwell,2015-02-02,,,60630"


def read_every_change(child: Child) -> list[int]:
    """Return the changes the page listed when it read every change's lists.

    A change is shown when it moved one of the child's current records,
    moved records to or from the child or a child merged into it, merged or
    revived such a child, or withdrew or restored a decision on one of its
    records.
    """
    child_ids = {child.pk} | set(child.merged_children.values_list("pk", flat=True))
    record_ids = set(child.source_records.values_list("pk", flat=True))
    found = []
    for event in MappingEvent.objects.order_by("-created_at", "-pk"):
        moved = any(
            r in record_ids or was in child_ids or now in child_ids
            for r, was, now in event.moves
        )
        paired = any(
            a in child_ids or b in child_ids for a, b in [*event.merged, *event.revived]
        )
        decided = any(
            a in record_ids or b in record_ids
            for a, b in event.summary.get("decided_pairs", [])
        )
        if moved or paired or decided:
            found.append(event.pk)
    return found[:HISTORY_LIMIT]


def page(client, child: Child, **extra):
    response = client.get(reverse("linkage:child", args=[child.public_id]), **extra)
    assert response.status_code == 200
    return response


def shown(client, child: Child) -> list[int]:
    return [row["event"].pk for row in page(client, child).context["events"]]


def assert_every_page_lists_what_reading_every_change_finds(client) -> None:
    for child in Child.objects.filter(merged_into__isnull=True):
        assert shown(client, child) == read_every_change(child), child.public_id


def child_holding(record: SourceRecord) -> Child:
    return Child.objects.get(source_records=record)


def noted(event: MappingEvent) -> tuple[set[int], set[int]]:
    children = TouchedChild.objects.filter(event=event).values_list("child", flat=True)
    records = TouchedRecord.objects.filter(event=event).values_list("record", flat=True)
    return set(children), set(records)


@pytest.fixture
def family(community):
    """Child A with records a1 and a2, child B with b1, and an outsider."""
    a, b, outsider = (
        Child.objects.create(),
        Child.objects.create(),
        Child.objects.create(),
    )
    records = {
        "a1": SourceRecordFactory(organization=community.district, child=a),
        "a2": SourceRecordFactory(organization=community.club, child=a),
        "b1": SourceRecordFactory(organization=community.clinic, child=b),
        "x1": SourceRecordFactory(organization=community.district, child=outsider),
    }
    return a, b, outsider, records


@pytest.fixture
def steward(client, people):
    client.force_login(people.steward)
    return people.steward


class TestTheChangesListed:
    def test_a_merge_is_listed_on_the_survivors_page_only(
        self, client, steward, family
    ):
        a, _, outsider, _ = family

        merge = decisions.merge(a, family[1], steward)

        assert shown(client, a) == [merge.pk]
        assert shown(client, outsider) == []
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_a_split_is_listed_on_both_sides_with_the_merge_before_it(
        self, client, steward, family
    ):
        a, b, _, records = family
        merge = decisions.merge(a, b, steward)

        split = decisions.split(a, [records["b1"]], steward)

        assert shown(client, a) == [split.pk, merge.pk]
        assert shown(client, Child.objects.get(pk=b.pk)) == [split.pk, merge.pk]
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_an_undone_split_is_listed_with_its_undo_and_the_child_it_retired(
        self, client, steward, family
    ):
        a, _, _, records = family
        split = decisions.split(a, [records["a2"]], steward)
        made = child_holding(records["a2"])

        undo = decisions.undo(split, steward)

        assert shown(client, a) == [undo.pk, split.pk]
        made.refresh_from_db()
        assert made.merged_into_id == a.pk
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_a_withdrawal_and_its_undo_are_listed_on_both_records_children(
        self, client, steward, family
    ):
        a, _, _, records = family
        split = decisions.split(a, [records["a2"]], steward)
        decision = PairDecision.standing.get(event=split)

        withdrawal = decisions.withdraw(decision, steward)
        restored = decisions.undo(withdrawal, steward)

        other = child_holding(records["a2"])
        for child in (a, other):
            assert shown(client, child) == [restored.pk, withdrawal.pk, split.pk]
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_a_full_relink_and_its_undo_are_listed(
        self, client, steward, send, community
    ):
        send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
        send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")
        send(community.district, "D2,,Leo,Nguyen,2014-11-30,M,,")
        club = SourceRecord.objects.get(organization=community.club)
        # Pulled apart by hand, with no decision left behind: a re-link
        # joins them again and leaves Leo alone.
        fresh = Child.objects.create()
        SourceRecord.objects.filter(pk=club.pk).update(child=fresh)
        leo = Child.objects.get(pk=child_of(community.district, "D2"))

        relink = engine.apply_relink(engine.plan_relink(), None)
        survivor = Child.objects.get(pk=child_of(community.district, "D1"))

        assert shown(client, survivor) == [relink.pk]
        assert shown(client, leo) == []
        undo = decisions.undo(relink, steward)
        assert shown(client, survivor) == [undo.pk, relink.pk]
        assert shown(client, Child.objects.get(pk=fresh.pk)) == [undo.pk, relink.pk]
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_a_rosters_changed_record_linked_again_is_listed(
        self, client, steward, send, community
    ):
        send(community.district, ZOE)
        send(community.club, QUINN)

        send(community.club, QUINN_CORRECTED)

        roster = MappingEvent.objects.get(kind=MappingEvent.Kind.ROSTER)
        zoe = Child.objects.get(pk=child_of(community.district, "z1"))
        assert shown(client, zoe) == [roster.pk]
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_only_the_latest_changes_are_listed_newest_first(
        self, client, steward, family
    ):
        a, b, _, records = family
        for _ in range(HISTORY_LIMIT // 2 + 1):
            split = decisions.split(a, [records["a2"]], steward)
            decisions.undo(split, steward)
        decisions.merge(a, b, steward)

        listed = shown(client, a)

        assert len(listed) == HISTORY_LIMIT
        assert listed == read_every_change(a)
        assert_every_page_lists_what_reading_every_change_finds(client)

    def test_the_page_asks_the_database_as_often_for_a_long_history(
        self, client, steward, family, django_assert_num_queries
    ):
        a, b, _, records = family
        decisions.merge(a, b, steward)
        split = decisions.split(a, [records["a2"]], steward)
        decisions.undo(split, steward)
        with django_assert_num_queries(QUERIES):
            page(client, a)

        for _ in range(5):
            split = decisions.split(a, [records["a2"]], steward)
            decisions.undo(split, steward)
        decisions.withdraw(PairDecision.standing.filter(same=True).first(), steward)

        with django_assert_num_queries(QUERIES):
            page(client, a)


class TestWhatAChangeNotes:
    def test_a_merge_notes_both_children_and_the_records_it_moved(
        self, steward, family
    ):
        a, b, _, records = family

        merge = decisions.merge(a, b, steward)

        assert noted(merge) == ({a.pk, b.pk}, {records["b1"].pk})

    def test_a_split_that_revives_a_child_notes_it(self, steward, family):
        a, b, _, records = family
        decisions.merge(a, b, steward)

        split = decisions.split(a, [records["b1"]], steward)

        assert split.revived == [[b.pk, a.pk]]
        assert noted(split) == ({a.pk, b.pk}, {records["b1"].pk})

    def test_a_withdrawal_notes_the_pairs_records_and_no_child(self, steward, family):
        a, _, _, records = family
        split = decisions.split(a, [records["a2"]], steward)

        withdrawal = decisions.withdraw(PairDecision.standing.get(), steward)

        assert noted(withdrawal) == (set(), {records["a1"].pk, records["a2"].pk})
        assert noted(split)[1] == {records["a2"].pk}

    def test_pairs_added_to_a_saved_summary_are_noted(self, family):
        a, b, _, records = family
        event = MappingEvent.objects.create(
            kind=MappingEvent.Kind.UNDO, moves=[[records["b1"].pk, b.pk, a.pk]]
        )

        event.summary = {"decided_pairs": [[records["a1"].pk, records["b1"].pk]]}
        event.save(update_fields=["summary"])

        assert noted(event) == ({a.pk, b.pk}, {records["a1"].pk, records["b1"].pk})

    def test_moves_saved_again_are_noted_afresh(self, family):
        a, b, outsider, records = family
        event = MappingEvent.objects.create(
            kind=MappingEvent.Kind.MOVE, moves=[[records["b1"].pk, b.pk, a.pk]]
        )

        event.moves = [[records["x1"].pk, outsider.pk, a.pk]]
        event.save()

        assert noted(event) == ({outsider.pk, a.pk}, {records["x1"].pk})


BEFORE = [("linkage", "0008_mapping_touches")]
AFTER = [("linkage", "0009_fill_mapping_touches")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_notes_what_earlier_changes_touched(latest_afterwards):
    old = migrate(BEFORE)
    OldEvent = old.get_model("linkage", "MappingEvent")
    written = [
        OldEvent.objects.create(
            kind="merge", moves=[[1, 20, 10], [2, 20, 10]], merged=[[20, 10]]
        ),
        OldEvent.objects.create(kind="split", moves=[[2, 10, 20]], revived=[[20, 10]]),
        OldEvent.objects.create(
            kind="undo",
            moves=[[3, 30, 10]],
            merged=[[30, 10]],
            summary={"decided_pairs": [[1, 3]], "reopened": [7]},
        ),
        OldEvent.objects.create(
            kind="withdraw", summary={"decided_pairs": [[4, 5]], "same": False}
        ),
    ]
    assert not old.get_model("linkage", "TouchedChild").objects.exists()

    migrate(AFTER)

    expected = [
        ({10, 20}, {1, 2}),
        ({10, 20}, {2}),
        ({10, 30}, {1, 3}),
        (set(), {4, 5}),
    ]
    for event, touched in zip(written, expected, strict=True):
        now = MappingEvent.objects.get(pk=event.pk)
        assert noted(now) == touched
        # As the change would note it if it were made today.
        assert touched == (now.touched_children(), now.touched_records())


class TestAChildAnUndoRetired:
    def test_a_child_made_by_an_undone_split_is_not_said_to_be_merged(
        self, client, steward, family
    ):
        a, _, _, records = family
        split = decisions.split(a, [records["a2"]], steward)
        made = child_holding(records["a2"])
        undo = decisions.undo(split, steward)

        response = page(client, a)

        text = response.content.decode()
        assert "were merged into this child" not in text
        assert (
            "These community IDs lead here but were never merged into this child: "
            "the change that gave them records was undone."
        ) in text
        assert (
            f"<code>{made.public_id}</code>: made by split #{split.pk}, "
            f"undone by #{undo.pk}"
        ) in text

    def test_a_child_merged_in_is_still_said_to_be_merged(
        self, client, steward, family
    ):
        a, b, _, records = family
        decisions.merge(a, b, steward)
        split = decisions.split(a, [records["a2"]], steward)
        made = child_holding(records["a2"])
        decisions.undo(split, steward)

        response = page(client, a)

        assert response.context["merged_from"] == [Child.objects.get(pk=b.pk)]
        assert [row.child for row in response.context["emptied_by_undo"]] == [made]
        text = response.content.decode()
        merged_line = text.split("were merged into this child and lead here:")[1]
        assert merged_line.split("</p>")[0].count("<code>") == 1
        assert f"<code>{b.public_id}</code>" in merged_line.split("</p>")[0]

    def test_a_child_merged_again_by_undoing_the_split_that_revived_it_is_merged(
        self, client, steward, family
    ):
        a, b, _, records = family
        decisions.merge(a, b, steward)
        split = decisions.split(a, [records["b1"]], steward)
        assert split.revived == [[b.pk, a.pk]]

        decisions.undo(split, steward)

        response = page(client, a)
        assert response.context["merged_from"] == [Child.objects.get(pk=b.pk)]
        assert response.context["emptied_by_undo"] == []

    def test_a_child_left_empty_by_undoing_a_relink_names_the_relink(
        self, client, steward, send, community
    ):
        send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
        send(community.district, "D2,,Leo,Nguyen,2014-11-30,M,,")
        leo = SourceRecord.objects.get(local_id="D2")
        william = Child.objects.get(pk=child_of(community.district, "D1"))
        # Joined by hand: a re-link gives Leo a child of his own.
        SourceRecord.objects.filter(pk=leo.pk).update(child=william)
        relink = engine.apply_relink(engine.plan_relink(), None)
        made = Child.objects.get(pk=child_of(community.district, "D2"))
        assert made.pk != william.pk

        undo = decisions.undo(relink, steward)

        text = page(client, william).content.decode()
        assert (
            f"<code>{made.public_id}</code>: given records by change #{relink.pk} "
            f"(Full re-link), undone by #{undo.pk}"
        ) in text

    def test_the_wording_reads_in_spanish(self, client, steward, family):
        a, _, _, records = family
        split = decisions.split(a, [records["a2"]], steward)
        made = child_holding(records["a2"])
        undo = decisions.undo(split, steward)

        # The test client's requests leave the language they chose active in
        # this thread; the tests that follow expect English.
        with translation.override("en"):
            text = page(client, a, HTTP_ACCEPT_LANGUAGE="es").content.decode()

        assert (
            "Estos ID de la comunidad llevan aquí, pero nunca se fusionaron con "
            "este niño: se deshizo el cambio que les dio registros."
        ) in text
        assert (
            f"<code>{made.public_id}</code>: creado por la separación "
            f"n.º {split.pk}, deshecha por el n.º {undo.pk}"
        ) in text
        assert "made by split" not in text
