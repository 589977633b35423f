"""Names written with accents or full-width letters, and without them."""

import pytest

from braid.children.models import SourceRecord
from braid.linkage import features
from braid.linkage.models import ReviewItem
from braid.linkage.names import fold_accents
from tests.linkage.conftest import child_of


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        # The shared part of a two-part surname still counts once accents go.
        (
            "D1,,Sofía,García-López,2017-10-12,F,,",
            "C1,,Sofia,Lopez,2017-10-12,F,,",
        ),
        ("D1,,Renée,Núñez,2016-04-21,F,,", "C1,,Renee,Nunez,2016-04-21,F,,"),
        (
            "D1,,\uff33\uff45\uff41\uff4e,\uff2f\u2019\uff2e\uff45\uff49\uff4c,"
            "2015-08-30,M,,",
            "C1,,Sean,ONeil,2015-08-30,M,,",
        ),
        (
            "D1,,José,Ruiz,2014-01-09,M,7 Birch Rd,50311",
            "C1,,Jose,Ruiz,2014-01-09,M,7 Birch Rd,50311",
        ),
    ],
    ids=["two-part surname", "accents in both names", "full-width", "one accent"],
)
def test_a_name_kept_with_accents_links_to_the_name_without(
    send, community, written, plain
):
    send(community.district, written)
    send(community.club, plain)

    assert child_of(community.district, "D1") == child_of(community.club, "C1")
    assert not ReviewItem.objects.exists()


def test_twins_whose_surname_is_written_two_ways_stay_apart(send, community):
    send(community.district, "D1,,Ana,Núñez,2016-02-14,F,9 Cedar St,50312")
    send(community.club, "C1,,Mia,Nuñez,2016-02-14,F,9 Cedar St,50312")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_names_are_kept_and_keyed_as_written(send, community):
    send(community.district, "D1,,Renée,Núñez,2016-04-21,F,,")

    record = SourceRecord.objects.get()
    assert (record.first_name, record.last_name) == ("Renée", "Núñez")
    assert (record.first_name_key, record.last_name_key) == ("renée", "núñez")


def test_the_stored_blocking_keys_are_the_ones_a_row_works_out(send, community):
    # Candidates are looked up by the stored keys: a row must give the same.
    send(community.district, "D1,,\uff33ofía,García-López,2017-10-12,F,,50309")

    record = SourceRecord.objects.get()
    values = {name: getattr(record, name) for name in features.SOURCE_FIELDS}
    row = features.row(values)
    for key in features.STORED_BLOCKING_KEYS:
        assert row[key] == (getattr(record, key) or None)
    assert (row["first"], row["last"]) == ("sofia", "garcia-lopez")
    assert row["last_parts"] == ["garcia", "lopez"]


@pytest.mark.parametrize(
    ("key", "folded"),
    [
        ("garcía-lópez", "garcia-lopez"),
        ("de la peña", "de la pena"),
        ("\uff53\uff45\uff41\uff4e", "sean"),
        ("\uff4f \uff4e\uff45\uff49\uff4c", "o neil"),
        ("bjørn", "bjorn"),
        ("lætitia", "laetitia"),
        ("łukasz", "lukasz"),
        ("mary ann", "mary ann"),
        ("", ""),
    ],
)
def test_folding_drops_accents_and_keeps_spaces_and_hyphens(key, folded):
    assert fold_accents(key) == folded
