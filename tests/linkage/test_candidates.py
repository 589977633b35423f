"""A roster's candidates are the same looked up by key or read in one pass.

A large roster meets most of the community, so linking reads every record
once instead of looking each key up; the two ways must find the same records
and the same people's decisions.
"""

import datetime

import pytest

from braid.children.models import SourceRecord
from braid.linkage import engine
from braid.linkage.batches import any_of
from braid.linkage.models import PairDecision


@pytest.fixture
def known(send, community):
    send(
        community.district,
        "D1,S1,Ava,Okafor,2015-03-07,F,12 Elm St,50309",
        "D2,,Mia,Okafor,2015-03-07,F,12 Elm St,50309",
        "D3,,Daniel,Nguyew,2012-05-18,M,,50157",
        "D4,,Noah,Kim,2014-02-02,M,5 Maple Dr,50310",
        "D5,,Zoe,Adams,2011-11-11,F,,50999",
    )


def new_rows(*people):
    records = [
        SourceRecord(
            organization_id=0,
            first_name_key=first,
            last_name_key=last,
            birth_date=born,
            zip_code=zip_code,
            state_id_key=state_id,
        )
        for first, last, born, zip_code, state_id in people
    ]
    return [engine._row(record, -(n + 1)) for n, record in enumerate(records)]


def test_both_ways_find_the_same_records(known):
    rows = new_rows(
        ("ava", "okafor", datetime.date(2015, 3, 7), "", ""),
        ("nguyen", "daniel", datetime.date(2012, 5, 18), "50175", ""),
        ("noah", "kimball", None, "50310", ""),
        ("", "", None, "", "s1"),
    )

    by_key = engine._candidates(rows, community=10**9)
    in_one_pass = engine._candidates(rows, community=0)

    assert by_key == in_one_pass
    found = set(
        SourceRecord.objects.filter(pk__in=by_key).values_list("local_id", flat=True)
    )
    # Zoe shares nothing with the roster.
    assert found == {"D1", "D2", "D3", "D4"}


def test_both_ways_find_the_same_decisions(known, people, monkeypatch):
    records = {r.local_id: r for r in SourceRecord.objects.all()}
    ava, mia, zoe = records["D1"].pk, records["D2"].pk, records["D5"].pk
    PairDecision.objects.create(
        record_a_id=min(ava, mia),
        record_b_id=max(ava, mia),
        same=False,
        decided_by=people.steward,
    )
    PairDecision.objects.create(
        record_a_id=min(ava, zoe),
        record_b_id=max(ava, zoe),
        same=False,
        decided_by=people.steward,
    )
    # Zoe is not among the records asked about.
    ids = [ava, mia, records["D3"].pk]

    looked_up = engine._decisions(ids)
    monkeypatch.setattr(engine, "DECISION_LOOKUPS", 0)
    read_all = engine._decisions(ids)

    assert looked_up == read_all
    assert [(d.record_a_id, d.record_b_id) for d in looked_up] == [
        (min(ava, mia), max(ava, mia))
    ]


def test_any_of_finds_the_records_holding_any_wanted_value(known):
    records = {r.local_id: r for r in SourceRecord.objects.all()}
    wanted = {
        "block_dob_last": {records["D1"].block_dob_last, "20010101|x"},
        "pk": {records["D4"].pk, records["D1"].pk},
        "state_id_key": set(),
    }

    found = set()
    for keys in any_of(wanted):
        found.update(
            SourceRecord.objects.filter(keys).values_list("local_id", flat=True)
        )

    # Mia shares Ava's birthday and surname.
    assert found == {"D1", "D2", "D4"}
    assert list(any_of({"pk": set()})) == []


def test_each_name_is_counted_once(known, django_assert_num_queries):
    rows = new_rows(("ava", "okafor", None, "", ""), ("mia", "okafor", None, "", ""))
    names = engine.NameCounts(total=SourceRecord.objects.count())
    names.read(rows)

    with django_assert_num_queries(0):
        names.read(rows[:1])

    assert names.held("first") == {"ava": 1, "mia": 1}
    assert names.held("last") == {"okafor": 2}


def test_a_name_is_counted_with_and_without_its_accents(send, community):
    send(
        community.district,
        "D1,,José,Núñez,2015-03-07,M,,",
        "D2,,Jose,Nunez,2016-04-08,M,,",
        "D3,,Josefa,Núñez,2017-05-09,F,,",
    )
    names = engine.NameCounts(total=SourceRecord.objects.count())

    # The roster writes the name plainly, a candidate with its accents.
    names.read(
        new_rows(("jose", "nunez", None, "", ""), ("josé", "núñez", None, "", ""))
    )

    assert names.held("first") == {"jose": 2}
    assert names.held("last") == {"nunez": 3}
