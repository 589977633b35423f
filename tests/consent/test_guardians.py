"""Guardians on a child's records, and court orders that restrict them."""

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from braid.community.models import Role
from braid.community.services import add_member
from braid.consent import services
from tests.factories import PASSWORD


def test_staff_holding_the_childs_record_add_a_guardian(child, people, caplog):
    caplog.set_level(logging.INFO, logger="braid.consent")

    guardian = services.add_guardian(
        child,
        " Pat Example ",
        "mother",
        "pat@example.org",
        "555-0100",
        people.district_staff,
    )

    assert guardian.name == "Pat Example" and guardian.child == child
    assert f"guardian {guardian.pk} added to child {child.pk}" in caplog.text
    assert "Pat" not in caplog.text and "555" not in caplog.text


@pytest.mark.parametrize("who", ["club_staff", "outsider", "analyst", "parent"])
def test_others_do_not_add_guardians(child, people, who):
    with pytest.raises(PermissionDenied):
        services.add_guardian(child, "Pat", "", "", "", getattr(people, who))


def test_a_guardian_needs_a_name_and_a_valid_email(child, people):
    with pytest.raises(ValidationError, match="needs a name"):
        services.add_guardian(child, "  ", "", "", "", people.district_staff)
    with pytest.raises(ValidationError):
        services.add_guardian(child, "Pat", "", "not-an-email", "", people.steward)


class TestRestricting:
    def test_the_steward_records_a_court_order(self, guardian, people):
        at = timezone.now() - timedelta(hours=1)

        services.restrict_guardian(guardian, at, "Order 12-345", people.steward)

        guardian.refresh_from_db()
        assert guardian.restricted_at == at
        assert guardian.restriction_note == "Order 12-345"

    def test_an_admin_of_an_organization_holding_the_record_may(
        self, guardian, community
    ):
        admin = add_member(
            username="district-admin",
            organization=community.district,
            role=Role.ORG_ADMIN,
            password=PASSWORD,
        )
        services.restrict_guardian(guardian, timezone.now(), "Order 7", admin)
        guardian.refresh_from_db()
        assert guardian.restricted_at is not None

    @pytest.mark.parametrize("who", ["district_staff", "club_staff", "outsider"])
    def test_staff_and_others_do_not(self, guardian, people, who):
        with pytest.raises(PermissionDenied):
            services.restrict_guardian(
                guardian, timezone.now(), "Order", getattr(people, who)
            )

    def test_the_order_must_be_named_and_is_recorded_once(self, guardian, people):
        with pytest.raises(ValidationError, match="which court order"):
            services.restrict_guardian(guardian, timezone.now(), " ", people.steward)

        services.restrict_guardian(guardian, timezone.now(), "Order 1", people.steward)
        with pytest.raises(ValidationError, match="already restricted"):
            services.restrict_guardian(
                guardian, timezone.now(), "Order 2", people.steward
            )
