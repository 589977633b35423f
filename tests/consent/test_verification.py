"""A consent its own recipient recorded counts for it once the steward checks.

Staff of an organization holding a record of a child could otherwise add a
guardian of any name and a "paper" consent naming their own organization,
and so let themselves into another organization's records of the child.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from braid.access.decision import ask, decide
from braid.agreements.models import Level
from braid.consent import services
from braid.consent.evaluation import load_facts
from braid.consent.models import ConsentVerification
from braid.consent.services import ConsentRefused
from tests.access.builders import agreement
from tests.consent.conftest import close_quietly, upload
from tests.factories import MembershipFactory, SourceRecordFactory


@pytest.fixture
def club_record(community, child):
    return SourceRecordFactory(organization=community.club, child=child)


@pytest.fixture
def shared(community, people):
    """An active agreement: the district's records to the club, by consent."""
    return agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
    )


@pytest.fixture
def clubs_own(club_record, terms, people, community):
    """A paper consent the club's staff recorded, naming the club."""
    guardian = services.add_guardian(
        club_record.child, "Any Name", "", "", "", people.club_staff
    )
    return services.give_consent(
        **terms(
            guardian=guardian,
            recipients=[community.club],
            recipient_kinds=[],
            purposes=["service-coordination"],
            user=people.club_staff,
        )
    )


def district_attendance(people, child, at=None):
    record = child.source_records.get(organization__slug="district")
    question = ask("service-coordination", "attendance", Level.IDENTIFIABLE, at)
    return decide(people.club_staff, record, question)


class TestTheDecisionPoint:
    def test_the_recipients_own_consent_does_not_let_it_in(
        self, people, child, shared, clubs_own
    ):
        answer = district_attendance(people, child)

        assert not answer
        assert (
            f"consent {clubs_own.pk} was recorded by Youth Club itself and the "
            "steward has not verified it yet"
        ) in answer.reasons[0]

    def test_once_the_steward_verifies_it_it_counts(
        self, people, child, shared, clubs_own
    ):
        services.verify(clubs_own, people.steward, "Signature matches.")

        answer = district_attendance(people, child)

        assert answer and answer.consent_id == clubs_own.pk

    def test_a_consent_another_organization_recorded_counts_at_once(
        self, people, child, shared, club_record, terms, community
    ):
        given = services.give_consent(
            **terms(
                recipients=[community.club],
                recipient_kinds=[],
                purposes=["service-coordination"],
            )
        )

        assert given.organization == community.district
        assert district_attendance(people, child).consent_id == given.pk

    def test_a_consent_the_steward_recorded_counts_at_once(
        self, people, child, shared, club_record, terms, community
    ):
        given = services.give_consent(
            **terms(
                recipients=[community.club],
                recipient_kinds=[],
                purposes=["service-coordination"],
                user=people.steward,
            )
        )

        assert given.organization == community.backbone
        assert district_attendance(people, child).consent_id == given.pk

    def test_the_facts_load_in_a_fixed_number_of_queries(
        self, people, community, terms, clubs_own, child
    ):
        services.verify(clubs_own, people.steward)
        with CaptureQueriesContext(connection) as one:
            load_facts([child.pk])
        others = [SourceRecordFactory(organization=community.district).child]
        others.append(SourceRecordFactory(organization=community.district).child)
        for other in others:
            guardian = services.add_guardian(other, "B", "", "", "", people.steward)
            made = services.give_consent(
                **terms(child=other, guardian=guardian, user=people.steward)
            )
            services.verify(made, people.steward)

        with CaptureQueriesContext(connection) as three:
            facts = load_facts([child.pk, *(other.pk for other in others)])

        assert len(three) == len(one)
        assert all(found[0].verified_at is not None for found in facts.values())


class TestRecordingTheOrganization:
    def test_someone_acting_for_several_organizations_says_which(
        self, people, terms, community, club_record
    ):
        both = people.club_staff
        MembershipFactory(user=both, organization=community.district, role="staff")

        with pytest.raises(ConsentRefused) as caught:
            services.give_consent(**terms(user=both))
        assert [e.code for e in caught.value.error_list] == ["organization"]

        given = services.give_consent(
            **terms(user=both, organization=community.district)
        )
        assert given.organization == community.district

    def test_an_organization_the_user_does_not_act_for_is_refused(
        self, terms, community
    ):
        with pytest.raises(ConsentRefused) as caught:
            services.give_consent(**terms(organization=community.club))
        assert "on behalf of Youth Club" in str(caught.value)

    def test_a_guardians_own_electronic_consent_has_no_recording_organization(
        self, terms, child, people
    ):
        own = services.add_guardian(
            child, "Sam", "", "", "", people.district_staff, account=people.parent
        )
        given = services.give_consent(
            **terms(guardian=own, method="electronic", scan=None, user=people.parent)
        )
        assert given.organization is None


class TestVerifying:
    def test_only_the_steward_verifies(self, people, consent):
        for who in ("district_staff", "club_staff", "evaluator"):
            with pytest.raises(PermissionDenied):
                services.verify(consent, getattr(people, who))
        assert not ConsentVerification.objects.exists()

    def test_a_consent_is_verified_once_and_never_changed(self, people, consent):
        verification = services.verify(consent, people.steward, "Matches.")

        with pytest.raises(ValidationError, match="already verified"):
            services.verify(consent, people.steward)
        with pytest.raises(ValidationError, match="never changes"):
            verification.save()
        with pytest.raises(ValidationError, match="never deleted"):
            verification.delete()

    def test_a_consent_without_a_scan_cannot_be_verified(self, people, terms, child):
        own = services.add_guardian(
            child, "Sam", "", "", "", people.district_staff, account=people.parent
        )
        given = services.give_consent(
            **terms(guardian=own, method="electronic", scan=None, user=people.parent)
        )
        with pytest.raises(ValidationError, match="no scan"):
            services.verify(given, people.steward)


class TestTheVerifyPage:
    def test_the_steward_opens_the_scan_and_verifies(
        self, client, people, child, clubs_own
    ):
        client.force_login(people.steward)
        page = client.get(reverse("consent:child", args=[child.public_id]))
        url = reverse("consent:verify", args=[clubs_own.pk])
        assert url in page.content.decode()
        assert "only once the steward verifies it" in page.content.decode()

        scan = client.get(reverse("consent:scan", args=[clubs_own.pk]))
        assert scan.status_code == 200
        close_quietly(scan)
        response = client.post(url, {"note": "Signature and date match."})

        assert response.status_code == 302
        assert clubs_own.verification.verified_by == people.steward
        page = client.get(reverse("consent:child", args=[child.public_id]))
        assert "Verified against the scan by the steward" in page.content.decode()
        assert url not in page.content.decode()

    def test_the_recorder_cannot_verify_its_own(self, client, people, clubs_own, quiet):
        client.force_login(people.club_staff)
        url = reverse("consent:verify", args=[clubs_own.pk])

        assert client.post(url, {"note": "Fine."}).status_code == 403
        assert quiet.take() == [f"django.request: Forbidden (Permission denied): {url}"]
        assert not ConsentVerification.objects.exists()


def test_a_forged_scan_is_no_key_without_the_steward(
    client, people, child, club_record, shared, version
):
    """The adversary's path, through the pages: add anyone, enter a "scan"."""
    client.force_login(people.club_staff)
    client.post(
        reverse("consent:guardian_add", args=[child.public_id]), {"name": "Anyone"}
    )
    guardian = child.guardians.get()
    today = timezone.localdate()
    response = client.post(
        reverse("consent:add", args=[child.public_id]),
        {
            "form_version": version.pk,
            "signed_by": f"guardian-{guardian.pk}",
            "signed_on": today.isoformat(),
            "decision": "permit",
            "recipients": [club_record.organization_id],
            "purposes": ["service-coordination"],
            "categories": ["attendance"],
            "valid_from": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "method": "paper",
            "scan": upload(b"%PDF-1.4"),
        },
    )

    assert response.status_code == 302
    assert not district_attendance(people, child)
