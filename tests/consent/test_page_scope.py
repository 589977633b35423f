"""What each organization sees of a child's consents and guardians.

The district and the club both hold a record of the child. Each sees, by
content, only the consents it recorded and the names of the guardians it
added; the steward sees every consent, with guardians by number.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from braid.consent import services
from braid.consent.models import ConsentEvent
from tests.factories import SourceRecordFactory


@pytest.fixture
def club_record(community, child):
    return SourceRecordFactory(organization=community.club, child=child)


@pytest.fixture
def districts(terms, people):
    """The district's consent, given until an event, revoked with a note."""
    consent = services.give_consent(
        **terms(valid_until=None, until_event="Graduation at Riverbend High")
    )
    services.revoke(consent, timezone.now(), people.district_staff, "Letter of May")
    return consent


def page(client, child) -> str:
    response = client.get(reverse("consent:child", args=[child.public_id]))
    assert response.status_code == 200
    return response.content.decode()


class TestAnotherOrganizationsConsents:
    def test_they_are_counted_not_shown(
        self, client, people, child, club_record, districts
    ):
        client.force_login(people.club_staff)

        shown = page(client, child)

        assert "1 consent recorded by another organization is not shown." in shown
        assert f"consent-{districts.pk}" not in shown
        for secret in ("Graduation", "Letter of May", "district-staff", "Pat"):
            assert secret not in shown

    def test_their_pages_and_scans_do_not_exist(
        self, client, people, club_record, districts, quiet
    ):
        client.force_login(people.club_staff)
        urls = [
            reverse(name, args=[districts.pk])
            for name in ("consent:scan", "consent:resign", "consent:revoke")
        ]

        for url in urls:
            assert client.get(url).status_code == 404
        assert quiet.take() == [f"django.request: Not Found: {url}" for url in urls]

    def test_they_cannot_be_revoked_or_re_signed_through_the_services(
        self, people, club_record, districts, terms
    ):
        parts = terms(user=people.club_staff)
        parts.pop("child")

        with pytest.raises(PermissionDenied):
            services.resign(districts, **parts)
        with pytest.raises(PermissionDenied):
            services.revoke(districts, timezone.now(), people.club_staff)
        assert ConsentEvent.objects.filter(consent=districts).count() == 1

    def test_the_recorder_sees_its_own_in_full(self, client, people, child, districts):
        client.force_login(people.district_staff)

        shown = page(client, child)

        assert "Graduation at Riverbend High" in shown
        assert "Letter of May" in shown
        assert "Pat Example (mother)" in shown
        assert "not shown" not in shown
        assert reverse("consent:scan", args=[districts.pk]) in shown

    def test_the_steward_sees_every_consent_with_guardians_by_number(
        self, client, people, child, districts, guardian
    ):
        client.force_login(people.steward)

        shown = page(client, child)

        assert f"consent-{districts.pk}" in shown
        assert "Pat Example" not in shown
        assert f"Guardian {guardian.pk} (mother)" in shown


class TestGuardians:
    def test_a_guardians_name_shows_only_to_the_organization_that_added_it(
        self, client, people, child, club_record, guardian
    ):
        clubs = services.add_guardian(
            child, "Lou Example", "father", "", "", people.club_staff
        )

        client.force_login(people.club_staff)
        shown = page(client, child)
        assert "Lou Example (father)" in shown
        assert "Pat Example" not in shown
        assert f"Guardian {guardian.pk} (mother)" in shown

        client.force_login(people.district_staff)
        shown = page(client, child)
        assert "Pat Example (mother)" in shown
        assert "Lou Example" not in shown
        assert f"Guardian {clubs.pk} (father)" in shown

    def test_the_entry_form_offers_only_the_organizations_own_guardians(
        self, client, people, child, club_record, guardian
    ):
        clubs = services.add_guardian(
            child, "Lou Example", "", "", "", people.club_staff
        )
        client.force_login(people.club_staff)

        response = client.get(reverse("consent:add", args=[child.public_id]))

        choices = dict(response.context["form"].fields["signed_by"].choices)
        assert set(choices) == {"", f"guardian-{clubs.pk}", "student"}

    def test_staff_cannot_name_another_organizations_guardian(
        self, people, club_record, guardian, terms
    ):
        with pytest.raises(services.ConsentRefused) as caught:
            services.give_consent(**terms(user=people.club_staff))

        assert f"guardian {guardian.pk} was not added by Youth Club" in str(
            caught.value
        )
        assert "Pat" not in str(caught.value)

    def test_the_guardian_records_which_organization_added_it(
        self, guardian, community
    ):
        assert guardian.organization == community.district
