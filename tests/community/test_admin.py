"""The Django admin, as the steward uses it."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, EnrollmentFactory, SourceRecordFactory


@pytest.fixture
def steward_client(client, people):
    client.login(username="steward", password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "page",
    [
        "admin:community_organization_changelist",
        "admin:community_program_changelist",
        "admin:community_membership_changelist",
        "admin:intake_rosterbatch_changelist",
        "admin:children_child_changelist",
        "admin:children_sourcerecord_changelist",
    ],
)
def test_the_steward_can_open_the_admin_lists(steward_client, page):
    assert steward_client.get(reverse(page)).status_code == 200


def test_admin_lists_show_no_childs_personal_data(steward_client, community):
    record = SourceRecordFactory(
        organization=community.district, first_name="Zebulon", last_name="Quarrington"
    )
    EnrollmentFactory(source_record=record)

    for page in [
        "admin:children_child_changelist",
        "admin:children_sourcerecord_changelist",
    ]:
        html = steward_client.get(reverse(page)).content.decode()
        assert record.child.public_id in html
        assert "Zebulon" not in html
        assert "Quarrington" not in html
        assert "2015-03-07" not in html

    detail = steward_client.get(
        reverse("admin:children_sourcerecord_change", args=[record.pk])
    ).content.decode()
    assert "Quarrington" not in detail


def test_staff_of_a_contributor_cannot_open_the_admin(client, people):
    client.login(username="district-staff", password=PASSWORD)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
