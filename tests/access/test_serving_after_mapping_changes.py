"""An organization reads another's records only of the children it serves,
as the mapping stands now.

The district shares with the club under an agreement, and the district has
recorded the parent's consent and the guardian from its own record. When the
steward splits the club's record off the child, the consent and the guardian
stay with the district's record, as they should; the club, holding no record
of that child any more, reads none of the district's.
"""

import csv
import io

import pytest
from django.urls import reverse

from braid.access.decision import ask, decide
from braid.access.models import Disclosure
from braid.children.models import Child, SourceRecord
from braid.community.models import Membership
from braid.consent.models import Consent, Guardian
from braid.linkage import decisions
from tests.access.builders import agreement, consent, guardian
from tests.factories import ChildFactory, EnrollmentFactory, SourceRecordFactory

ADDRESS = "12 Heron Lane"
PHONE = "555-0100"


@pytest.fixture
def child(community):
    return ChildFactory()


@pytest.fixture
def district_record(community, child):
    return district_record_of(child, community)


def district_record_of(child, community) -> SourceRecord:
    return SourceRecordFactory(
        organization=community.district,
        child=child,
        first_name="Amaru",
        last_name="Quispe",
        address=ADDRESS,
        guardian_phone=PHONE,
    )


@pytest.fixture
def club_record(community, child):
    return SourceRecordFactory(
        organization=community.club, child=child, first_name="Amaru"
    )


@pytest.fixture
def shared(community, people, district_record):
    """The agreement, and the district's consent and guardian for the child."""
    return share(district_record.child, community, people)


def share(child, community, people):
    made = agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club, community.backbone],
    )
    named = guardian(child, organization=community.district)
    consent(
        child, by=people.district_staff, guardian=named, organization=community.district
    )
    return made


@pytest.fixture(params=["club_staff", "club_admin"])
def reader(request, people, admins):
    """The club's staff member, or its admin: the rule is the club's."""
    if request.param == "club_staff":
        return people.club_staff
    return admins.club


def opened(client, user, child: Child):
    client.force_login(user)
    return client.get(reverse("children:detail", args=[child.public_id]))


def now_of(record: SourceRecord) -> Child:
    record.refresh_from_db()
    return record.child


def reads_the_district(response) -> bool:
    text = response.content.decode()
    return ADDRESS in text or PHONE in text or "Riverbend Schools" in text


def test_the_club_reads_the_districts_record_of_a_child_it_serves(
    client, reader, district_record, club_record, shared
):
    response = opened(client, reader, district_record.child)

    assert response.status_code == 200
    assert reads_the_district(response)
    assert Disclosure.objects.count() == 1


def test_a_split_that_takes_the_clubs_record_away_ends_its_access(
    client, people, reader, district_record, club_record, shared, quiet
):
    child = district_record.child
    opened(client, reader, child)

    decisions.split(child, [club_record], people.steward)

    # The district's consent and guardian stay with the district's record.
    assert now_of(district_record) == child
    assert Consent.objects.get().child == child
    assert Guardian.objects.get().child == child
    response = opened(client, reader, child)
    assert response.status_code == 403
    assert not reads_the_district(response)
    assert Disclosure.objects.count() == 1
    assert quiet.take() == [f"django.request: Forbidden: /children/{child.public_id}/"]
    # The club's own record, now a child of its own, shows nothing of the
    # district's and discloses nothing.
    own = opened(client, reader, now_of(club_record))
    assert own.status_code == 200
    assert not reads_the_district(own)
    assert Disclosure.objects.count() == 1


def test_the_decision_says_why(people, community, district_record, club_record, shared):
    decisions.split(district_record.child, [club_record], people.steward)
    record = SourceRecord.objects.select_related("organization").get(
        pk=district_record.pk
    )

    answer = decide(
        people.club_staff,
        record,
        ask("service-coordination", "demographics", "identifiable"),
    )

    assert not answer
    assert answer.reasons == (
        "Youth Club holds no record of this child, and reads other "
        "organizations' identifiable records only of the children it serves.",
    )


def test_undoing_the_split_gives_it_back(
    client, people, reader, district_record, club_record, shared
):
    event = decisions.split(district_record.child, [club_record], people.steward)

    decisions.undo(event, people.steward)

    assert now_of(club_record) == district_record.child
    assert reads_the_district(opened(client, reader, district_record.child))


def test_an_export_after_the_split_leaves_the_childs_district_record_out(
    client, people, district_record, club_record, shared
):
    decisions.split(district_record.child, [club_record], people.steward)
    client.force_login(people.club_staff)

    response = client.post(
        reverse("children:export"),
        {
            "purpose": "service-coordination",
            "level": "identifiable",
            "categories": ["demographics"],
        },
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))[1:]
    assert [row[1] for row in rows] == ["club"]
    assert ADDRESS not in response.content.decode()
    assert Disclosure.objects.count() == 0


def test_a_split_that_revives_the_clubs_merged_child_ends_its_access(
    client, community, people, district_record, shared, quiet
):
    child = district_record.child
    club_child = SourceRecordFactory(organization=community.club).child
    decisions.merge(child, club_child, people.steward)
    assert reads_the_district(opened(client, people.club_staff, child))

    club_record = SourceRecord.objects.get(organization=community.club)
    decisions.split(child, [club_record], people.steward)

    assert now_of(club_record) == club_child
    assert not reads_the_district(opened(client, people.club_staff, child))
    assert not reads_the_district(opened(client, people.club_staff, club_child))
    quiet.take()


def test_a_consent_on_a_merged_child_opens_nothing_once_the_club_leaves(
    client, community, people, quiet
):
    # The club's child is the older: the district's record, with its consent,
    # comes in by a merge and goes back out by the split.
    club_record = SourceRecordFactory(organization=community.club)
    district_child = district_record_of(ChildFactory(), community).child
    share(district_child, community, people)
    decisions.merge(club_record.child, district_child, people.steward)
    assert reads_the_district(opened(client, people.club_staff, club_record.child))

    decisions.split(
        club_record.child,
        SourceRecord.objects.filter(organization=community.district),
        people.steward,
    )

    assert Child.objects.get(pk=district_child.pk).merged_into_id is None
    assert not reads_the_district(opened(client, people.club_staff, district_child))
    assert not reads_the_district(opened(client, people.club_staff, club_record.child))
    quiet.take()


def test_program_staff_lose_it_with_the_enrollment_that_left(
    client, community, people, district_record, club_record, shared, quiet
):
    EnrollmentFactory(
        organization=community.club,
        source_record=club_record,
        program=community.club_program,
    )
    Membership.objects.get(user=people.club_staff).programs.set(
        [community.club_program]
    )
    assert reads_the_district(opened(client, people.club_staff, club_record.child))

    decisions.split(district_record.child, [club_record], people.steward)
    people.club_staff.__dict__.pop("_braid_memberships", None)

    assert not reads_the_district(
        opened(client, people.club_staff, district_record.child)
    )
    quiet.take()


def test_the_backbone_which_serves_no_child_reads_on_agreement_and_consent(
    client, people, district_record, club_record, shared
):
    decisions.split(district_record.child, [club_record], people.steward)

    response = opened(client, people.steward, district_record.child)

    assert reads_the_district(response)
    entry = Disclosure.objects.get()
    assert entry.user_id == people.steward.pk
