"""The Django admin, as the steward uses it."""

import logging

import pytest
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from braid.community.models import Membership, Role
from braid.community.services import steward_group
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


def forbidden(path):
    return f"django.request: Forbidden (Permission denied): {path}"


def membership_of(user):
    return Membership.objects.get(user=user)


def user_form(user, **changes):
    """What the admin's change form for a user posts, with some changes."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "last_login_0": "",
        "last_login_1": "",
    }
    return {**data, **changes}


class TestAStewardCannotRaiseTheirOwnAccess:
    def test_adding_a_membership_for_themselves_is_refused(
        self, steward_client, people, community
    ):
        response = steward_client.post(
            reverse("admin:community_membership_add"),
            {
                "user": people.steward.pk,
                "organization": community.district.pk,
                "role": Role.STAFF,
            },
        )

        assert response.status_code == 200
        assert "You may not give yourself a role" in response.content.decode()
        assert not Membership.objects.filter(
            user=people.steward, organization=community.district
        ).exists()

    def test_moving_someone_elses_membership_to_themselves_is_refused(
        self, steward_client, people, community, quiet
    ):
        membership = membership_of(people.district_staff)

        response = steward_client.post(
            reverse("admin:community_membership_change", args=[membership.pk]),
            {
                "user": people.steward.pk,
                "organization": community.district.pk,
                "role": Role.STAFF,
            },
        )

        # A role that reads records is out of the steward's reach entirely.
        assert response.status_code == 403
        assert quiet.take()
        membership.refresh_from_db()
        assert membership.user == people.district_staff

    def test_changing_their_own_membership_is_refused(
        self, steward_client, people, community, quiet
    ):
        own = membership_of(people.steward)

        response = steward_client.post(
            reverse("admin:community_membership_change", args=[own.pk]),
            {
                "user": people.steward.pk,
                "organization": community.district.pk,
                "role": Role.STAFF,
            },
        )

        assert response.status_code == 403
        assert quiet.take() == [
            forbidden(f"/admin/community/membership/{own.pk}/change/")
        ]
        own.refresh_from_db()
        assert (own.organization, own.role) == (community.backbone, Role.STEWARD)

    def test_deleting_their_own_membership_is_refused(
        self, steward_client, people, quiet
    ):
        own = membership_of(people.steward)

        one = steward_client.post(
            reverse("admin:community_membership_delete", args=[own.pk]),
            {"post": "yes"},
        )
        bulk = steward_client.post(
            reverse("admin:community_membership_changelist"),
            {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"},
        )

        assert (one.status_code, bulk.status_code) == (403, 403)
        assert quiet.take() == [
            forbidden(f"/admin/community/membership/{own.pk}/delete/"),
            forbidden("/admin/community/membership/"),
        ]
        assert Membership.objects.filter(pk=own.pk).exists()

    def test_ticking_superuser_on_their_own_account_changes_nothing(
        self, steward_client, people
    ):
        steward = people.steward

        response = steward_client.post(
            reverse("admin:auth_user_change", args=[steward.pk]),
            user_form(steward, is_superuser="on", is_staff="on"),
        )

        assert response.status_code == 302
        steward.refresh_from_db()
        assert not steward.is_superuser

    def test_granting_staff_status_groups_or_permissions_changes_nothing(
        self, steward_client, people
    ):
        staff = people.analyst
        membership_permission = Permission.objects.get(codename="change_membership")

        response = steward_client.post(
            reverse("admin:auth_user_change", args=[staff.pk]),
            user_form(
                staff,
                is_staff="on",
                is_superuser="on",
                groups=[steward_group().pk],
                user_permissions=[membership_permission.pk],
            ),
        )

        assert response.status_code == 302
        staff.refresh_from_db()
        assert not staff.is_staff
        assert not staff.is_superuser
        assert not staff.groups.exists()
        assert not staff.user_permissions.exists()

    def test_the_user_form_shows_the_powers_without_a_way_to_change_them(
        self, steward_client, people
    ):
        page = steward_client.get(
            reverse("admin:auth_user_change", args=[people.analyst.pk])
        ).content.decode()

        for field in ["is_superuser", "is_staff", "groups", "user_permissions"]:
            assert f'name="{field}"' not in page

    def test_a_superusers_account_is_out_of_their_reach(
        self, steward_client, django_user_model, quiet
    ):
        root = django_user_model.objects.create_superuser("root", password=PASSWORD)

        change = steward_client.post(
            reverse("admin:auth_user_change", args=[root.pk]),
            user_form(root, is_active=""),
        )
        password = steward_client.post(
            reverse("admin:auth_user_password_change", args=[root.pk]),
            {"password1": "n3w-secret-for-root", "password2": "n3w-secret-for-root"},
        )

        assert (change.status_code, password.status_code) == (403, 403)
        assert quiet.take() == [
            forbidden(f"/admin/auth/user/{root.pk}/change/"),
            forbidden(f"/admin/auth/user/{root.pk}/password/"),
        ]
        root.refresh_from_db()
        assert root.is_active
        assert root.check_password(PASSWORD)


def test_superuser_status_is_not_given_in_the_admin_even_by_a_superuser(
    client, people, django_user_model
):
    django_user_model.objects.create_superuser("root", password=PASSWORD)
    client.login(username="root", password=PASSWORD)
    staff = people.district_staff

    response = client.post(
        reverse("admin:auth_user_change", args=[staff.pk]),
        user_form(staff, is_superuser="on"),
    )

    assert response.status_code == 302
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_a_superuser_may_set_their_own_memberships(client, people, community):
    root = get_user_model().objects.create_superuser("root", password=PASSWORD)
    client.login(username="root", password=PASSWORD)

    response = client.post(
        reverse("admin:community_membership_add"),
        {"user": root.pk, "organization": community.backbone.pk, "role": "analyst"},
    )

    assert response.status_code == 302
    assert Membership.objects.filter(user=root).exists()


def test_membership_changes_in_the_admin_are_recorded(
    steward_client, people, community, caplog
):
    caplog.set_level(logging.INFO, logger="braid.community.admin")

    steward_client.post(
        reverse("admin:community_membership_add"),
        {
            "user": people.analyst.pk,
            "organization": community.district.pk,
            "role": Role.ANALYST,
        },
    )
    added = Membership.objects.get(user=people.analyst, organization=community.district)
    steward_client.post(
        reverse("admin:community_membership_delete", args=[added.pk]),
        {"post": "yes"},
    )

    history = LogEntry.objects.filter(
        user=people.steward,
        content_type=ContentType.objects.get_for_model(Membership),
        object_id=str(added.pk),
    )
    assert sorted(history.values_list("action_flag", flat=True)) == [
        ADDITION,
        DELETION,
    ]
    logged = [record.getMessage() for record in caplog.records]
    assert (
        f"admin: user {people.steward.pk} added membership {added.pk} "
        f"(user {people.analyst.pk}, role analyst in district)"
    ) in logged
    assert f"admin: user {people.steward.pk} deleted membership {added.pk}" in logged


def admin_form_data(response, **fields: str) -> dict[str, str]:
    """Return what the admin's add form posts: its fields and empty inlines."""
    data = dict(fields)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name, value in management.initial.items():
            data[f"{management.prefix}-{name}"] = str(value)
    return data


def test_a_second_backbone_is_refused_naming_the_first(steward_client, community):
    add = reverse("admin:community_organization_add")
    data = admin_form_data(
        steward_client.get(add),
        name="Second Backbone",
        slug="second-backbone",
        kind="other",
        is_backbone="on",
    )

    response = steward_client.post(add, data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {
        "is_backbone": [
            f"There is already a backbone organization: {community.backbone.name}."
        ]
    }
    assert "one_backbone_per_community" not in response.content.decode()


def test_the_backbone_itself_can_still_be_edited(steward_client, community):
    backbone = community.backbone
    change = reverse("admin:community_organization_change", args=[backbone.pk])
    data = admin_form_data(
        steward_client.get(change),
        name="Renamed Backbone",
        slug=backbone.slug,
        kind=backbone.kind,
        is_backbone="on",
    )

    response = steward_client.post(change, data)

    assert response.status_code == 302
    backbone.refresh_from_db()
    assert backbone.name == "Renamed Backbone"


class TestAStewardCannotMakeAPuppet:
    """Roles that read children's records come from the command line."""

    @pytest.mark.parametrize("role", [Role.STAFF, Role.ORG_ADMIN])
    def test_giving_a_role_that_reads_records_is_refused(
        self, steward_client, people, community, role
    ):
        response = steward_client.post(
            reverse("admin:community_membership_add"),
            {
                "user": people.analyst.pk,
                "organization": community.district.pk,
                "role": role,
            },
        )

        assert response.status_code == 200
        assert "given by an operator at the command line" in response.content.decode()
        assert not Membership.objects.filter(
            user=people.analyst, organization=community.district
        ).exists()

    def test_a_record_readers_account_and_password_are_out_of_reach(
        self, steward_client, people, quiet
    ):
        staff = people.district_staff

        password = steward_client.post(
            reverse("admin:auth_user_password_change", args=[staff.pk]),
            {"password1": "a-new-pass-9876", "password2": "a-new-pass-9876"},
        )
        change = steward_client.post(
            reverse("admin:auth_user_change", args=[staff.pk]),
            user_form(staff, username="renamed"),
        )

        assert (password.status_code, change.status_code) == (403, 403)
        staff.refresh_from_db()
        assert staff.username == "district-staff"
        assert not staff.check_password("a-new-pass-9876")
        assert len(quiet.take()) == 2

    def test_the_steward_may_still_take_a_role_away(self, steward_client, people):
        membership = membership_of(people.district_staff)

        response = steward_client.post(
            reverse("admin:community_membership_delete", args=[membership.pk]),
            {"post": "yes"},
        )

        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()
