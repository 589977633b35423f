"""Sending small rosters through intake for the linkage tests."""

import datetime

import pytest

from braid.children.models import SourceRecord
from braid.intake import services
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


def child_of(org, local_id):
    return SourceRecord.objects.get(organization=org, local_id=local_id).child_id
