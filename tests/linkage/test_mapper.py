"""First-stage mapping: same name and birth date elsewhere, same child."""

import datetime

import pytest

from braid.children.models import LinkRule, SourceRecord
from braid.intake import services
from tests.intake.rosters import roster

DAY = datetime.date(2026, 9, 1)


@pytest.fixture
def send(community, people):
    def send(org, *rows: str):
        staff = (
            people.district_staff if org == community.district else people.club_staff
        )
        program = (
            community.district_roll
            if org == community.district
            else community.club_program
        )
        outcome = services.import_roster(
            user=staff,
            organization=org,
            program=program,
            filename="r.csv",
            content=roster(*rows),
            as_of=DAY,
        )
        assert outcome.committed, outcome.preview.errors
        return outcome

    return send


def child_of(org, local_id):
    return SourceRecord.objects.get(organization=org, local_id=local_id).child_id


def test_the_same_name_and_birth_date_in_another_organization_is_the_same_child(
    send, community
):
    send(community.district, "D1,Liam,O'Neil,2016-01-05,M,4")
    send(community.club, "C9,Liam,O’Neil,2016-01-05,M,")

    assert child_of(community.district, "D1") == child_of(community.club, "C9")
    record = SourceRecord.objects.get(organization=community.club)
    assert record.link_rule == LinkRule.EXACT_NAME_DOB
    assert record.linked_by is None
    assert record.linked_at is not None


def test_names_meet_whatever_their_case_apostrophe_and_spacing(send, community):
    send(community.district, "D1,Liam,O'Neil,2016-01-05,M,4")
    send(community.club, "C9,  LIAM ,o neil,2016-01-05,M,")

    assert child_of(community.district, "D1") == child_of(community.club, "C9")


def test_twins_with_different_first_names_are_two_children(send, community):
    send(
        community.district,
        "D1,Ava,Okafor,2015-03-07,F,5",
        "D2,Mia,Okafor,2015-03-07,F,5",
    )
    send(community.club, "C1,Ava,Okafor,2015-03-07,F,", "C2,Mia,Okafor,2015-03-07,F,")

    assert child_of(community.district, "D1") != child_of(community.district, "D2")
    assert child_of(community.club, "C1") == child_of(community.district, "D1")
    assert child_of(community.club, "C2") == child_of(community.district, "D2")


def test_a_different_birth_date_is_a_different_child(send, community):
    send(community.district, "D1,Lily,Park,2015-03-07,F,5")
    send(community.club, "C1,Lily,Park,2015-07-03,F,")

    assert child_of(community.district, "D1") != child_of(community.club, "C1")


def test_two_records_of_one_organization_are_never_merged(send, community):
    send(
        community.district,
        "D1,Noah,Kim,2015-03-07,M,5",
        "D2,Noah,Kim,2015-03-07,M,5",
    )

    assert child_of(community.district, "D1") != child_of(community.district, "D2")


def test_a_match_with_two_children_elsewhere_is_not_guessed(send, community):
    send(
        community.district,
        "D1,Noah,Kim,2015-03-07,M,5",
        "D2,Noah,Kim,2015-03-07,M,5",
    )
    send(community.club, "C1,Noah,Kim,2015-03-07,M,")

    club_child = child_of(community.club, "C1")
    assert club_child not in {
        child_of(community.district, "D1"),
        child_of(community.district, "D2"),
    }
