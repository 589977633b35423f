"""The steward's linkage pages: review queue, thresholds, children, changes."""

import re

import pytest
from django.urls import reverse

from braid.children.models import Child, SourceRecord
from braid.community.models import Role
from braid.community.services import add_member
from braid.linkage import decisions, engine, thresholds
from braid.linkage.models import LinkagePolicy, MappingEvent, PairDecision, ReviewItem
from tests.factories import SourceRecordFactory
from tests.linkage.conftest import child_of

PEOPLE = [
    "steward",
    "district_staff",
    "club_staff",
    "analyst",
    "evaluator",
    "parent",
    "outsider",
]
# Children whose two records carry different state IDs: never linked
# unseen, so each pair waits for the steward.
CHILDREN = [
    ("Noah", "Kim", "2015-03-07", "M"),
    ("Ava", "Brennan", "2014-06-21", "F"),
    ("Leo", "Moreau", "2013-11-30", "M"),
    ("Mei", "Tanaka", "2016-01-12", "F"),
    ("Ravi", "Lindqvist", "2012-09-04", "M"),
    ("Ines", "Achterberg", "2015-12-19", "F"),
    ("Kofi", "Okafor", "2014-02-27", "M"),
    ("Lena", "Whitfield", "2013-05-16", "F"),
    ("Tomas", "Quillfeather", "2016-07-08", "M"),
    ("Noor", "Castellano", "2012-04-23", "F"),
    ("Mateo", "Delacroix", "2015-08-14", "M"),
    ("Sofia", "Brightwater", "2014-10-02", "F"),
]


def rows(prefix: str, state_prefix: str, children=CHILDREN) -> list[str]:
    return [
        f"{prefix}{n},{state_prefix}{n:02d},{first},{last},{born},{gender},,"
        for n, (first, last, born, gender) in enumerate(children, start=1)
    ]


@pytest.fixture
def queued(send, community):
    """Pairs across the district and the club, each waiting for review."""

    def queue(count: int) -> list[ReviewItem]:
        send(community.district, *rows("D", "S1", CHILDREN[:count]))
        send(community.club, *rows("C", "S9", CHILDREN[:count]))
        items = list(
            ReviewItem.objects.filter(kind=ReviewItem.Kind.LINK).order_by(
                "record_a__local_id"
            )
        )
        assert len(items) == count
        return items

    return queue


@pytest.fixture
def one_pair(queued) -> ReviewItem:
    return queued(1)[0]


@pytest.fixture
def duplicate(send, community):
    send(
        community.district,
        "X1,,Zara,Pemberton,2016-02-02,F,,",
        "X2,,Zara,Pemberton,2016-02-02,F,,",
    )
    return ReviewItem.objects.get(kind=ReviewItem.Kind.DUPLICATE)


def page_of(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def answer(item: ReviewItem, value: str) -> dict[str, str]:
    return {f"pair-{item.pk}": value}


class TestWhoMayOpenThePages:
    GETS = [
        "linkage:review",
        "linkage:thresholds",
        "linkage:thresholds_preview",
        "linkage:children",
        "linkage:changes",
        "child",
    ]
    POSTS = ["linkage:review", "linkage:merge", "linkage:split", "linkage:undo"]

    @pytest.fixture
    def child(self, community):
        return SourceRecordFactory(organization=community.district).child

    @pytest.fixture
    def event(self) -> MappingEvent:
        return MappingEvent.objects.create(kind=MappingEvent.Kind.MERGE)

    @staticmethod
    def url(name: str, child: Child, event: MappingEvent) -> str:
        if name == "child":
            return reverse("linkage:child", args=[child.public_id])
        if name in ("linkage:merge", "linkage:split"):
            return reverse(name, args=[child.public_id])
        if name == "linkage:undo":
            return reverse(name, args=[event.pk])
        return reverse(name)

    @pytest.mark.parametrize("person", PEOPLE)
    @pytest.mark.parametrize("name", GETS)
    def test_only_the_steward_opens_each_page(
        self, client, people, child, event, quiet, person, name
    ):
        client.force_login(getattr(people, person))

        response = client.get(self.url(name, child, event))

        assert response.status_code == (200 if person == "steward" else 403)
        # Django logs each refusal as a warning; these are on purpose.
        assert len(quiet.take()) == (0 if person == "steward" else 1)

    @pytest.mark.parametrize("person", [p for p in PEOPLE if p != "steward"])
    @pytest.mark.parametrize("name", POSTS)
    def test_nobody_else_changes_the_mapping(
        self, client, people, child, event, quiet, person, name
    ):
        client.force_login(getattr(people, person))

        response = client.post(self.url(name, child, event), {"other": child.public_id})

        assert response.status_code == 403
        assert not hasattr(event, "undone_by")
        assert MappingEvent.objects.count() == 1
        assert len(quiet.take()) == 1

    @pytest.mark.parametrize("name", GETS + POSTS)
    def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(
        self, client, child, event, name
    ):
        response = client.get(self.url(name, child, event))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestTheReviewQueue:
    def test_a_pair_is_shown_side_by_side_with_its_evidence(
        self, client, people, one_pair
    ):
        client.force_login(people.steward)

        response = client.get(reverse("linkage:review"))

        page = page_of(response)
        assert "Riverbend Schools" in page and "Youth Club" in page
        assert ">D1<" in page and ">C1<" in page
        assert "The state student IDs differ" in page
        assert "State student ID" in page
        assert "different" in page and "same" in page
        assert "bits" in page
        assert f"model version {one_pair.model.version}" in page
        pair = response.context["pairs"][0]
        state_id = next(f for f in pair.fields if f.label == "State student ID")
        assert state_id.evidence.weight < 0 and not state_id.evidence.agrees
        first_name = next(f for f in pair.fields if f.label == "First name")
        assert first_name.evidence.agrees and first_name.level == "same"

    def test_the_steward_sees_names_and_dates_of_birth_masked(
        self, client, people, one_pair
    ):
        client.force_login(people.steward)

        response = client.get(reverse("linkage:review"))

        page = page_of(response)
        assert "Noah" not in page and "Kim" not in page
        assert "2015-03-07" not in page
        assert "S101" not in page and "S901" not in page
        assert "N*** K**" not in page  # names are compared field by field
        assert "N***" in page and "K**" in page
        assert "****-**-**" in page
        values = {f.label: (f.a, f.b) for f in response.context["pairs"][0].fields}
        assert values["Gender"] == ("***", "***")
        assert "Male" not in page

    def test_a_school_and_grade_are_hidden_whole_from_a_steward_who_may_not_read(
        self, client, people, one_pair
    ):
        SourceRecord.objects.filter(
            pk__in=[one_pair.record_a_id, one_pair.record_b_id]
        ).update(school="Willow Creek Elementary", grade="1")
        ReviewItem.objects.filter(pk=one_pair.pk).update(
            comparison=[{"comparison": "school", "level": "same", "weight": 1.0}]
        )
        client.force_login(people.steward)

        response = client.get(reverse("linkage:review"))

        (school,) = response.context["pairs"][0].fields
        assert (school.label, school.a, school.b) == (
            "School and grade",
            "***, ***",
            "***, ***",
        )
        assert "Willow" not in page_of(response) and "W*****" not in page_of(response)

    def test_a_steward_on_the_staff_of_an_organization_reads_its_records(
        self, client, community, people, one_pair
    ):
        add_member(username="steward", organization=community.club, role=Role.STAFF)
        client.force_login(people.steward)

        response = client.get(reverse("linkage:review"))

        pair = response.context["pairs"][0]
        assert pair.readable == (False, True)
        values = {f.label: (f.a, f.b) for f in pair.fields}
        assert values["First name"] == ("N***", "Noah")
        assert values["Date of birth"] == ("****-**-**", "2015-03-07")
        assert values["State student ID"] == ("S***", "S901")
        assert values["Gender"] == ("***", "Male")

    def test_waiting_pairs_come_first_strongest_first_then_skipped_ones(
        self, client, people, queued
    ):
        items = queued(3)
        decisions.decide(items[0], None, people.steward)
        client.force_login(people.steward)

        response = client.get(reverse("linkage:review"))

        shown = [pair.item.pk for pair in response.context["pairs"]]
        waiting = sorted(items[1:], key=lambda item: (-item.match_weight, item.pk))
        assert shown == [item.pk for item in waiting] + [items[0].pk]
        assert "skipped before" in page_of(response)

    def test_a_page_holds_ten_pairs(self, client, people, queued):
        queued(12)
        client.force_login(people.steward)

        first = client.get(reverse("linkage:review"))
        second = client.get(reverse("linkage:review"), {"kind": "link", "page": 2})

        assert len(first.context["pairs"]) == 10
        assert len(second.context["pairs"]) == 2
        assert second.context["pairs"][0].number == 11

    def test_duplicates_within_an_organization_have_a_tab_of_their_own(
        self, client, people, duplicate
    ):
        client.force_login(people.steward)

        links = client.get(reverse("linkage:review"))
        duplicates = client.get(reverse("linkage:review"), {"kind": "duplicate"})

        assert links.context["pairs"] == []
        assert "No pair of this kind is waiting for review." in page_of(links)
        assert [p.item.pk for p in duplicates.context["pairs"]] == [duplicate.pk]
        tabs = {tab["kind"]: tab["count"] for tab in duplicates.context["tabs"]}
        assert tabs == {"link": 0, "duplicate": 1}

    def test_the_queue_page_asks_the_database_a_fixed_number_of_times(
        self, client, people, queued, django_assert_max_num_queries
    ):
        queued(12)
        client.force_login(people.steward)
        client.get(reverse("linkage:review"))

        # Three of them name the pairs' children and what stands between
        # them: their records, decisions apart, and pairs still waiting.
        with django_assert_max_num_queries(11):
            response = client.get(reverse("linkage:review"))

        assert len(response.context["pairs"]) == 10

    def test_the_page_documents_its_keyboard_shortcuts(self, client, people, one_pair):
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:review")))

        assert "Keyboard shortcuts" in page
        assert re.search(r"<kbd>s</kbd></dt><dd>same child", page)
        assert 'data-key="d"' in page and 'data-key="x"' in page
        assert "braid/review.js" in page

    def test_the_queue_says_pairs_held_by_a_rule_wait_above_the_threshold(
        self, client, people, one_pair
    ):
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:review")))

        assert (
            "So do pairs a rule holds back: above the automatic threshold, "
            "possible twins, two different state student IDs or a record that "
            "matches more than one child; at any score, one state student ID on "
            "two records that otherwise differ."
        ) in page

    def test_the_queue_reads_in_spanish(self, client, people, one_pair):
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:review"), HTTP_ACCEPT_LANGUAGE="es"))

        assert "Revisar coincidencias" in page
        assert "¿Son los registros del par 1 un mismo niño?" in page
        assert "Dirección y código postal" in page
        assert "Review matches" not in page


class TestAnsweringABatch:
    def test_each_answer_on_the_page_is_applied(
        self, client, community, people, queued
    ):
        same, different, skipped = queued(3)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"),
            {
                "kind": "link",
                "page": "1",
                **answer(same, "same"),
                **answer(different, "different"),
                **answer(skipped, "skip"),
            },
            follow=True,
        )

        assert messages_of(response) == [
            "3 answers saved: 1 same child, 1 not the same, 1 skipped."
        ]
        for item in (same, different, skipped):
            item.refresh_from_db()
        assert child_of(community.district, "D1") == child_of(community.club, "C1")
        assert same.decision.same is True
        assert same.decision.decided_by == people.steward
        assert child_of(community.district, "D2") != child_of(community.club, "C2")
        assert different.decision.same is False
        assert skipped.status == ReviewItem.Status.SKIPPED
        assert skipped.decision is None
        assert [p.item.pk for p in response.context["pairs"]] == [skipped.pk]

    def test_pairs_left_unanswered_stay_as_they_are(self, client, people, queued):
        answered, left = queued(2)
        client.force_login(people.steward)

        client.post(reverse("linkage:review"), answer(answered, "different"))

        left.refresh_from_db()
        assert left.status == ReviewItem.Status.PENDING
        assert PairDecision.standing.count() == 1

    def test_a_page_without_answers_changes_nothing(self, client, people, one_pair):
        client.force_login(people.steward)

        response = client.post(reverse("linkage:review"), {"kind": "link"}, follow=True)

        assert messages_of(response) == ["No pair was answered, so nothing changed."]
        assert not PairDecision.objects.exists()

    def test_a_pair_decided_meanwhile_is_reported_and_the_others_still_apply(
        self, client, people, queued
    ):
        decided, other = queued(2)
        decisions.decide(decided, False, people.steward)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"),
            {**answer(decided, "same"), **answer(other, "same")},
            follow=True,
        )

        assert messages_of(response) == [
            "Riverbend Schools D1 and Youth Club C1: This pair has already been "
            "decided.",
            "1 answer saved: 1 same child, 0 not the same, 0 skipped.",
        ]
        decided.refresh_from_db()
        assert decided.decision.same is False
        other.refresh_from_db()
        assert other.decision.same is True

    def test_an_answer_that_is_not_a_choice_is_reported_and_ignored(
        self, client, people, queued
    ):
        odd, fine = queued(2)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"),
            {**answer(odd, "maybe"), **answer(fine, "skip"), "pair-999999": "same"},
            follow=True,
        )

        assert messages_of(response) == [
            "1 answer saved: 0 same child, 0 not the same, 1 skipped.",
            "2 answers were for pairs no longer in the queue, or not one of the "
            "choices; nothing was changed for them.",
        ]
        odd.refresh_from_db()
        assert odd.status == ReviewItem.Status.PENDING

    def test_a_same_child_answer_on_twins_says_which_record_moved(
        self, client, people, twins
    ):
        records, item = twins
        ava = records["A1"].child
        mia = records["A2"].child
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"), answer(item, "same"), follow=True
        )

        event = MappingEvent.objects.get()
        assert messages_of(response) == [
            "1 answer saved: 1 same child, 0 not the same, 0 skipped.",
            f"Riverbend Schools A2 and Youth Club B1: only Youth Club B1 moved, from "
            f"child {ava.public_id} to child {mia.public_id}, because child "
            f"{ava.public_id} also holds Riverbend Schools A1, which cannot be one "
            f"child with Riverbend Schools A2. Child {ava.public_id} keeps its other "
            f"records; the move (change #{event.pk}) can be undone in the list of "
            f"changes.",
        ]
        assert "Okafor" not in " ".join(messages_of(response))
        assert child_of(records["B1"].organization, "B1") == mia.pk
        assert list(ava.source_records.all()) == [records["A1"]]

    def test_an_answer_that_cannot_be_applied_is_refused_and_the_pair_waits(
        self, client, community, people, one_pair
    ):
        # Each side already holds a clinic record: joining would give the
        # child two, and nothing says which link is wrong.
        for record in (one_pair.record_a, one_pair.record_b):
            SourceRecordFactory(organization=community.clinic, child=record.child)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"), answer(one_pair, "same"), follow=True
        )

        [refusal] = messages_of(response)
        assert refusal.startswith(
            "Riverbend Schools D1 and Youth Club C1: These two cannot be made one "
            "child as their children stand: Eastside Clinic "
        )
        assert "Not the same child" not in refusal
        one_pair.refresh_from_db()
        assert one_pair.status == ReviewItem.Status.PENDING
        assert [p.item.pk for p in response.context["pairs"]] == [one_pair.pk]

    def test_a_refusal_held_by_a_decision_says_where_to_withdraw_it(
        self, client, community, people, one_pair
    ):
        # A clinic record on one side was said to be another child than a
        # second club record on the other: either record of the pair could
        # move, and nothing says which.
        district, club = one_pair.record_a, one_pair.record_b
        clinic = SourceRecordFactory(
            organization=community.clinic, child=district.child
        )
        other = SourceRecordFactory(organization=community.club, child=club.child)
        PairDecision.objects.create(
            record_a=clinic, record_b=other, same=False, decided_by=people.steward
        )
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"), answer(one_pair, "same"), follow=True
        )

        [refusal] = messages_of(response)
        assert refusal.startswith(
            "Riverbend Schools D1 and Youth Club C1: These two cannot be made one "
            "child as their children stand: Eastside Clinic "
        )
        assert refusal.endswith(
            "If a “Not the same child” decision is wrong, withdraw it instead under "
            "“Decisions on this child's records” on the page of child "
            f"{district.child.public_id} or {club.child.public_id}."
        )
        one_pair.refresh_from_db()
        assert one_pair.status == ReviewItem.Status.PENDING

    def test_after_saving_the_steward_returns_to_the_same_tab_and_page(
        self, client, people, duplicate
    ):
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:review"),
            {"kind": "duplicate", "page": "2", **answer(duplicate, "skip")},
        )

        assert response["Location"] == reverse("linkage:review") + (
            "?kind=duplicate&page=2"
        )


class TestThresholds:
    def test_the_page_shows_the_thresholds_and_model_in_use(self, client, people):
        policy = engine.policy()
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:thresholds")))

        assert f"{policy.auto_link_weight:.1f} bits" in page
        assert f"{policy.review_weight:.1f} bits" in page
        assert policy.model is not None
        assert f"version {policy.model.version}" in page
        assert "measured only on the pairs people settled" in page
        assert "No pair has been settled by a person yet" in page
        assert "change only at the next full re-link (braid link --all)" in page

    def test_saving_thresholds_records_who_set_them(self, client, people):
        engine.policy()
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:thresholds"),
            {"auto_link_weight": "8.5", "review_weight": "-1"},
            follow=True,
        )

        policy = LinkagePolicy.objects.get()
        assert (policy.auto_link_weight, policy.review_weight) == (8.5, -1.0)
        assert policy.updated_by == people.steward
        assert messages_of(response) == [
            "Thresholds saved: link automatically from 8.5 bits, review from -1.0 "
            "bits. Links already made and pairs already waiting change only at the "
            "next full re-link (braid link --all), which reports what it would "
            "change first."
        ]

    def test_a_review_threshold_above_the_automatic_one_is_refused(
        self, client, people
    ):
        before = engine.policy()
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:thresholds"),
            {"auto_link_weight": "2", "review_weight": "5"},
        )

        assert response.status_code == 200
        assert response.context["form"].errors == {
            "review_weight": [
                "The review threshold (5.0) must not be above the automatic one (2.0)."
            ]
        }
        after = LinkagePolicy.objects.get()
        assert after.auto_link_weight == before.auto_link_weight
        assert after.updated_by is None

    def test_a_thresholds_error_stands_apart_under_the_id_the_input_names(
        self, client, people
    ):
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:thresholds"),
            {"auto_link_weight": "2", "review_weight": "5"},
        )

        page = page_of(response)
        described = re.search(r'<input[^>]*id="id_review_weight"[^>]*>', page)
        assert described is not None
        assert (
            'aria-describedby="id_review_weight_helptext id_review_weight_error"'
            in (described.group())
        )
        assert re.search(
            r'<small class="issue-error" id="id_review_weight_error" role="alert">'
            r"The review threshold \(5.0\) must not be above",
            page,
        )
        assert '<label for="id_review_weight">Review from (bits)</label>' in page

    def test_the_thresholds_error_writes_numbers_as_the_language_does(
        self, client, people
    ):
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:thresholds"),
            {"auto_link_weight": "2", "review_weight": "5.5"},
            HTTP_ACCEPT_LANGUAGE="es",
        )

        (error,) = response.context["form"].errors["review_weight"]
        assert "(5,5)" in error
        assert "(2,0)" in error

    def test_the_expected_figures_table_is_named_apart_from_its_section(
        self, client, people, one_pair
    ):
        decisions.decide(one_pair, False, people.steward)
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:thresholds")))

        named = re.findall(r'role="region" aria-labelledby="([^"]+)"', page)
        named += re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', page)
        assert len(named) == 2
        assert len(set(named)) == 2

    def test_a_threshold_must_be_a_number_in_range(self, client, people):
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:thresholds"),
            {"auto_link_weight": "lots", "review_weight": "-500"},
        )

        errors = response.context["form"].errors
        assert errors["auto_link_weight"] == ["Enter a number."]
        assert "review_weight" in errors

    def test_the_preview_measures_the_numbers_typed_on_the_decided_pairs(
        self, client, people, queued
    ):
        items = queued(4)
        for item, same in zip(items, [True, True, False, False], strict=True):
            decisions.decide(item, same, people.steward)
        labels = thresholds.labelled_pairs()
        weights = sorted(label.weight for label in labels)
        auto, review_from = weights[2], weights[0]
        client.force_login(people.steward)

        response = client.get(
            reverse("linkage:thresholds_preview"),
            {"auto_link_weight": auto, "review_weight": review_from},
        )

        assert response.context["expected"] == thresholds.expected(
            labels, auto, review_from
        )
        page = page_of(response)
        assert "<html" not in page
        assert (
            "on the 4 pairs people settled (2 of them the same child): 4 answered "
            "in the review queue, 0 more implied by merges, splits and moves"
        ) in page
        assert "Precision of automatic links" in page
        figures = response.context["figures"]
        expected = thresholds.expected(labels, auto, review_from)
        # Every pair carries two state IDs: a rule holds each for review, so
        # none would be linked automatically, however high it scores.
        assert all(label.held for label in labels)
        assert expected.auto_precision is None
        assert figures[0]["percent"] is None
        assert expected.auto_recall == 0.0
        assert expected.review_recall is not None
        assert figures[2]["percent"] == pytest.approx(expected.review_recall * 100)

    def test_the_page_says_pairs_held_by_a_rule_are_no_automatic_links(
        self, client, people, one_pair
    ):
        decisions.decide(one_pair, False, people.steward)
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:thresholds")))

        assert (
            "Pairs a rule sends to review whatever their weight (possible twins, "
            "two different state student IDs) are not counted as automatic links."
        ) in page

    def test_the_page_tells_answered_pairs_from_those_a_change_implies(
        self, client, people, queued
    ):
        first, second = queued(2)
        decisions.decide(first, True, people.steward)
        decisions.merge(second.record_a.child, second.record_b.child, people.steward)
        client.force_login(people.steward)

        page = page_of(client.get(reverse("linkage:thresholds")))

        assert (
            "on the 2 pairs people settled (2 of them the same child): 1 answered "
            "in the review queue, 1 more implied by merges, splits and moves"
        ) in page

    def test_the_preview_of_numbers_out_of_order_says_what_is_wrong(
        self, client, people
    ):
        client.force_login(people.steward)

        response = client.get(
            reverse("linkage:thresholds_preview"),
            {"auto_link_weight": "1", "review_weight": "3"},
        )

        page = page_of(response)
        assert response.context["expected"] is None
        assert "must not be above the automatic one" in page
        assert LinkagePolicy.objects.filter(updated_by__isnull=False).count() == 0


class TestAChildsMapping:
    @pytest.fixture
    def merged(self, one_pair, people):
        """The pair's two children made one through the review queue."""
        district_child = one_pair.record_a.child
        club_child = one_pair.record_b.child
        decisions.decide(one_pair, True, people.steward)
        district_child.refresh_from_db()
        club_child.refresh_from_db()
        survivor, retired = (
            (district_child, club_child)
            if club_child.merged_into_id
            else (club_child, district_child)
        )
        return survivor, retired

    def test_the_page_lists_the_records_and_how_each_was_linked(
        self, client, people, merged
    ):
        survivor, retired = merged
        client.force_login(people.steward)

        response = client.get(reverse("linkage:child", args=[survivor.public_id]))

        page = page_of(response)
        assert [row["record"].local_id for row in response.context["records"]] == [
            "D1",
            "C1",
        ]
        assert "Decided by a person" in page
        assert ">steward<" in page
        assert "Noah" not in page and "N***" in page
        assert retired.public_id in page
        assert "Merge" in response.context["events"][0]["event"].get_kind_display()

    def test_a_merged_id_leads_to_the_child_it_was_merged_into(
        self, client, people, merged
    ):
        survivor, retired = merged
        client.force_login(people.steward)

        response = client.get(
            reverse("linkage:child", args=[retired.public_id]), follow=True
        )

        assert response.redirect_chain == [
            (reverse("linkage:child", args=[survivor.public_id]), 302)
        ]
        assert messages_of(response) == [
            f"Community ID {retired.public_id} was merged into "
            f"{survivor.public_id}, so it leads here."
        ]

    def test_an_unknown_id_is_not_found(self, client, people, quiet):
        client.force_login(people.steward)

        response = client.get(reverse("linkage:child", args=["ZZZZZZZZZZ"]))

        assert response.status_code == 404
        quiet.take()

    def test_finding_a_child_by_its_community_id(self, client, people, one_pair):
        public_id = one_pair.record_a.child.public_id
        client.force_login(people.steward)

        found = client.get(
            reverse("linkage:children"), {"community_id": f" {public_id.lower()} "}
        )
        missing = client.get(reverse("linkage:children"), {"community_id": "NOPE"})

        assert found["Location"] == reverse("linkage:child", args=[public_id])
        assert missing.status_code == 200
        assert "No child has the community ID NOPE." in page_of(missing)

    def test_merging_two_children_through_the_page(
        self, client, community, people, one_pair
    ):
        district_child = one_pair.record_a.child
        club_child = one_pair.record_b.child
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:merge", args=[club_child.public_id]),
            {"other": district_child.public_id},
            follow=True,
        )

        assert child_of(community.district, "D1") == child_of(community.club, "C1")
        survivor = Child.objects.get(pk=child_of(community.club, "C1"))
        assert response.redirect_chain[-1][0] == reverse(
            "linkage:child", args=[survivor.public_id]
        )
        retired = club_child if survivor == district_child else district_child
        assert messages_of(response) == [
            f"{retired.public_id} and {survivor.public_id} are now one child, "
            f"{survivor.public_id}."
        ]
        # The merge answered the queued pair too.
        one_pair.refresh_from_db()
        assert one_pair.status == ReviewItem.Status.DECIDED
        assert one_pair.decision.same is True

    def test_merging_with_an_unknown_or_the_same_id_says_so(
        self, client, people, one_pair
    ):
        child = one_pair.record_a.child
        client.force_login(people.steward)
        url = reverse("linkage:merge", args=[child.public_id])

        unknown = client.post(url, {"other": "NOPE"})
        itself = client.post(url, {"other": child.public_id})

        assert unknown.context["merge_form"].errors == {
            "other": ["No child has the community ID NOPE."]
        }
        assert itself.context["merge_form"].errors == {
            "other": ["That is this child's own ID."]
        }
        assert not MappingEvent.objects.exists()

    def test_a_merge_holding_two_records_of_one_organization_asks_to_confirm(
        self, client, community, people, two_pairs_of_twins
    ):
        records = two_pairs_of_twins
        ava, mia = records["A1"].child, records["A2"].child
        client.force_login(people.steward)
        url = reverse("linkage:merge", args=[ava.public_id])

        refused = client.post(url, {"other": mia.public_id})

        assert refused.status_code == 200
        [error] = refused.context["merge_form"].non_field_errors()
        assert "Riverbend Schools A1 and A2 are two records of one organization" in (
            error
        )
        assert refused.context["duplicates"] == [community.district, community.club]
        page = page_of(refused)
        assert "These are duplicate records of one child in Riverbend Schools" in page
        assert f'name="duplicates" value="{community.club.pk}"' in page
        assert not MappingEvent.objects.exists()

        confirmed = client.post(
            url,
            {
                "other": mia.public_id,
                "duplicates": [community.district.pk, community.club.pk],
            },
            follow=True,
        )

        assert messages_of(confirmed) == [
            f"{mia.public_id} and {ava.public_id} are now one child, {ava.public_id}."
        ]
        assert {r.child_id for r in SourceRecord.objects.all()} == {ava.pk}

    def test_a_merge_of_records_decided_apart_is_refused_with_the_decision(
        self, client, community, people, merged
    ):
        survivor, _ = merged
        club = SourceRecord.objects.get(organization=community.club)
        split = decisions.split(survivor, [club], people.steward)
        club.refresh_from_db()
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:merge", args=[survivor.public_id]),
            {"other": club.child.public_id},
            follow=True,
        )

        [message] = messages_of(response)
        assert message.startswith(
            "These children cannot be merged. Riverbend Schools D1 and Youth Club "
            "C1 were decided not the same child by steward on "
        )
        assert message.endswith(
            f"The decision came with change #{split.pk} (Split): if they are one "
            "child after all, undo that change in the list of changes, which "
            "withdraws the decision and puts the records back as they were before "
            "it."
        )
        assert child_of(community.district, "D1") != child_of(community.club, "C1")

    def test_undoing_a_split_leaves_the_home_count_as_it_was(
        self, client, community, people, merged
    ):
        survivor, _ = merged
        client.force_login(people.steward)
        before = client.get(reverse("home")).context["children"]
        club = SourceRecord.objects.get(organization=community.club)
        split = decisions.split(survivor, [club], people.steward)
        club.refresh_from_db()
        separated = club.child

        decisions.undo(split, people.steward)

        assert client.get(reverse("home")).context["children"] == before == 1
        response = client.get(
            reverse("linkage:child", args=[separated.public_id]), follow=True
        )
        assert response.redirect_chain == [
            (reverse("linkage:child", args=[survivor.public_id]), 302)
        ]

    def test_splitting_records_off_through_the_page(
        self, client, community, people, merged
    ):
        survivor, _ = merged
        club = SourceRecord.objects.get(organization=community.club)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:split", args=[survivor.public_id]),
            {"records": [club.pk]},
            follow=True,
        )

        assert child_of(community.district, "D1") != child_of(community.club, "C1")
        separated = Child.objects.get(pk=child_of(community.club, "C1"))
        assert messages_of(response) == [
            f"1 record separated into child {separated.public_id}."
        ]
        standing = PairDecision.standing.get()
        assert standing.same is False

    def test_a_split_must_name_records_and_leave_one(
        self, client, community, people, merged
    ):
        survivor, _ = merged
        every = SourceRecord.objects.values_list("pk", flat=True)
        client.force_login(people.steward)
        url = reverse("linkage:split", args=[survivor.public_id])

        none = client.post(url, {})
        everything = client.post(url, {"records": list(every)}, follow=True)

        assert none.context["split_form"].errors == {
            "records": ["Choose the records to separate."]
        }
        assert messages_of(everything) == [
            "At least one record must stay with the child."
        ]

    def test_a_form_sent_to_a_merged_child_goes_to_the_survivor(
        self, client, people, merged
    ):
        survivor, retired = merged
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:merge", args=[retired.public_id]), {"other": "X"}
        )

        assert response["Location"] == reverse(
            "linkage:child", args=[survivor.public_id]
        )

    def test_undoing_a_merge_from_the_childs_page(
        self, client, community, people, merged
    ):
        survivor, _ = merged
        event = MappingEvent.objects.get(kind=MappingEvent.Kind.MERGE)
        child_url = reverse("linkage:child", args=[survivor.public_id])
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:undo", args=[event.pk]), {"next": child_url}, follow=True
        )

        assert response.redirect_chain == [(child_url, 302)]
        assert messages_of(response) == [f"Change {event.pk} (Merge) undone."]
        assert child_of(community.district, "D1") != child_of(community.club, "C1")
        rows = {row["event"].pk: row for row in response.context["events"]}
        assert rows[event.pk]["undone"] and not rows[event.pk]["can_undo"]

    def test_a_change_that_cannot_be_undone_says_why(self, client, people, merged):
        event = MappingEvent.objects.get(kind=MappingEvent.Kind.MERGE)
        decisions.undo(event, people.steward)
        client.force_login(people.steward)

        response = client.post(
            reverse("linkage:undo", args=[event.pk]),
            {"next": "https://elsewhere.example/"},
            follow=True,
        )

        assert response.redirect_chain == [(reverse("linkage:changes"), 302)]
        assert messages_of(response) == ["This change has already been undone."]


class TestTheChanges:
    def test_recent_changes_are_listed_with_their_counts(self, client, people, queued):
        for item in queued(3):
            decisions.decide(item, True, people.steward)
        client.force_login(people.steward)

        response = client.get(reverse("linkage:changes"))

        rows = response.context["events"]
        assert [row["event"].kind for row in rows] == ["merge"] * 3
        assert all(row["records_moved"] == 1 for row in rows)
        assert all(row["children_merged"] == 1 and row["can_undo"] for row in rows)
        assert page_of(response).count(">steward<") == 3

    def test_the_changes_page_asks_the_database_a_fixed_number_of_times(
        self, client, people, queued, django_assert_max_num_queries
    ):
        for item in queued(12):
            decisions.decide(item, True, people.steward)
        client.force_login(people.steward)

        with django_assert_max_num_queries(7):
            response = client.get(reverse("linkage:changes"))

        assert len(response.context["events"]) == 12


class TestTheStewardsHome:
    def test_home_counts_the_pairs_waiting_and_links_to_the_queue(
        self, client, people, queued, duplicate
    ):
        queued(2)
        client.force_login(people.steward)

        response = client.get(reverse("home"))

        page = page_of(response)
        assert response.context["review_pairs"] == 2
        assert response.context["review_duplicates"] == 1
        assert f'href="{reverse("linkage:review")}?kind=duplicate"' in page
        assert "Review matches" in page

    @pytest.mark.parametrize("person", [p for p in PEOPLE if p != "steward"])
    def test_nobody_else_is_offered_the_review(self, client, people, person):
        client.force_login(getattr(people, person))

        page = page_of(client.get(reverse("home")))

        assert "Review matches" not in page
