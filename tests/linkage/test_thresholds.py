"""What the thresholds would do, measured on the pairs people settled."""

import io

from django.core.management import call_command
from django.urls import reverse

from braid.children.models import SourceRecord
from braid.linkage import decisions, engine, thresholds
from braid.linkage.models import ReviewItem
from braid.linkage.thresholds import Labelled


def test_a_pair_held_by_a_rule_does_not_count_as_an_automatic_link():
    labels = [
        Labelled(weight=9.0, same=False, answered=True, held=True),
        Labelled(weight=8.0, same=True, answered=True, held=True),
        Labelled(weight=7.0, same=True, answered=True),
        Labelled(weight=-5.0, same=False, answered=False),
    ]

    figures = thresholds.expected(labels, auto_link=2.0, review=-2.0)

    assert figures.auto_precision == 1.0
    assert figures.auto_recall == 0.5
    # A held pair above the automatic threshold still reaches review.
    assert figures.review_recall == 1.0
    assert figures.dismissed == 0.5


def test_no_automatic_precision_when_every_high_pair_is_held():
    labels = [Labelled(weight=9.0, same=True, answered=True, held=True)]

    figures = thresholds.expected(labels, auto_link=2.0, review=-2.0)

    assert figures.auto_precision is None
    assert figures.auto_recall == 0.0


def test_settled_pairs_with_two_state_ids_are_marked_held(send, community, people):
    send(
        community.district,
        "D1,S101,Noah,Kim,2015-03-07,M,,",
        "D2,,Ava,Brennan,2014-06-21,F,,",
    )
    send(
        community.club,
        "C1,S901,Noah,Kim,2015-03-07,M,,",
        "C2,,Ava,Brennan,2014-06-21,F,,",
    )
    decisions.decide(ReviewItem.objects.get(), False, people.steward)
    ava = SourceRecord.objects.get(organization=community.club, local_id="C2")
    decisions.split(ava.child, [ava], people.steward)

    labels = {label.held: label for label in thresholds.labelled_pairs()}

    assert set(labels) == {True, False}
    assert labels[True].weight > 2.0
    assert not labels[True].same
    assert not labels[False].same


def test_few_settled_pairs_are_said_to_be_few():
    def settled(count):
        labels = [Labelled(weight=5.0, same=True, answered=True)] * count
        return thresholds.expected(labels, auto_link=2.0, review=-2.0)

    assert settled(1).few and settled(thresholds.FEW_SETTLED - 1).few
    assert not settled(thresholds.FEW_SETTLED).few
    assert not settled(0).few


def test_the_page_and_the_command_warn_when_few_pairs_are_settled(
    client, send, community, people
):
    send(community.district, "D1,S101,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S901,Noah,Kim,2015-03-07,M,,")
    decisions.decide(ReviewItem.objects.get(), False, people.steward)
    client.force_login(people.steward)

    page = client.get(reverse("linkage:thresholds")).content.decode()
    out = io.StringIO()
    call_command("link", "thresholds", stdout=out)

    assert "Only 1 pair has been settled so far" in page
    assert "On the 1 pair settled so far" in out.getvalue()
    assert "Few pairs are settled yet" in out.getvalue()


def test_a_threshold_set_finer_than_a_tenth_is_shown_as_set(client, people, settings):
    engine.set_thresholds(2.25, -1.5, people.steward)
    client.force_login(people.steward)

    page = client.get(reverse("linkage:thresholds")).content.decode()
    queue = client.get(reverse("linkage:review")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = client.get(reverse("linkage:thresholds")).content.decode()

    assert "2.25 bits" in page and "-1.5 bits" in page
    assert "from -1.5 up to 2.25 bits" in queue
    assert "2,25 bits" in spanish
