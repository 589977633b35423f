"""Random agreements, consents and requests: no identifiable release without
both grounds, ever.

Whatever the decision point allows from another organization's record must
stand on an agreement that is active, covers the recipient, the category,
the purpose and the level and is not withheld by the contributor; and, for
identifiable data, on a consent of the child that is in force at that
moment, given by someone with authority, whose root covers the request, with
no consent in force that plainly denies it, and, when the reader's
organization contributes records itself, on its holding a record of the
child. These checks are written out
here from the rules, independently of the decision point's code.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from braid.access.decision import ask, decide
from braid.agreements.models import (
    LEVEL_ORDER,
    Agreement,
    AgreementState,
    Level,
    Withholding,
)
from braid.children.models import SourceRecord
from braid.community.models import Role
from braid.community.services import add_member
from braid.consent.evaluation import adult_on
from braid.consent.models import Consent, ConsentEvent
from tests.access.builders import agreement, consent, guardian, moment
from tests.factories import PASSWORD, ChildFactory, SourceRecordFactory

NOW = moment(2025, 6, 2, 12)
CATEGORIES = ["demographics", "attendance", "assessments"]
PURPOSES = ["service-coordination", "program-evaluation"]
KINDS = ["community-program", "funder", "other"]
RECIPIENTS = ["club", "backbone", "funder", "clinic"]
PEOPLE = ["club_staff", "steward", "funder_admin", "evaluator", "analyst", "outsider"]

days = st.integers(min_value=-400, max_value=400)
maybe_days = st.none() | days


def mostly(usual, other):
    """Draw ``usual`` about three times in four, so that releases happen."""
    return st.one_of(st.just(usual), st.just(usual), st.just(usual), other)


past = st.integers(min_value=-400, max_value=-1)
rarely_days = mostly(None, days)


def subset(values):
    return st.lists(st.sampled_from(values), unique=True, max_size=len(values))


withholdings = st.fixed_dictionaries(
    {
        "category": st.sampled_from(["", *CATEGORIES]),
        "recipient": st.none() | st.sampled_from(RECIPIENTS),
        "start": days,
        "lift": maybe_days,
    }
)
agreements = st.fixed_dictionaries(
    {
        "contributors": st.lists(
            st.sampled_from(["district", "club"]), unique=True, min_size=1
        ),
        "recipients": mostly(["club", "backbone", "funder"], subset(RECIPIENTS)),
        "kinds": subset(KINDS),
        "categories": mostly(CATEGORIES, subset(CATEGORIES)),
        "purposes": mostly(PURPOSES, subset(PURPOSES)),
        "level": mostly(Level.IDENTIFIABLE, st.sampled_from(list(Level.values))),
        "signed": mostly(True, st.just(False)),
        "start": mostly(-30, days),
        "length": st.integers(min_value=1, max_value=800),
        "terminated": rarely_days,
        "withholdings": st.lists(withholdings, max_size=2),
    }
)
provisions = st.recursive(
    st.fixed_dictionaries(
        {
            "decision": st.sampled_from(["permit", "deny"]),
            "recipient_kinds": subset(KINDS),
            "purposes": subset(PURPOSES),
            "categories": subset(CATEGORIES),
        }
    ),
    lambda children: st.fixed_dictionaries(
        {
            "decision": st.sampled_from(["permit", "deny"]),
            "categories": subset(CATEGORIES),
            "provisions": st.lists(children, max_size=2),
        }
    ),
    max_leaves=4,
)
consents = st.fixed_dictionaries(
    {
        "signer": st.sampled_from(["guardian", "student"]),
        "decision": mostly("permit", st.just("deny")),
        "recipient_kinds": mostly([], subset(KINDS)),
        "purposes": mostly([], subset(PURPOSES)),
        "categories": mostly([], subset(CATEGORIES)),
        "provisions": st.lists(provisions, max_size=2),
        "start": mostly(-20, days),
        "until": rarely_days,
        "revoked": rarely_days,
        "restricted": rarely_days,
        "supersedes_previous": st.booleans(),
    }
)
scenarios = st.fixed_dictionaries(
    {
        "agreements": st.lists(agreements, min_size=1, max_size=3),
        "consents": st.lists(consents, min_size=1, max_size=3),
        "age": st.integers(min_value=5, max_value=20),
        "person": mostly("club_staff", st.sampled_from(PEOPLE)),
        "contributor": mostly("district", st.just("club")),
        # Whether the club holds a record of the child as well.
        "served": mostly(True, st.just(False)),
        "category": st.sampled_from(CATEGORIES),
        "purpose": st.sampled_from(PURPOSES),
        "level": mostly(Level.IDENTIFIABLE, st.just(Level.DEIDENTIFIED)),
    }
)


def when(offset):
    return None if offset is None else NOW + timedelta(days=offset)


def build(scenario, orgs, people):
    for terms in scenario["agreements"]:
        starts = NOW.date() + timedelta(days=terms["start"])
        made = agreement(
            by=people.steward,
            contributors=[orgs[name] for name in terms["contributors"]],
            recipients=[orgs[name] for name in terms["recipients"]],
            recipient_kinds=terms["kinds"],
            categories=terms["categories"],
            purposes=terms["purposes"],
            level=terms["level"],
            signed=terms["signed"],
            starts_on=starts,
            ends_on=starts + timedelta(days=terms["length"]),
            terminated_at=when(terms["terminated"]),
        )
        for held in terms["withholdings"]:
            Withholding.objects.create(
                agreement=made,
                contributor=orgs[terms["contributors"][0]],
                category=held["category"],
                recipient=orgs.get(held["recipient"] or ""),
                started_at=when(held["start"]),
                lifted_at=when(held["lift"]),
                started_by=people.steward,
            )

    child = ChildFactory()
    born = date(NOW.year - scenario["age"], 3, 1)
    record = SourceRecordFactory(
        organization=orgs[scenario["contributor"]], child=child, birth_date=born
    )
    if scenario["served"] and scenario["contributor"] != "club":
        SourceRecordFactory(organization=orgs["club"], child=child, birth_date=born)
    previous = None
    for terms in scenario["consents"]:
        fields = {
            key: terms[key]
            for key in (
                "signer",
                "decision",
                "recipient_kinds",
                "purposes",
                "categories",
                "provisions",
            )
        }
        start = when(terms["start"])
        if terms["signer"] == "guardian":
            fields["guardian"] = guardian(
                child, restricted_at=when(terms["restricted"])
            )
        successor_free = previous is not None and not hasattr(previous, "superseded_by")
        if terms["supersedes_previous"] and successor_free:
            fields["supersedes"] = previous
        given_ = consent(
            child,
            by=people.steward,
            valid_from=start,
            signed_at=start,
            valid_until=when(terms["until"]),
            **fields,
        )
        if terms["revoked"] is not None:
            ConsentEvent.objects.create(
                consent=given_,
                kind="revoked",
                at=when(terms["revoked"]),
                recorded_by=people.steward,
            )
        previous = given_
    return record


def agreement_grounds_hold(answer, record, reader, question):
    found = Agreement.objects.get(pk=answer.agreement_id)
    assert found.state(question.at) == AgreementState.ACTIVE
    assert record.organization in found.contributors.all()
    assert reader in found.recipients.all() or reader.kind in found.recipient_kinds
    assert question.category in found.categories
    assert question.purpose in found.purposes
    assert LEVEL_ORDER[Level(found.level)] >= LEVEL_ORDER[Level(question.level)]
    for held in found.withholdings.filter(contributor=record.organization):
        in_force = held.started_at <= question.at and (
            held.lifted_at is None or held.lifted_at > question.at
        )
        covers = held.category in ("", question.category) and held.recipient_id in (
            None,
            reader.pk,
        )
        assert not (in_force and covers)


def in_force(given_, record, at):
    if given_.valid_from > at:
        return False
    if given_.valid_until is not None and given_.valid_until <= at:
        return False
    if given_.events.filter(at__lte=at).exists():
        return False
    successor = Consent.objects.filter(supersedes=given_).first()
    if successor is not None and successor.valid_from <= at:
        return False
    if given_.signer == "guardian":
        restricted = given_.guardian.restricted_at
        if restricted is not None and restricted <= at:
            return False
        if at.date() >= adult_on(record.birth_date):
            return False
    return True


def root_covers(given_, reader, question):
    return (
        (not (given_.recipients or given_.recipient_kinds))
        or reader.pk in given_.recipients
        or reader.kind in given_.recipient_kinds
    ) and all(
        not values or wanted in values
        for values, wanted in (
            (given_.purposes, question.purpose),
            (given_.categories, question.category),
        )
    )


def served_grounds_hold(record, reader):
    if reader.contributes:
        assert SourceRecord.objects.filter(
            child=record.child, organization=reader
        ).exists()


def consent_grounds_hold(answer, record, reader, question):
    used = Consent.objects.get(pk=answer.consent_id)
    assert used.child_id == record.child_id
    # Its root may deny with a permitting exception; either way the root
    # must reach the request.
    assert in_force(used, record, question.at)
    assert root_covers(used, reader, question)
    for other in Consent.objects.filter(child=record.child):
        plainly_denies = (
            other.decision == "deny"
            and not other.provisions
            and in_force(other, record, question.at)
            and root_covers(other, reader, question)
        )
        assert not plainly_denies


@pytest.fixture
def orgs(community):
    return {
        "district": community.district,
        "club": community.club,
        "funder": community.funder,
        "backbone": community.backbone,
        "clinic": community.clinic,
    }


@pytest.fixture
def users(community, people):
    funder_admin = add_member(
        username="funder-admin",
        organization=community.funder,
        role=Role.ORG_ADMIN,
        password=PASSWORD,
    )
    return {
        "club_staff": people.club_staff,
        "steward": people.steward,
        "funder_admin": funder_admin,
        "evaluator": people.evaluator,
        "analyst": people.analyst,
        "outsider": people.outsider,
    }


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios)
def test_no_release_without_its_grounds(scenario, orgs, people, users):
    with transaction.atomic():
        record = build(scenario, orgs, people)
        user = users[scenario["person"]]
        user.__dict__.pop("_braid_memberships", None)
        question = ask(
            scenario["purpose"], scenario["category"], scenario["level"], NOW
        )
        record = SourceRecord.objects.select_related("organization").get(pk=record.pk)

        answer = decide(user, record, question)

        event(f"{'allowed' if answer else 'denied'} {question.level}")
        if answer and not answer.own:
            reader = next(
                m.organization
                for m in user.memberships.select_related("organization")
                if m.organization_id == answer.organization_id
            )
            assert reader != record.organization
            role = user.memberships.get(organization=reader).role
            assert role != Role.ANALYST
            if question.level == Level.IDENTIFIABLE:
                assert role != Role.EVALUATOR
            agreement_grounds_hold(answer, record, reader, question)
            if question.level == Level.IDENTIFIABLE:
                consent_grounds_hold(answer, record, reader, question)
                served_grounds_hold(record, reader)
            else:
                assert answer.consent_id is None
        if answer.own:
            assert user.memberships.filter(
                organization=record.organization,
                role__in=[Role.ORG_ADMIN, Role.STAFF, Role.EVALUATOR],
            ).exists()
        transaction.set_rollback(True)


@settings(max_examples=1, deadline=None, suppress_health_check=list(HealthCheck))
@given(scenario=scenarios)
def test_the_generator_can_reach_an_identifiable_release(scenario, orgs, people, users):
    """The property above is not vacuous: a generated case is released."""
    scenario = {
        **scenario,
        "agreements": [
            {
                "contributors": ["district"],
                "recipients": ["club"],
                "kinds": [],
                "categories": CATEGORIES,
                "purposes": PURPOSES,
                "level": Level.IDENTIFIABLE,
                "signed": True,
                "start": -10,
                "length": 100,
                "terminated": None,
                "withholdings": [],
            }
        ],
        "consents": [
            {
                "signer": "guardian",
                "decision": "permit",
                "recipient_kinds": [],
                "purposes": [],
                "categories": [],
                "provisions": [],
                "start": -5,
                "until": None,
                "revoked": None,
                "restricted": None,
                "supersedes_previous": False,
            }
        ],
        "age": 10,
        "contributor": "district",
        "served": True,
    }
    with transaction.atomic():
        record = build(scenario, orgs, people)
        question = ask("service-coordination", "attendance", Level.IDENTIFIABLE, NOW)
        assert decide(users["club_staff"], record, question)
        transaction.set_rollback(True)
