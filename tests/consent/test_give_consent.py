"""Recording a consent: every part it needs, and who may record it."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from braid.consent import services
from braid.consent.models import Consent
from braid.consent.services import ConsentRefused
from tests.consent.conftest import JPEG, PNG, upload
from tests.factories import SourceRecordFactory, UserFactory


def local(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def refusal(**parts) -> ConsentRefused:
    with pytest.raises(ConsentRefused) as caught:
        services.give_consent(**parts)
    return caught.value


def codes(error: ConsentRefused) -> list[str]:
    return [problem.code for problem in error.error_list]


def test_a_complete_paper_consent_is_recorded_with_its_scan(terms, people, child):
    consent = services.give_consent(**terms(scan=upload(name="maria-lopez.pdf")))

    consent.refresh_from_db()
    assert consent.child == child
    assert consent.entered_by == people.district_staff
    assert consent.version == 1
    # The stored name says nothing of who the form is about.
    assert re.fullmatch(r"consents/[0-9a-f]{32}\.pdf", consent.scan.name)
    with consent.scan.open("rb") as scan:
        assert scan.read().startswith(b"%PDF-")


MISSING = [
    ({"child": None}, "child", "The child is missing"),
    ({"form_version": None}, "form_version", "The form version is missing"),
    ({"signer": None}, "signer", "Who signed (a guardian or the student)"),
    ({"guardian": None}, "authority", "which guardian signed is missing"),
    (
        {"recipients": [], "recipient_kinds": []},
        "recipients",
        "The recipients (organizations or classes of organizations) are missing",
    ),
    ({"purposes": []}, "purposes", "The purposes are missing"),
    ({"categories": []}, "categories", "The records (categories) are missing"),
    ({"valid_from": None}, "period", "the moment the consent starts is missing"),
    (
        {"valid_until": None, "until_event": ""},
        "period",
        "an end date or the event it lasts until is missing",
    ),
    ({"signed_at": None}, "signed_at", "When the consent was signed is missing"),
    ({"method": None}, "method", "How the consent was signed"),
    ({"scan": None}, "scan", "The scan of the signed form is missing"),
    ({"user": None}, "entered_by", "Who recorded the consent is missing"),
]


@pytest.mark.parametrize(("change", "code", "words"), MISSING)
def test_a_consent_missing_a_part_is_refused_naming_it(terms, change, code, words):
    error = refusal(**terms(**change))

    assert codes(error) == [code]
    assert words in str(error)
    assert not Consent.objects.exists()


def test_a_consent_missing_several_parts_is_refused_naming_each(terms):
    error = refusal(
        **terms(
            form_version=None,
            signer=None,
            purposes=[],
            categories=[],
            valid_until=None,
            scan=None,
        )
    )

    assert codes(error) == [
        "form_version",
        "signer",
        "purposes",
        "categories",
        "period",
        "scan",
    ]
    for words in ["form version", "Who signed", "purposes", "records", "end date"]:
        assert words in str(error)


def test_a_consent_until_an_event_needs_no_end_date(terms):
    consent = services.give_consent(
        **terms(valid_until=None, until_event="the end of the school year")
    )

    assert consent.until_event == "the end of the school year"


def test_an_electronic_consent_is_signed_through_the_guardians_own_account(
    terms, guardian, child, people
):
    account = UserFactory(username="pat")
    own = services.add_guardian(
        child, "Sam Example", "father", "", "", people.district_staff, account=account
    )

    consent = services.give_consent(
        **terms(guardian=own, method="electronic", scan=None, user=account)
    )
    assert consent.method == "electronic" and not consent.scan

    # Signed in as one guardian, signing as the other:
    error = refusal(
        **terms(guardian=guardian, method="electronic", scan=None, user=account)
    )
    assert codes(error) == ["account"]
    assert "the guardian through their own account" in str(error)


def test_a_person_who_is_no_guardian_cannot_sign_electronically(terms, people):
    with pytest.raises(PermissionDenied):
        services.give_consent(
            **terms(method="electronic", scan=None, user=people.parent)
        )


@pytest.mark.parametrize("who", ["club_staff", "outsider", "analyst", "parent"])
def test_only_staff_holding_the_childs_record_or_the_steward_record(terms, people, who):
    with pytest.raises(PermissionDenied):
        services.give_consent(**terms(user=getattr(people, who)))

    assert services.give_consent(**terms(user=people.steward)).entered_by == (
        people.steward
    )


class TestWhatTheFormVersionStates:
    def test_categories_beyond_the_form_are_refused(self, terms, people, version):
        narrow = services.publish_form_version(
            form=version.form,
            title_en="Attendance only",
            title_es="Solo asistencia",
            text_en="Attendance.",
            text_es="Asistencia.",
            categories=["attendance"],
            purposes=["program-evaluation"],
            recipient_kinds=["city-service"],
            user=people.steward,
            at=timezone.now() - timedelta(days=30),
        )

        error = refusal(
            **terms(
                form_version=narrow,
                categories=["attendance", "assessments"],
                purposes=["service-coordination"],
                recipient_kinds=["funder"],
            )
        )

        assert codes(error) == ["recipients", "purposes", "categories"]
        # Each is named as the form names it, not by its code.
        assert "Assessments are not on form version 2" in str(error)
        assert "Service coordination are not on form version 2" in str(error)
        assert "Funder are not named on form version 2" in str(error)
        assert "service-coordination" not in str(error)

    def test_a_named_organization_counts_by_its_class(self, terms, community):
        consent = services.give_consent(
            **terms(recipients=[community.funder], recipient_kinds=[])
        )
        assert consent.recipients == [community.funder.pk]

    def test_an_unknown_organization_is_refused(self, terms):
        error = refusal(**terms(recipients=[987654]))
        assert "unknown organization" in str(error)


class TestExceptions:
    def test_a_nested_tree_of_exceptions_is_kept(self, terms, community):
        tree = [
            {
                "decision": "deny",
                "recipients": [community.funder.pk],
                "categories": ["assessments"],
                "provisions": [{"decision": "permit", "purposes": ["audit"]}],
            }
        ]
        assert services.give_consent(**terms(provisions=tree)).provisions == tree

    @pytest.mark.parametrize(
        ("tree", "words"),
        [
            ([{"decision": "maybe"}], "decision is permit or deny"),
            ([{"decision": "deny", "colour": ["red"]}], "unknown part colour"),
            ([{"decision": "deny", "categories": ["shoe-size"]}], "in categories"),
            ([{"provisions": [{"purposes": ["fun"]}]}], "in purposes"),
            ([{"recipients": ["city"]}], "organization ids"),
            ({"decision": "deny"}, "must be a list"),
        ],
    )
    def test_a_malformed_exception_is_refused(self, terms, tree, words):
        error = refusal(**terms(provisions=tree))

        assert codes(error) == ["provisions"]
        assert words in str(error)


def test_a_period_that_ends_before_it_starts_is_refused(terms):
    now = timezone.now()
    error = refusal(**terms(valid_from=now, valid_until=now - timedelta(days=1)))
    assert "it ends before it starts" in str(error)


def test_a_signature_still_to_come_is_refused(terms):
    error = refusal(**terms(signed_at=timezone.now() + timedelta(days=1)))
    assert codes(error) == ["signed_at"]


class TestTheStudentSigns:
    """From their 18th birthday the student consents for themselves."""

    @pytest.fixture
    def born_2007(self, child):
        child.source_records.update(birth_date=date(2007, 12, 10))
        return child

    def test_the_day_before_the_18th_birthday_the_student_is_refused(
        self, terms, born_2007
    ):
        error = refusal(
            **terms(signer="student", guardian=None, signed_at=local(2025, 12, 9, 23))
        )

        assert codes(error) == ["authority"]
        assert "not yet 18" in str(error)
        assert "2007" not in str(error)

    def test_on_the_18th_birthday_the_student_signs(self, terms, born_2007):
        consent = services.give_consent(
            **terms(signer="student", guardian=None, signed_at=local(2025, 12, 10))
        )
        assert consent.signer == "student" and consent.guardian is None

    def test_records_that_disagree_count_the_earliest_date_of_birth(
        self, terms, born_2007, community
    ):
        SourceRecordFactory(
            organization=community.club, child=born_2007, birth_date=date(2008, 6, 1)
        )
        consent = services.give_consent(
            **terms(signer="student", guardian=None, signed_at=local(2025, 12, 10))
        )
        assert consent.pk

    def test_without_a_known_date_of_birth_the_student_is_refused(self, terms, child):
        child.source_records.update(birth_date=None)

        error = refusal(**terms(signer="student", guardian=None))

        assert codes(error) == ["authority"]
        assert "date of birth is not known" in str(error)

    def test_a_student_names_no_guardian(self, terms, born_2007, guardian):
        error = refusal(**terms(signer="student", signed_at=local(2025, 12, 10)))
        assert "names no guardian" in str(error)


class TestTheGuardianSigns:
    def test_a_guardian_of_another_child_is_refused(self, terms, community, people):
        other = SourceRecordFactory(organization=community.district).child
        stranger = services.add_guardian(
            other, "Lee Example", "father", "", "", people.district_staff
        )

        error = refusal(**terms(guardian=stranger))

        assert codes(error) == ["authority"]
        assert f"guardian {stranger.pk} is not a guardian of this child" in str(error)

    def test_a_guardian_restricted_before_signing_is_refused(
        self, terms, guardian, people
    ):
        services.restrict_guardian(
            guardian, timezone.now() - timedelta(days=2), "Order 12-345", people.steward
        )

        error = refusal(**terms())

        assert codes(error) == ["authority"]
        assert "restricted by a court order" in str(error)
        assert "Pat" not in str(error)

    def test_a_consent_signed_before_a_later_restriction_is_recorded(
        self, terms, guardian, people
    ):
        services.restrict_guardian(
            guardian, timezone.now(), "Order 12-346", people.steward
        )
        signed = timezone.now() - timedelta(days=3)

        consent = services.give_consent(**terms(signed_at=signed, valid_from=signed))

        assert consent.guardian == guardian


class TestScans:
    def test_png_and_jpeg_scans_are_accepted(self, terms):
        png = services.give_consent(**terms(scan=upload(PNG, "scan.png")))
        jpeg = services.give_consent(**terms(scan=upload(JPEG, "scan.jpg")))

        assert png.scan.name.endswith(".png")
        assert jpeg.scan.name.endswith(".jpg")

    def test_a_file_that_only_claims_to_be_a_pdf_is_refused(self, terms):
        error = refusal(**terms(scan=upload(b"<html>not a scan</html>", "scan.pdf")))

        assert codes(error) == ["scan"]
        assert "must be a PDF, PNG or JPEG" in str(error)

    def test_a_scan_over_10_mb_is_refused(self, terms):
        big = upload(b"%PDF-" + b"0" * (services.SCAN_MAX_BYTES), "big.pdf")

        error = refusal(**terms(scan=big))

        assert "larger than 10 MB" in str(error)


class TestDatesInOrder:
    def test_a_signature_before_the_version_was_published_is_refused(
        self, terms, people, version
    ):
        second = services.publish_form_version(
            form=version.form,
            title_en="Sharing, revised",
            title_es="Compartir, revisado",
            text_en="Plain words.",
            text_es="Palabras sencillas.",
            categories=["attendance"],
            purposes=["program-evaluation"],
            recipient_kinds=["city-service"],
            user=people.steward,
        )

        error = refusal(
            **terms(
                form_version=second,
                signed_at=local(2024, 1, 1),
                valid_from=local(2024, 1, 1),
            )
        )

        assert codes(error) == ["signed_at"]
        assert "before form version 2 was published" in str(error)

    def test_a_signature_on_the_day_of_publication_is_recorded(
        self, terms, people, version
    ):
        second = services.publish_form_version(
            form=version.form,
            title_en="Sharing, revised",
            title_es="Compartir, revisado",
            text_en="Plain words.",
            text_es="Palabras sencillas.",
            categories=["attendance"],
            purposes=["program-evaluation"],
            recipient_kinds=["city-service"],
            user=people.steward,
        )
        today = local(*timezone.localdate().timetuple()[:3])

        consent = services.give_consent(
            **terms(form_version=second, signed_at=today, valid_from=today)
        )

        assert consent.form_version == second

    def test_a_period_that_starts_before_the_signature_is_refused(self, terms):
        now = timezone.now()

        error = refusal(
            **terms(
                signed_at=now - timedelta(days=1), valid_from=now - timedelta(days=30)
            )
        )

        assert codes(error) == ["period"]
        assert "starts before the consent was signed" in str(error)
