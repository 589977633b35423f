"""A consent never changes: it is re-signed, revoked, or ended by its event."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from braid.consent import services
from braid.consent.models import Consent, ConsentEvent, EventKind
from braid.consent.services import ConsentRefused
from braid.consent.status import Status, status
from tests.consent.conftest import upload
from tests.factories import UserFactory


def reloaded(consent: Consent) -> Consent:
    return Consent.objects.get(pk=consent.pk)


class TestImmutability:
    def test_saving_a_recorded_consent_again_is_refused(self, consent):
        consent.categories = ["assessments"]

        with pytest.raises(ValidationError, match="never changes"):
            consent.save()
        assert reloaded(consent).categories == ["attendance"]

    def test_deleting_a_consent_is_refused(self, consent):
        with pytest.raises(ValidationError, match="never deleted"):
            consent.delete()
        assert Consent.objects.filter(pk=consent.pk).exists()


class TestResigning:
    def test_a_new_consent_supersedes_the_old_which_stays_as_it_was(
        self, consent, terms
    ):
        before = Consent.objects.filter(pk=consent.pk).values().get()
        starts = timezone.now()
        parts = terms(categories=["attendance", "assessments"], valid_from=starts)
        del parts["child"]

        newer = services.resign(consent, **parts)

        assert newer.supersedes == consent and newer.version == 2
        assert Consent.objects.filter(pk=consent.pk).values().get() == before
        old = reloaded(consent)
        assert status(old, starts - timedelta(seconds=1)) == Status.IN_FORCE
        assert status(old, starts) == Status.SUPERSEDED
        assert status(newer, starts) == Status.IN_FORCE

    def test_a_consent_already_superseded_is_not_resigned_again(self, consent, terms):
        parts = terms()
        del parts["child"]
        services.resign(consent, **parts)

        with pytest.raises(ConsentRefused, match="already superseded") as caught:
            services.resign(reloaded(consent), **{**parts, "scan": upload()})
        assert caught.value.error_list[0].code == "supersedes"

    def test_a_resigned_consent_still_needs_every_part(self, consent, terms):
        parts = terms(purposes=[], scan=None)
        del parts["child"]

        with pytest.raises(ConsentRefused) as caught:
            services.resign(consent, **parts)
        assert [e.code for e in caught.value.error_list] == ["purposes", "scan"]
        assert not Consent.objects.filter(supersedes=consent).exists()


class TestRevoking:
    def test_a_revocation_takes_effect_from_its_moment(self, consent, people):
        at = timezone.now()

        event = services.revoke(consent, at, people.district_staff, "letter")

        assert (
            event.kind == EventKind.REVOKED
            and event.recorded_by == people.district_staff
        )
        consent = reloaded(consent)
        assert status(consent, at - timedelta(minutes=1)) == Status.IN_FORCE
        assert status(consent, at) == Status.REVOKED
        assert consent.categories == ["attendance"]

    def test_a_consent_is_not_revoked_twice(self, consent, people):
        services.revoke(consent, timezone.now(), people.district_staff)

        with pytest.raises(ValidationError, match="already revoked"):
            services.revoke(consent, timezone.now(), people.steward)
        assert ConsentEvent.objects.count() == 1

    def test_a_revocation_cannot_reach_back_before_the_signature(self, consent, people):
        with pytest.raises(ValidationError, match="before it was signed"):
            services.revoke(
                consent, consent.signed_at - timedelta(days=1), people.district_staff
            )

    def test_staff_without_the_childs_record_cannot_revoke(self, consent, people):
        with pytest.raises(PermissionDenied):
            services.revoke(consent, timezone.now(), people.club_staff)

    def test_a_guardian_revokes_through_their_own_account(self, terms, child, people):
        account = UserFactory(username="guardian-account")
        own = services.add_guardian(
            child, "Sam Example", "", "", "", people.district_staff, account=account
        )
        consent = services.give_consent(
            **terms(guardian=own, method="electronic", scan=None, user=account)
        )

        event = services.revoke(consent, timezone.now(), account, "in the portal")

        assert event.recorded_by == account

    def test_another_childs_guardian_cannot_revoke(self, consent, people):
        with pytest.raises(PermissionDenied):
            services.revoke(consent, timezone.now(), people.parent)


class TestTheEvent:
    @pytest.fixture
    def until_event(self, terms):
        return services.give_consent(
            **terms(valid_until=None, until_event="the end of the school year")
        )

    def test_recording_the_event_ends_the_consent_from_then_on(
        self, until_event, people
    ):
        at = timezone.now()

        services.record_event(until_event, at, people.district_staff, "June 5")

        consent = reloaded(until_event)
        assert status(consent, at - timedelta(seconds=1)) == Status.IN_FORCE
        assert status(consent, at) == Status.EVENT_OCCURRED

    def test_the_event_is_recorded_once(self, until_event, people):
        services.record_event(until_event, timezone.now(), people.district_staff)

        with pytest.raises(ValidationError, match="already recorded"):
            services.record_event(until_event, timezone.now(), people.district_staff)

    def test_a_consent_with_an_end_date_has_no_event(self, consent, people):
        with pytest.raises(ValidationError, match="not given until an event"):
            services.record_event(consent, timezone.now(), people.district_staff)


class TestStatus:
    def test_a_consent_is_not_in_force_before_it_starts_or_after_it_ends(self, terms):
        now = timezone.now()
        consent = services.give_consent(
            **terms(valid_from=now, valid_until=now + timedelta(days=30))
        )

        assert status(consent, now - timedelta(seconds=1)) == Status.NOT_YET
        assert status(consent, now) == Status.IN_FORCE
        assert status(consent, now + timedelta(days=30)) == Status.EXPIRED

    def test_what_ended_it_first_is_its_status(self, terms, people):
        now = timezone.now()
        consent = services.give_consent(**terms(valid_until=now + timedelta(days=30)))
        services.revoke(consent, now, people.district_staff)

        assert status(reloaded(consent), now + timedelta(days=60)) == Status.REVOKED


class TestMomentsStillToCome:
    """A revocation or event set in the future would leave the consent in
    force until then, and refuse the corrected one as a second."""

    def test_a_revocation_in_the_future_is_refused_and_the_right_one_accepted(
        self, consent, people
    ):
        later = timezone.make_aware(datetime(2099, 1, 1))

        with pytest.raises(ValidationError, match="still to come"):
            services.revoke(consent, later, people.district_staff)
        assert not ConsentEvent.objects.exists()

        services.revoke(consent, timezone.now(), people.district_staff)
        assert status(reloaded(consent), timezone.now()) == Status.REVOKED

    def test_a_clock_a_minute_ahead_is_tolerated(self, consent, people):
        ahead = timezone.now() + timedelta(minutes=1)

        assert services.revoke(consent, ahead, people.district_staff).at == ahead

    def test_an_event_in_the_future_is_refused(self, terms, people):
        until = services.give_consent(**terms(valid_until=None, until_event="June"))

        with pytest.raises(ValidationError, match="still to come"):
            services.record_event(
                until, timezone.now() + timedelta(hours=1), people.district_staff
            )
        assert not ConsentEvent.objects.exists()
