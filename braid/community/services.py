"""Setting a community up: organizations, programs, sites and people."""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from braid.community.models import (
    Membership,
    Organization,
    OrganizationKind,
    Program,
    Role,
    Site,
)

logger = logging.getLogger(__name__)


def add_organization(
    *,
    slug: str,
    name: str,
    kind: str,
    is_backbone: bool = False,
    contributes_roster: bool = False,
    contributes_direct: bool = False,
    contributes_pass_through: bool = False,
    uses_data: bool = False,
) -> Organization:
    if kind not in OrganizationKind.values:
        raise ValidationError(
            _("Unknown kind %(kind)s; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(OrganizationKind.values)}
        )
    if slugify(slug) != slug:
        raise ValidationError(
            _("The slug %(slug)s may hold only lower-case letters, digits and hyphens.")
            % {"slug": slug}
        )
    if Organization.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("An organization %(slug)s already exists.") % {"slug": slug}
        )
    if is_backbone and Organization.objects.filter(is_backbone=True).exists():
        raise ValidationError(_("The community already has a backbone organization."))

    organization = Organization.objects.create(
        slug=slug,
        name=name,
        kind=kind,
        is_backbone=is_backbone,
        contributes_roster=contributes_roster,
        contributes_direct=contributes_direct,
        contributes_pass_through=contributes_pass_through,
        uses_data=uses_data,
    )
    logger.info("organization %s added", organization.slug)
    return organization


def add_program(organization: Organization, *, slug: str, name: str) -> Program:
    if organization.programs.filter(slug=slug).exists():
        raise ValidationError(
            _("%(organization)s already has a program %(slug)s.")
            % {"organization": organization.name, "slug": slug}
        )
    return Program.objects.create(organization=organization, slug=slug, name=name)


def add_site(organization: Organization, *, slug: str, name: str) -> Site:
    return Site.objects.create(organization=organization, slug=slug, name=name)


# What the steward may do in the Django admin: set the community up, and read
# the record of batches and of mapping, which holds no child's personal data.
STEWARD_PERMISSIONS = [
    ("community", "organization", ["add", "change", "view"]),
    ("community", "program", ["add", "change", "delete", "view"]),
    ("community", "site", ["add", "change", "delete", "view"]),
    ("community", "membership", ["add", "change", "delete", "view"]),
    ("auth", "user", ["add", "change", "view"]),
    ("intake", "rosterbatch", ["view"]),
    ("children", "child", ["view"]),
    ("children", "sourcerecord", ["view"]),
]


def steward_group() -> Group:
    group, _created = Group.objects.get_or_create(name="Stewards")
    codenames = [
        (app, f"{action}_{model}")
        for app, model, actions in STEWARD_PERMISSIONS
        for action in actions
    ]
    wanted = Q()
    for app, codename in codenames:
        wanted |= Q(content_type__app_label=app, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


@transaction.atomic
def add_member(
    *,
    username: str,
    organization: Organization,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create the user if needed and give them a role in the organization."""
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role %(role)s; use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if role == Role.STEWARD and not organization.is_backbone:
        raise ValidationError(_("Stewards belong to the backbone organization."))

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={"email": email, "first_name": first_name, "last_name": last_name},
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    user.save()
    if role == Role.STEWARD:
        # Stewards run the community in the admin as well as on Braid's pages.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(steward_group())
    Membership.objects.get_or_create(user=user, organization=organization, role=role)
    logger.info("user %s given role %s in %s", user.pk, role, organization.slug)
    return user
