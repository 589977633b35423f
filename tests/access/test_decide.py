"""The decision point: scopes, agreements, withholdings and consent."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from braid.access.decision import ask, decide, decide_many, readable
from braid.agreements.models import Level, Withholding
from braid.children.models import SourceRecord
from braid.community.models import Membership
from tests.access.builders import agreement, consent, moment
from tests.factories import ChildFactory, EnrollmentFactory, SourceRecordFactory

NOW = moment(2025, 6, 2, 9)


def question(category="attendance", level=Level.IDENTIFIABLE, at=NOW, purpose=None):
    return ask(purpose or "service-coordination", category, level, at)


@pytest.fixture
def child(community):
    """A child the club serves too: it reads the district's records of the
    children it holds a record of, and of no others."""
    child = ChildFactory()
    SourceRecordFactory(organization=community.club, child=child)
    return child


@pytest.fixture
def district_record(community, child):
    record = SourceRecordFactory(organization=community.district, child=child)
    EnrollmentFactory(
        organization=community.district,
        source_record=record,
        program=community.district_roll,
    )
    return record


@pytest.fixture
def club_record(community, child):
    record = SourceRecordFactory(organization=community.club, child=child)
    EnrollmentFactory(
        organization=community.club,
        source_record=record,
        program=community.club_program,
    )
    return record


@pytest.fixture
def shared(community, people):
    """An active agreement: the district's records to the club."""
    return agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
    )


def test_staff_read_their_own_organizations_records_without_an_agreement(
    people, district_record
):
    answer = decide(people.district_staff, district_record, question())

    assert answer and answer.own
    assert answer.agreement_id is None


def test_another_organizations_record_needs_an_agreement(people, district_record):
    answer = decide(people.club_staff, district_record, question())

    assert not answer
    assert answer.reasons == (
        "No active agreement shares Riverbend Schools's records with Youth Club.",
    )


def test_identifiable_data_needs_consent_beside_the_agreement(
    people, district_record, shared
):
    answer = decide(people.club_staff, district_record, question())

    assert not answer
    assert "also needs the parent's consent" in answer.reasons[0]
    assert "no consent is on file for this child" in answer.reasons[0]


def test_agreement_and_consent_together_allow_it_and_name_their_grounds(
    people, district_record, shared
):
    given = consent(district_record.child, by=people.district_staff)

    answer = decide(people.club_staff, district_record, question())

    assert answer
    assert answer.agreement_id == shared.pk
    assert answer.consent_id == given.pk and answer.consent_version == 1
    assert answer.legal_basis == "consent"
    assert answer.grounds(district_record, "attendance")["contributor"] == (
        district_record.organization_id
    )


def test_de_identified_data_needs_the_agreement_but_not_consent(
    community, people, district_record
):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.backbone],
        level=Level.DEIDENTIFIED,
        purposes=["program-evaluation"],
        legal_basis="ferpa-audit",
    )
    wanted = question(level=Level.DEIDENTIFIED, purpose="program-evaluation")

    assert decide(people.evaluator, district_record, wanted)
    refused = decide(
        people.evaluator, district_record, question(purpose="program-evaluation")
    )
    assert not refused
    assert "may not read Identifiable child-level data" in refused.reasons[0]


def test_analysts_read_aggregates_only_whatever_an_agreement_says(
    community, people, district_record
):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.funder],
        level=Level.DEIDENTIFIED,
    )

    answer = decide(people.analyst, district_record, question(level=Level.DEIDENTIFIED))

    assert not answer
    assert "community reports (aggregates) only" in answer.reasons[0]


def test_the_steward_needs_the_same_grounds_as_anyone(
    community, people, district_record
):
    assert not decide(people.steward, district_record, question())

    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.backbone],
    )
    consent(district_record.child, by=people.district_staff)

    assert decide(people.steward, district_record, question())


@pytest.mark.parametrize(
    ("category", "purpose", "level", "expected"),
    [
        ("assessments", "service-coordination", "identifiable", "does not include"),
        ("attendance", "research-study", "identifiable", "is not for"),
        ("attendance", "service-coordination", "identifiable", "grants"),
    ],
)
def test_an_agreement_covers_only_its_categories_purposes_and_level(
    community, people, district_record, category, purpose, level, expected
):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
        categories=["attendance"],
        level=Level.DEIDENTIFIED if expected == "grants" else Level.IDENTIFIABLE,
    )
    consent(district_record.child, by=people.district_staff)

    answer = decide(
        people.club_staff, district_record, ask(purpose, category, level, NOW)
    )

    assert not answer
    assert expected in answer.reasons[0]


@pytest.mark.parametrize(
    "state",
    ["draft", "not-started", "expired", "destroyed", "terminated"],
)
def test_only_an_active_agreement_grants_anything(
    community, people, district_record, state
):
    terms = {
        "draft": {"signed": False},
        "not-started": {"starts_on": date(2025, 7, 1)},
        "expired": {"ends_on": date(2025, 6, 1)},
        "destroyed": {"destruction_on": date(2025, 6, 2)},
        "terminated": {"terminated_at": moment(2025, 6, 1)},
    }[state]
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
        **terms,
    )
    consent(district_record.child, by=people.district_staff)

    answer = decide(people.club_staff, district_record, question())

    assert not answer
    assert "No active agreement" in answer.reasons[0]


def test_a_class_of_recipients_covers_each_organization_of_that_kind(
    community, people, district_record
):
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipient_kinds=["community-program"],
    )
    consent(district_record.child, by=people.district_staff)

    assert decide(people.club_staff, district_record, question())


@pytest.mark.parametrize(
    ("withheld", "consented", "allowed"),
    [(True, True, False), (False, False, False), (False, True, True)],
)
def test_identifiable_release_needs_both_the_contributor_and_the_parent(
    community, people, district_record, shared, withheld, consented, allowed
):
    if withheld:
        Withholding.objects.create(
            agreement=shared,
            contributor=community.district,
            started_at=moment(2025, 6, 1),
            started_by=people.steward,
        )
    if consented:
        consent(district_record.child, by=people.district_staff)

    answer = decide(people.club_staff, district_record, question())

    assert bool(answer) is allowed
    if withheld:
        assert "has withheld this data from Youth Club" in answer.reasons[0]


def test_a_withholding_of_one_category_or_recipient_leaves_the_rest(
    community, people, district_record, shared
):
    consent(district_record.child, by=people.district_staff)
    Withholding.objects.create(
        agreement=shared,
        contributor=community.district,
        category="assessments",
        recipient=community.club,
        started_at=moment(2025, 6, 1),
        started_by=people.steward,
    )

    assert not decide(people.club_staff, district_record, question("assessments"))
    assert decide(people.club_staff, district_record, question("attendance"))


def test_a_lifted_withholding_no_longer_holds(
    community, people, district_record, shared
):
    consent(district_record.child, by=people.district_staff)
    Withholding.objects.create(
        agreement=shared,
        contributor=community.district,
        started_at=moment(2025, 5, 1),
        lifted_at=moment(2025, 6, 1),
        started_by=people.steward,
    )

    assert not decide(
        people.club_staff, district_record, question(at=moment(2025, 5, 2))
    )
    assert decide(people.club_staff, district_record, question())


def test_the_childs_18th_birthday_stops_a_parents_consent(
    community, people, child, shared
):
    record = SourceRecordFactory(
        organization=community.district, child=child, birth_date=date(2007, 12, 10)
    )
    consent(child, by=people.district_staff)

    assert decide(people.club_staff, record, question(at=moment(2025, 12, 9)))
    refused = decide(people.club_staff, record, question(at=moment(2025, 12, 10)))
    assert not refused
    assert "the student is 18" in refused.reasons[0]

    consent(
        child,
        by=people.district_staff,
        signer="student",
        valid_from=moment(2025, 12, 11),
    )
    assert decide(people.club_staff, record, question(at=moment(2025, 12, 11, 13)))


def test_disagreeing_records_count_the_child_18_on_the_earliest_birthday(
    community, people, child, shared
):
    record = SourceRecordFactory(
        organization=community.district, child=child, birth_date=date(2008, 1, 1)
    )
    SourceRecordFactory(
        organization=community.club, child=child, birth_date=date(2007, 12, 10)
    )
    consent(child, by=people.district_staff)

    assert not decide(people.club_staff, record, question(at=moment(2025, 12, 15)))


def test_a_merged_childs_consent_follows_to_the_survivor(
    community, people, district_record, shared
):
    merged = ChildFactory(
        merged_into=district_record.child, merged_at=moment(2025, 1, 1)
    )
    consent(merged, by=people.district_staff)

    assert decide(people.club_staff, district_record, question())


def test_staff_assigned_programs_read_only_their_programs_children(
    community, people, district_record
):
    other = SourceRecordFactory(organization=community.district)
    membership = Membership.objects.get(user=people.district_staff)
    membership.programs.set([community.district_roll])

    assert decide(people.district_staff, district_record, question())
    refused = decide(people.district_staff, other, question())
    assert not refused
    assert refused.reasons == (
        "This child is in none of your programs at Riverbend Schools.",
    )


def test_program_staff_read_other_organizations_records_only_of_their_children(
    community, people, district_record, club_record, shared
):
    stranger = SourceRecordFactory(organization=community.district)
    consent(district_record.child, by=people.district_staff)
    consent(stranger.child, by=people.district_staff)
    Membership.objects.get(user=people.club_staff).programs.set(
        [community.club_program]
    )

    assert decide(people.club_staff, district_record, question())
    assert not decide(people.club_staff, stranger, question())


def test_outsiders_and_anonymous_people_are_denied(people, district_record):
    from django.contrib.auth.models import AnonymousUser

    assert not decide(AnonymousUser(), district_record, question())
    assert not decide(people.parent, district_record, question())
    assert decide(people.parent, district_record, question()).reasons == (
        "You are not a member of any organization.",
    )


def test_aggregate_questions_go_to_the_reports(people, district_record):
    answer = decide(
        people.district_staff, district_record, question(level=Level.AGGREGATE)
    )

    assert not answer


def test_unknown_purposes_categories_and_levels_are_refused():
    with pytest.raises(ValueError, match="unknown purpose 'gossip'"):
        ask("gossip", "attendance", "identifiable")
    with pytest.raises(ValueError, match="unknown category"):
        ask("audit", "shoe-size", "identifiable")
    with pytest.raises(ValueError, match="unknown level"):
        ask("audit", "attendance", "everything")


def _records(community, people, how_many):
    records = []
    for _ in range(how_many):
        record = SourceRecordFactory(organization=community.district)
        SourceRecordFactory(organization=community.club, child=record.child)
        consent(record.child, by=people.district_staff)
        records.append(record)
    return records


def test_deciding_many_records_takes_a_fixed_number_of_queries(
    community, people, shared
):
    Membership.objects.get(user=people.club_staff).programs.set(
        [community.club_program]
    )
    few = _records(community, people, 3)
    many = _records(community, people, 30)
    counts = []
    for batch in (few, many):
        people.club_staff.__dict__.pop("_braid_memberships", None)
        records = list(
            SourceRecord.objects.filter(pk__in=[r.pk for r in batch]).select_related(
                "organization"
            )
        )
        with CaptureQueriesContext(connection) as queries:
            decide_many(people.club_staff, records, question())
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_readable_filters_a_queryset_to_what_may_be_read(community, people, shared):
    records = _records(community, people, 4)
    consented, refused = records[:2], records[2:]
    from braid.consent.models import ConsentEvent

    for record in refused:
        ConsentEvent.objects.create(
            consent=record.child.consents.get(),
            kind="revoked",
            at=moment(2025, 1, 1),
            recorded_by=people.district_staff,
        )

    allowed, answers = readable(
        people.club_staff,
        SourceRecord.objects.filter(organization=community.district),
        question(),
    )

    assert set(allowed.values_list("pk", flat=True)) == {r.pk for r in consented}
    assert set(answers) == {r.pk for r in consented}
