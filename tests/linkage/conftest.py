"""Sending small rosters through intake for the linkage tests."""

import datetime

import pytest

from braid.children.models import SourceRecord
from braid.intake import services
from braid.linkage.models import ReviewItem
from tests.intake.rosters import roster

DAY = datetime.date(2026, 9, 1)
HEADER = "Student ID,State ID,First Name,Last Name,DOB,Gender,Address,ZIP"


@pytest.fixture
def send(community, people):
    senders = {
        community.district: (people.district_staff, community.district_roll),
        community.club: (people.club_staff, community.club_program),
    }

    def send(org, *rows: str):
        staff, program = senders[org]
        outcome = services.import_roster(
            user=staff,
            organization=org,
            program=program,
            filename="r.csv",
            content=roster(*rows, header=HEADER),
            as_of=DAY,
        )
        assert outcome.committed, outcome.preview.errors
        return outcome

    return send


def queue(first: SourceRecord, second: SourceRecord, **values) -> ReviewItem:
    """Put a pair in the review queue by hand, as a linking run would."""
    first, second = sorted([first, second], key=lambda r: r.pk)
    return ReviewItem.objects.create(
        record_a=first,
        record_b=second,
        kind=ReviewItem.Kind.LINK,
        reason=ReviewItem.Reason.UNCERTAIN,
        match_weight=0.5,
        match_probability=0.6,
        **values,
    )


def child_of(org, local_id):
    return SourceRecord.objects.get(organization=org, local_id=local_id).child_id


@pytest.fixture
def twins(send, community):
    """Ava and Mia at one school; the club's Ava linked to the school's Ava."""
    send(
        community.district,
        "A1,,Ava,Okafor,2016-06-01,F,40 Oak Ave,60602",
        "A2,,Mia,Okafor,2016-06-01,F,40 Oak Ave,60602",
    )
    send(community.club, "B1,,Ava,Okafor,2016-06-01,F,40 Oak Avenue,60602")
    records = {r.local_id: r for r in SourceRecord.objects.all()}
    assert records["A1"].child_id == records["B1"].child_id
    item = ReviewItem.objects.get(reason=ReviewItem.Reason.TWINS)
    assert (item.record_a, item.record_b) == (records["A2"], records["B1"])
    return records, item


@pytest.fixture
def two_pairs_of_twins(send, community):
    """Ava and Mia at the school and at the club, each linked across."""
    send(
        community.district,
        "A1,,Ava,Okafor,2016-06-01,F,40 Oak Ave,60602",
        "A2,,Mia,Okafor,2016-06-01,F,40 Oak Ave,60602",
    )
    send(
        community.club,
        "B1,,Ava,Okafor,2016-06-01,F,40 Oak Avenue,60602",
        "B2,,Mia,Okafor,2016-06-01,F,40 Oak Avenue,60602",
    )
    records = {r.local_id: r for r in SourceRecord.objects.all()}
    assert records["A1"].child_id == records["B1"].child_id
    assert records["A2"].child_id == records["B2"].child_id
    return records
