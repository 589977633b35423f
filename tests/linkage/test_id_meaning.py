"""Community IDs keep their meaning through re-links, undos and moves."""

import pytest

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions, engine
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of


def children(*ids: int) -> list[Child]:
    return [Child.objects.get(pk=pk) for pk in ids]


def survivor_of(child: Child) -> int:
    child.refresh_from_db()
    return child.survivor().pk


class TestARelinkKeepsEachIdWithItsRecords:
    @pytest.fixture
    def moved_then_withdrawn(self, send, community, people):
        """Hung Le born 2011 (D1) with the club's C1 moved onto him by an
        answer in the queue, the answer then withdrawn; C1 is the district's
        Hung Le born 2010 (D2)."""
        send(
            community.district,
            "D1,,Hung,Le,2011-05-14,M,12 Elm St,60601",
            "D2,,Hung,Le,2010-05-14,M,12 Elm St,60601",
        )
        send(community.club, "C1,,Hung,Le,2010-05-14,M,12 Elm St,60601")
        item = ReviewItem.objects.get(reason=ReviewItem.Reason.COMPETING)
        decision = decisions.decide(item, True, people.steward)
        assert decision is not None and decision.event is not None
        assert decision.event.kind == MappingEvent.Kind.MOVE
        for standing in PairDecision.standing.order_by("pk"):
            decisions.withdraw(standing, people.steward)
        born_2011 = child_of(community.district, "D1")
        born_2010 = child_of(community.district, "D2")
        assert child_of(community.club, "C1") == born_2011 < born_2010
        return born_2011, born_2010

    def test_a_tie_leaves_the_id_with_the_record_it_was_made_for(
        self, moved_then_withdrawn, community, people
    ):
        born_2011, born_2010 = moved_then_withdrawn

        plan = engine.plan_relink()
        engine.apply_relink(plan, people.steward)

        assert child_of(community.district, "D1") == born_2011
        assert child_of(community.district, "D2") == born_2010
        assert child_of(community.club, "C1") == born_2010
        assert plan.merged == [] and plan.new_children == 0
        assert plan.moves == [
            (SourceRecord.objects.get(local_id="C1").pk, born_2011, born_2010)
        ]
        assert not Child.objects.filter(merged_into__isnull=False).exists()

    def test_a_relink_that_undoes_a_merge_gives_the_merged_id_back(
        self, send, community, people
    ):
        send(community.district, "D1,,Hung,Le,2011-05-14,M,12 Elm St,60601")
        send(community.club, "C1,,Maria,Lopez,2014-02-03,F,9 Oak Ave,60605")
        hung, maria = children(
            child_of(community.district, "D1"), child_of(community.club, "C1")
        )
        decisions.merge(hung, maria, people.steward)
        decisions.withdraw(PairDecision.standing.get(), people.steward)

        plan = engine.plan_relink()
        relink = engine.apply_relink(plan, people.steward)

        assert child_of(community.club, "C1") == maria.pk
        assert child_of(community.district, "D1") == hung.pk
        maria.refresh_from_db()
        assert maria.merged_into_id is None
        assert plan.counts()["children_revived"] == 1
        assert plan.counts()["new_children"] == 0
        assert relink.revived == [[maria.pk, hung.pk]]
        assert "repointed" not in relink.summary

        decisions.undo(relink, people.steward)

        maria.refresh_from_db()
        assert maria.merged_into_id == hung.pk
        assert child_of(community.club, "C1") == hung.pk


@pytest.mark.django_db
class TestOwnersOfClusters:
    """Which cluster keeps which ID, on clusters made by hand."""

    def owners(self, clusters, current_child, founding):
        plan = engine.RelinkPlan()
        engine._assign_owners(plan, clusters, current_child, founding)
        return dict(zip(map(frozenset, plan._clusters), plan._owner, strict=True)), plan

    def test_a_cluster_holding_neither_childs_first_record_takes_no_id_on_a_tie(
        self,
    ):
        # T holds 1 (its first) and 2; Q holds 3 (its first) and 4.
        current = {1: 10, 2: 10, 3: 20, 4: 20}
        owners, plan = self.owners([{2, 4}, {1}, {3}], current, founding={10: 1, 20: 3})

        assert owners == {
            frozenset({1}): 10,
            frozenset({3}): 20,
            frozenset({2, 4}): None,
        }
        assert plan.merged == [] and sorted(plan.split) == [10, 20]

    def test_most_records_still_outweigh_the_first_one(self):
        current = {1: 10, 2: 10, 3: 10}
        owners, plan = self.owners([{1}, {2, 3}], current, founding={10: 1})

        assert owners == {frozenset({2, 3}): 10, frozenset({1}): None}
        assert plan.new_children == 1

    def test_a_child_whose_records_mostly_join_another_leads_to_it(self):
        # T (10) has 1, 2 and 3; P (20) has 4, 5, 6 and 7. A re-link joins
        # T's first two records with P's and leaves 3 alone.
        current = {1: 10, 2: 10, 3: 10, 4: 20, 5: 20, 6: 20, 7: 20}
        owners, plan = self.owners(
            [{1, 2, 4, 5, 6, 7}, {3}], current, founding={10: 1, 20: 4}
        )

        assert owners == {frozenset({1, 2, 4, 5, 6, 7}): 20, frozenset({3}): None}
        assert plan.merged == [(10, 20)]


@pytest.fixture
def stephanie_and_fang(community, people):
    """Fang's child F and Stephanie's S (two records), merged into F."""
    fang = Child.objects.create()
    stephanie = Child.objects.create()
    f1 = SourceRecordFactory(organization=community.clinic, local_id="F1", child=fang)
    s1 = SourceRecordFactory(
        organization=community.district, local_id="S1", child=stephanie
    )
    s2 = SourceRecordFactory(
        organization=community.club, local_id="S2", child=stephanie
    )
    merge = decisions.merge(fang, stephanie, people.steward)
    return fang, stephanie, (f1, s1, s2), merge


class TestARetiredIdLeadsToItsRecords:
    def test_an_id_a_split_made_follows_its_record_when_a_merge_is_undone(
        self, stephanie_and_fang, people
    ):
        fang, stephanie, (_f1, s1, _s2), merge = stephanie_and_fang
        split = decisions.split(fang, [s1], people.steward)
        s1.refresh_from_db()
        made = s1.child
        decisions.undo(split, people.steward)
        assert survivor_of(made) == fang.pk

        undo = decisions.undo(merge, people.steward)

        assert child_of(s1.organization, "S1") == stephanie.pk
        assert survivor_of(made) == stephanie.pk
        assert survivor_of(fang) == fang.pk
        assert undo.summary["repointed"] == [[made.pk, fang.pk, stephanie.pk]]
        assert [made.pk, stephanie.pk] in undo.merged
        assert [made.pk, fang.pk] in undo.revived

    def test_splitting_the_record_off_again_brings_back_the_id_it_leads_to(
        self, stephanie_and_fang, people
    ):
        fang, stephanie, (_f1, s1, s2), merge = stephanie_and_fang
        split = decisions.split(fang, [s1], people.steward)
        s1.refresh_from_db()
        made = s1.child
        decisions.undo(split, people.steward)
        decisions.undo(merge, people.steward)

        decisions.split(stephanie, [s1], people.steward)

        assert child_of(s1.organization, "S1") == made.pk
        assert survivor_of(made) == made.pk
        assert child_of(s2.organization, "S2") == stephanie.pk

    def test_a_merged_id_follows_its_record_moved_by_a_same_child_answer(
        self, community, people
    ):
        ava, mia = Child.objects.create(), Child.objects.create()
        a1 = SourceRecordFactory(
            organization=community.district, local_id="A1", child=ava
        )
        a2 = SourceRecordFactory(
            organization=community.district, local_id="A2", child=mia
        )
        own = Child.objects.create()
        b1 = SourceRecordFactory(organization=community.club, local_id="B1", child=own)
        decisions.merge(ava, own, people.steward)
        item = ReviewItem.objects.create(
            record_a=a2,
            record_b=b1,
            kind=ReviewItem.Kind.LINK,
            reason=ReviewItem.Reason.TWINS,
            match_weight=5.0,
            match_probability=0.9,
        )

        decision = decisions.decide(item, True, people.steward)

        assert decision is not None and decision.event is not None
        move = decision.event
        assert move.moves == [[b1.pk, ava.pk, mia.pk]]
        assert survivor_of(own) == mia.pk
        assert move.summary["repointed"] == [[own.pk, ava.pk, mia.pk]]
        assert child_of(a1.organization, "A1") == ava.pk

        decisions.undo(move, people.steward)

        own.refresh_from_db()
        assert own.merged_into_id == ava.pk
        assert child_of(b1.organization, "B1") == ava.pk

    def test_a_merged_id_stays_while_some_of_its_records_are_there(
        self, stephanie_and_fang, people
    ):
        fang, stephanie, (_f1, s1, _s2), _ = stephanie_and_fang

        split = decisions.split(fang, [s1], people.steward)

        assert survivor_of(stephanie) == fang.pk
        assert "repointed" not in split.summary
        assert split.merged == [] and split.revived == []

    def test_a_split_taking_all_of_a_merged_ids_records_elsewhere_leads_it_there(
        self, community, people
    ):
        tom, maya = Child.objects.create(), Child.objects.create()
        t1 = SourceRecordFactory(
            organization=community.district, local_id="T1", child=tom
        )
        t2 = SourceRecordFactory(organization=community.club, local_id="T2", child=tom)
        m1 = SourceRecordFactory(
            organization=community.clinic, local_id="M1", child=maya
        )
        decisions.merge(tom, maya, people.steward)

        split = decisions.split(tom, [t2, m1], people.steward)

        made = child_of(m1.organization, "M1")
        assert made not in (tom.pk, maya.pk)
        assert child_of(t1.organization, "T1") == tom.pk
        assert survivor_of(maya) == made
        assert split.summary["repointed"] == [[maya.pk, tom.pk, made]]

        decisions.undo(split, people.steward)

        maya.refresh_from_db()
        assert maya.merged_into_id == tom.pk

    def test_a_record_a_roster_links_again_takes_back_the_id_it_held_alone(
        self, send, community, people
    ):
        send(community.district, "D1,,Hung,Le,2011-05-14,M,12 Elm St,60601")
        send(community.club, "C1,,Maria,Lopez,2014-02-03,F,9 Oak Ave,60605")
        hung, maria = children(
            child_of(community.district, "D1"), child_of(community.club, "C1")
        )
        decisions.merge(hung, maria, people.steward)
        decisions.withdraw(PairDecision.standing.get(), people.steward)

        outcome = send(community.club, "C1,,Maria,Lopez,2014-02-03,F,70 Pine Rd,60607")

        moved = outcome.linking.event
        assert moved is not None and moved.kind == MappingEvent.Kind.ROSTER
        assert child_of(community.club, "C1") == maria.pk
        maria.refresh_from_db()
        assert maria.merged_into_id is None
        assert moved.revived == [[maria.pk, hung.pk]]
        assert "repointed" not in moved.summary

        decisions.undo(moved, people.steward)

        assert survivor_of(maria) == hung.pk
        assert child_of(community.club, "C1") == hung.pk
