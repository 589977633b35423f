"""Consent evaluation: the provision tree, and consents side by side."""

from datetime import date, datetime

import pytest
from django.utils import timezone

from braid.consent.evaluation import ConsentFacts, Request, adult_on, evaluate
from braid.consent.models import Consent, Signer

CITY, FUNDER, DISTRICT = 11, 12, 13
BORN = date(2015, 3, 7)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def consent(pk: int = 1, signer: str = Signer.GUARDIAN, **fields: object) -> Consent:
    values: dict[str, object] = {
        "decision": "permit",
        "purposes": ["program-evaluation"],
        "categories": ["attendance", "assessments"],
        "valid_from": at(2024, 1, 1),
        "signed_at": at(2024, 1, 1),
        **fields,
    }
    return Consent(pk=pk, signer=signer, **values)


def ask(
    recipient: int = CITY,
    category: str = "attendance",
    purpose: str = "program-evaluation",
    when: datetime | None = None,
    kind: str = "city-service",
) -> Request:
    return Request(recipient, kind, purpose, category, when or at(2025, 6, 1))


def funder(category: str, when: datetime | None = None) -> Request:
    return ask(FUNDER, category, kind="funder", when=when)


GRADES_NOT_TO_FUNDER = [
    {"decision": "deny", "recipients": [FUNDER], "categories": ["assessments"]}
]


def test_a_nested_deny_carves_grades_for_the_funder_out_of_a_permit():
    facts = [ConsentFacts(consent(provisions=GRADES_NOT_TO_FUNDER))]

    assert not evaluate(facts, funder("assessments"), BORN)
    assert evaluate(facts, funder("attendance"), BORN)
    assert evaluate(facts, ask(CITY, "assessments"), BORN)


def test_a_nested_provision_without_a_decision_flips_its_parent():
    facts = [ConsentFacts(consent(provisions=[{"recipients": [FUNDER]}]))]

    assert not evaluate(facts, funder("attendance"), BORN)
    assert evaluate(facts, ask(CITY), BORN)


def test_an_exception_to_an_exception_flips_back():
    tree = [
        {
            "decision": "deny",
            "recipient_kinds": ["funder"],
            "provisions": [{"decision": "permit", "categories": ["attendance"]}],
        }
    ]
    facts = [ConsentFacts(consent(provisions=tree))]

    assert evaluate(facts, funder("attendance"), BORN)
    assert not evaluate(facts, funder("assessments"), BORN)


def test_sibling_provisions_are_or_ed_and_attributes_and_ed():
    tree = [
        {"decision": "deny", "recipients": [FUNDER], "categories": ["assessments"]},
        {"decision": "deny", "recipients": [DISTRICT]},
    ]
    facts = [ConsentFacts(consent(provisions=tree))]

    assert not evaluate(facts, ask(DISTRICT, kind="school-district"), BORN)
    assert not evaluate(facts, funder("assessments"), BORN)
    # Funder and attendance meets only one of the first provision's two
    # attributes: the provision does not apply.
    assert evaluate(facts, funder("attendance"), BORN)


def test_a_request_outside_the_root_is_denied_because_nothing_applies():
    facts = [ConsentFacts(consent())]

    verdict = evaluate(facts, ask(purpose="research-study"), BORN)

    assert not verdict
    assert "no consent in force covers" in verdict.reasons[0]


def test_no_consent_at_all_is_a_deny_that_says_so():
    verdict = evaluate([], ask(), BORN)

    assert not verdict
    assert verdict.reasons == ("no consent is on file for this child",)


def test_a_second_consent_that_denies_everything_beats_the_permit():
    deny_all = consent(pk=2, decision="deny", purposes=[], categories=[])
    facts = [ConsentFacts(consent()), ConsentFacts(deny_all)]

    for category in ("attendance", "assessments", "demographics"):
        for request in (ask(CITY, category), funder(category)):
            verdict = evaluate(facts, request, BORN)
            assert not verdict
            assert verdict.consent is deny_all


def test_version_two_narrows_the_categories_and_version_one_no_longer_applies():
    first = consent(pk=1)
    second = consent(
        pk=2, categories=["attendance"], valid_from=at(2025, 1, 1), supersedes=first
    )
    facts = [
        ConsentFacts(first, version=1, superseded_at=second.valid_from),
        ConsentFacts(second, version=2),
    ]

    assert not evaluate(facts, ask(category="assessments"), BORN)
    verdict = evaluate(facts, ask(category="attendance"), BORN)
    assert verdict.consent is second and verdict.consent_version == 2
    # Before version two took effect, version one still spoke.
    assert evaluate(facts, ask(category="assessments", when=at(2024, 6, 1)), BORN)


def test_a_revocation_takes_effect_from_its_moment_on():
    facts = [
        ConsentFacts(consent(), ended_at=at(2025, 6, 1, 10, 0), ended_by="revoked")
    ]

    assert evaluate(facts, ask(when=at(2025, 6, 1, 9, 59)), BORN)
    verdict = evaluate(facts, ask(when=at(2025, 6, 1, 10, 0)), BORN)
    assert not verdict
    assert "consent 1 was revoked" in verdict.reasons


def test_a_consent_expires_by_itself_and_starts_when_it_says():
    facts = [ConsentFacts(consent(valid_until=at(2025, 1, 1, 0, 0)))]

    assert evaluate(facts, ask(when=at(2024, 12, 31, 23, 59)), BORN)
    assert "consent 1 expired" in evaluate(facts, ask(), BORN).reasons
    assert not evaluate(facts, ask(when=at(2023, 12, 31)), BORN)


def test_a_consent_given_until_an_event_ends_when_it_is_recorded():
    facts = [
        ConsentFacts(
            consent(until_event="the end of the school year"),
            ended_at=at(2025, 5, 30),
            ended_by="event-occurred",
        )
    ]

    assert evaluate(facts, ask(when=at(2025, 5, 29)), BORN)
    assert not evaluate(facts, ask(when=at(2025, 5, 30, 13)), BORN)


def test_a_parents_consent_stops_on_the_18th_birthday_until_the_student_signs():
    born = date(2007, 12, 10)
    parents = ConsentFacts(consent(pk=1))

    assert evaluate([parents], ask(when=at(2025, 12, 9, 23, 59)), born)
    verdict = evaluate([parents], ask(when=at(2025, 12, 10, 0, 0)), born)
    assert not verdict
    assert "the student is 18" in verdict.reasons[1]

    students = ConsentFacts(
        consent(pk=2, signer=Signer.STUDENT, valid_from=at(2025, 12, 11))
    )
    assert not evaluate([parents, students], ask(when=at(2025, 12, 10, 15)), born)
    verdict = evaluate([parents, students], ask(when=at(2025, 12, 11, 13)), born)
    assert verdict and verdict.consent is students.consent


def test_a_leap_day_birthday_comes_of_age_on_the_first_of_march():
    assert adult_on(date(2008, 2, 29)) == date(2026, 3, 1)
    assert adult_on(date(2008, 3, 1)) == date(2026, 3, 1)


def test_without_a_date_of_birth_a_parents_consent_cannot_be_relied_on():
    verdict = evaluate([ConsentFacts(consent())], ask(), None)

    assert not verdict
    assert "date of birth is not known" in verdict.reasons[1]


def test_a_guardian_restricted_by_a_court_order_no_longer_consents():
    facts = [ConsentFacts(consent(), guardian_restricted_at=at(2025, 3, 1))]

    assert evaluate(facts, ask(when=at(2025, 2, 28)), BORN)
    verdict = evaluate(facts, ask(), BORN)
    assert not verdict
    assert "court order" in verdict.reasons[1]


def test_a_restricted_guardians_deny_counts_for_nothing_either():
    other_guardian = ConsentFacts(consent(pk=1))
    restricted_deny = ConsentFacts(
        consent(pk=2, decision="deny", categories=[], purposes=[]),
        guardian_restricted_at=at(2025, 1, 1),
    )

    assert evaluate([other_guardian, restricted_deny], ask(), BORN)


@pytest.mark.parametrize(
    ("node_recipients", "kinds", "allowed"),
    [([CITY], [], True), ([], ["city-service"], True), ([DISTRICT], ["funder"], False)],
)
def test_recipients_match_by_organization_or_by_class(node_recipients, kinds, allowed):
    facts = [ConsentFacts(consent(recipients=node_recipients, recipient_kinds=kinds))]

    assert bool(evaluate(facts, ask(CITY), BORN)) is allowed


class TestAConsentItsRecipientRecorded:
    """An organization cannot, alone, vouch for a consent that lets it in."""

    def recorded_by_city(self, **changes: object) -> ConsentFacts:
        return ConsentFacts(
            consent(recipients=[CITY, FUNDER]),
            recorder_id=CITY,
            recorder_name="City Youth Services",
            **changes,  # type: ignore[arg-type]
        )

    def test_it_does_not_count_for_the_recorder_until_the_steward_verifies_it(self):
        verdict = evaluate([self.recorded_by_city()], ask(CITY), BORN)

        assert not verdict
        assert (
            "consent 1 was recorded by City Youth Services itself and the steward "
            "has not verified it yet"
        ) in verdict.reasons

    def test_it_counts_for_another_recipient_at_once(self):
        assert evaluate([self.recorded_by_city()], funder("attendance"), BORN)

    def test_it_counts_for_the_recorder_from_the_moment_it_is_verified(self):
        facts = [self.recorded_by_city(verified_at=at(2025, 6, 1, 10, 0))]

        assert not evaluate(facts, ask(CITY, when=at(2025, 6, 1, 9, 59)), BORN)
        verdict = evaluate(facts, ask(CITY, when=at(2025, 6, 1, 10, 0)), BORN)
        assert verdict and verdict.consent is facts[0].consent

    def test_its_refusal_counts_at_once_as_it_lets_no_one_in(self):
        other = ConsentFacts(consent(pk=1))
        own_deny = ConsentFacts(
            consent(pk=2, decision="deny", recipients=[CITY], categories=[]),
            recorder_id=CITY,
            recorder_name="City Youth Services",
        )

        verdict = evaluate([other, own_deny], ask(CITY), BORN)
        assert not verdict and verdict.consent is own_deny.consent
        assert evaluate([other, own_deny], funder("attendance"), BORN)

    def test_another_consent_still_lets_the_recorder_in(self):
        own = self.recorded_by_city()
        steward_verified = ConsentFacts(consent(pk=2, recipients=[CITY]))

        verdict = evaluate([own, steward_verified], ask(CITY), BORN)

        assert verdict and verdict.consent is steward_verified.consent

    def test_a_consent_with_no_recorder_to_doubt_counts_as_before(self):
        # The steward's, a guardian's own electronic one, or an old row.
        assert evaluate([ConsentFacts(consent(recipients=[CITY]))], ask(CITY), BORN)
