"""Every kind of person, agreement state, consent state and level.

For one child with a record from the school district, whom the after-school
club serves as well (it holds a record of the child), each person opens the
child's page and exports identifiable and de-identified data while the
district's agreement and the parent's consent are in each of their states.
The expected outcome comes from the rules written out plainly below, not
from the decision point; the test fails on any release the rules do not
allow, on any allowed release that is missing, and on any identifiable
release of another organization's record without its disclosure entry.
"""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from braid.access import release
from braid.access.models import Disclosure
from braid.agreements.models import Level
from braid.community.models import OrganizationKind, Role
from braid.community.services import add_member
from braid.consent.models import ConsentEvent
from tests.access.builders import agreement, consent, guardian
from tests.factories import (
    PASSWORD,
    ChildFactory,
    OrganizationFactory,
    SourceRecordFactory,
)

AGREEMENT_STATES = ["none", "draft", "active", "expired", "terminated"]
CONSENT_STATES = [
    "none",
    "active",
    "revoked",
    "expired",
    "superseded",
    "restricted-guardian",
    "turned-18",
]
PEOPLE = [
    "steward",
    "contributor-staff",
    "other-contributor-staff",
    "unserving-contributor-staff",
    "analyst",
    "evaluator",
    "funder",
    "outsider",
]
# What each kind of person is to the district's record: its own staff, a
# recipient that may read identifiable data, one that may read de-identified
# data only, or neither. A recipient that contributes records of children
# itself (the literacy program) but holds none of this child reads none of
# its identifiable data; the funder and the backbone contribute none.
OWN = {"contributor-staff"}
IDENTIFIABLE_RECIPIENTS = {"steward", "other-contributor-staff", "funder"}
# Staff whose organization holds a record of the child: its page opens for
# them on their own record, whatever they may read of the district's.
SERVING = {"contributor-staff", "other-contributor-staff"}
# The backbone receives de-identified data for program evaluation under an
# agreement of its own; an identifiable agreement grants nothing
# de-identified.
DEIDENTIFIED_RECIPIENTS = {"evaluator", "steward"}
NAME = "Wayra"


def expected(
    person: str,
    level: str,
    agreement_state: str,
    consent_state: str,
    category: str = "demographics",
) -> bool:
    if level == Level.DEIDENTIFIED:
        # A de-identified export leaves out the reader's own records.
        return agreement_state == "active" and person in DEIDENTIFIED_RECIPIENTS
    if person in OWN:
        return True
    if agreement_state != "active":
        return False
    # The superseding version permits attendance alone.
    consented = consent_state == "active" or (
        consent_state == "superseded" and category == "attendance"
    )
    return person in IDENTIFIABLE_RECIPIENTS and consented


@pytest.fixture
def literacy(community):
    """A program that contributes records of children, none of this one."""
    return OrganizationFactory(name="Open Book Literacy", slug="literacy")


@pytest.fixture
def users(community, people, literacy):
    funder_admin = add_member(
        username="funder-admin",
        organization=community.funder,
        role=Role.ORG_ADMIN,
        password=PASSWORD,
    )
    literacy_staff = add_member(
        username="literacy-staff",
        organization=literacy,
        role=Role.STAFF,
        password=PASSWORD,
    )
    return {
        "steward": people.steward,
        "contributor-staff": people.district_staff,
        "other-contributor-staff": people.club_staff,
        "unserving-contributor-staff": literacy_staff,
        "analyst": people.analyst,
        "evaluator": people.evaluator,
        "funder": funder_admin,
        "outsider": people.outsider,
    }


def set_up_agreement(state, community, people, literacy):
    if state == "none":
        return
    today = timezone.localdate()
    terms = {
        "draft": {"signed": False},
        "active": {},
        "expired": {"ends_on": today - timedelta(days=1)},
        "terminated": {"terminated_at": timezone.now() - timedelta(hours=1)},
    }[state]
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club, community.backbone, literacy],
        recipient_kinds=[OrganizationKind.FUNDER],
        purposes=["service-coordination", "program-evaluation"],
        level=Level.IDENTIFIABLE,
        starts_on=today - timedelta(days=400),
        **terms,
    )
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.backbone],
        purposes=["program-evaluation"],
        level=Level.DEIDENTIFIED,
        legal_basis="ferpa-audit",
        scope="Outcome evaluation",
        data_list="Year of birth, gender, grade",
        destruction_on=today + timedelta(days=900),
        starts_on=today - timedelta(days=400),
        **terms,
    )


def served(child, community):
    """Give the child a record from the club, which serves it too."""
    SourceRecordFactory(organization=community.club, child=child)


def set_up_consent(state, child, people):
    now = timezone.now()
    past = now - timedelta(days=30)
    by = people.district_staff
    if state == "none":
        return
    if state == "superseded":
        first = consent(child, by=by, valid_from=past, signed_at=past)
        consent(
            child,
            by=by,
            supersedes=first,
            categories=["attendance"],
            valid_from=now - timedelta(days=1),
            signed_at=now - timedelta(days=1),
        )
        return
    fields = {"valid_from": past, "signed_at": past}
    if state == "expired":
        fields["valid_until"] = now - timedelta(days=1)
    if state == "restricted-guardian":
        fields["guardian"] = guardian(child, restricted_at=now - timedelta(days=2))
    given = consent(child, by=by, **fields)
    if state == "revoked":
        ConsentEvent.objects.create(
            consent=given, kind="revoked", at=now - timedelta(days=1), recorded_by=by
        )


def born(consent_state):
    today = timezone.localdate()
    if consent_state == "turned-18":
        return date(today.year - 19, 1, 1)
    return date(today.year - 10, 1, 1)


def exported(client, level, purpose):
    response = client.post(
        reverse("children:export"),
        {"purpose": purpose, "level": level, "categories": ["demographics"]},
    )
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))[1:]


@pytest.mark.parametrize("consent_state", CONSENT_STATES)
@pytest.mark.parametrize("agreement_state", AGREEMENT_STATES)
def test_releases_follow_the_rules_and_each_is_recorded(
    client,
    community,
    people,
    users,
    literacy,
    agreement_state,
    consent_state,
    quiet,
):
    child = ChildFactory()
    SourceRecordFactory(
        organization=community.district,
        child=child,
        first_name=NAME,
        birth_date=born(consent_state),
    )
    served(child, community)
    set_up_agreement(agreement_state, community, people, literacy)
    set_up_consent(consent_state, child, people)
    case = (agreement_state, consent_state)

    for person in PEOPLE:
        client.force_login(users[person])
        shown = expected(person, Level.IDENTIFIABLE, *case)
        anything = any(
            expected(person, Level.IDENTIFIABLE, *case, category=category)
            for category in release.SHOWN
        )
        before = Disclosure.objects.filter(child=child).count()

        page = client.get(reverse("children:detail", args=[child.public_id]))
        assert (NAME in page.content.decode()) is shown, (person, case, "page")
        opens = anything or person in SERVING
        assert page.status_code == (200 if opens else 403), (person, case)
        after_page = Disclosure.objects.filter(child=child).count()
        recorded = anything and person not in OWN
        assert after_page - before == int(recorded), (person, case, "page record")
        recorded = shown and person not in OWN

        listed = client.get(reverse("children:list"))
        own_list = person in OWN
        assert (NAME in listed.content.decode()) is own_list, (person, case, "list")

        rows = exported(client, Level.IDENTIFIABLE, "service-coordination")
        district_rows = [r for r in rows if r[1] == "district"]
        assert bool(district_rows) is shown, (person, case, "export")
        if shown:
            assert district_rows[0][0] == child.public_id
            assert NAME in district_rows[0]
        after_export = Disclosure.objects.filter(child=child).count()
        assert after_export - after_page == int(recorded), (person, case, "export")

        rows = exported(client, Level.DEIDENTIFIED, "program-evaluation")
        district_rows = [r for r in rows if r[1] == "district"]
        wanted = expected(person, Level.DEIDENTIFIED, *case)
        assert bool(district_rows) is wanted, (person, case, "de-identified")
        assert all(NAME not in row for row in rows)
        assert Disclosure.objects.filter(child=child).count() == after_export

    refused = quiet.take()
    assert all(
        line.startswith("django.request: Forbidden") and "/children/" in line
        for line in refused
    ), refused


def test_every_entry_names_the_agreement_and_consent_that_allowed_it(
    client, community, people, users, literacy
):
    child = ChildFactory()
    SourceRecordFactory(organization=community.district, child=child, first_name=NAME)
    served(child, community)
    set_up_agreement("active", community, people, literacy)
    set_up_consent("active", child, people)

    for person in ("steward", "other-contributor-staff", "funder"):
        client.force_login(users[person])
        client.get(reverse("children:detail", args=[child.public_id]))

    entries = list(Disclosure.objects.order_by("sequence"))
    assert [e.user_id for e in entries] == [
        users[p].pk for p in ("steward", "other-contributor-staff", "funder")
    ]
    for entry in entries:
        assert entry.grounds and all(
            g["agreement"] and g["consent"] and g["consent_version"] == 1
            for g in entry.grounds
        )
