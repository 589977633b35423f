"""Setting a community up: organizations, programs, sites and people."""

import logging
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model, Q
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

# Slugs are typed in commands and shown in addresses: plain ASCII words joined
# by single hyphens, so that no two slugs differ only in their punctuation.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


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
    _check_slug(slug, Organization)
    name = _checked_name(name, Organization)
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
    _check_slug(slug, Program)
    name = _checked_name(name, Program)
    if organization.programs.filter(slug=slug).exists():
        raise ValidationError(
            _("%(organization)s already has a program %(slug)s.")
            % {"organization": organization.name, "slug": slug}
        )
    return Program.objects.create(organization=organization, slug=slug, name=name)


def add_site(organization: Organization, *, slug: str, name: str) -> Site:
    _check_slug(slug, Site)
    name = _checked_name(name, Site)
    return Site.objects.create(organization=organization, slug=slug, name=name)


def _check_slug(slug: str, model: type[Model]) -> None:
    # Slugs appear in commands and addresses, so they are refused rather than
    # quietly rewritten into something the person did not type.
    longest = _max_length(model, "slug")
    if not slug:
        raise ValidationError(_("The slug may not be empty."))
    if not _SLUG.fullmatch(slug):
        raise ValidationError(
            _(
                "The slug %(slug)s must be lower-case letters and digits, with "
                "single hyphens between them (none at the start or the end), "
                "e.g. heron-club."
            )
            % {"slug": slug}
        )
    if len(slug) > longest:
        raise ValidationError(
            _("The slug %(slug)s is longer than %(limit)s characters.")
            % {"slug": slug, "limit": longest}
        )


def _max_length(model: type[Model], name: str) -> int:
    field = model._meta.get_field(name)
    return getattr(field, "max_length", None) or 0


def _checked_name(name: str, model: type[Model]) -> str:
    longest = _max_length(model, "name")
    name = name.strip()
    if not name:
        raise ValidationError(_("The name may not be empty."))
    if len(name) > longest:
        raise ValidationError(
            _("The name is longer than %(limit)s characters.") % {"limit": longest}
        )
    return name


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
    """Give a user a role in the organization, creating the user if new.

    A password is set only on a new user, and must pass the password
    validators; a new user without one cannot sign in until it is set.
    """
    if role not in Role.values:
        raise ValidationError(
            _("Unknown role %(role)s; use one of %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)}
        )
    if role == Role.STEWARD and not organization.is_backbone:
        raise ValidationError(_("Stewards belong to the backbone organization."))

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = _new_user(username, password, email, first_name, last_name)
    elif password is not None:
        # Changing a password is a deliberate act of its own; a script that
        # gives an existing user another role must not reset it on the way.
        raise ValidationError(
            _(
                "The user %(username)s already exists, so their password was not "
                "changed and nothing else was either."
            )
            % {"username": username}
        )

    if role == Role.STEWARD:
        # Stewards run the community in the admin as well as on Braid's pages.
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.groups.add(steward_group())
    Membership.objects.get_or_create(user=user, organization=organization, role=role)
    logger.info("user %s given role %s in %s", user.pk, role, organization.slug)
    return user


def _new_user(
    username: str, password: str | None, email: str, first_name: str, last_name: str
) -> User:
    _check_username(username)
    if email:
        validate_email(email)

    user = get_user_model()(
        username=username, email=email, first_name=first_name, last_name=last_name
    )
    if password is None:
        user.set_unusable_password()
    elif not password:
        raise ValidationError(_("The password is empty."))
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save()
    return user


def _check_username(username: str) -> None:
    user_model = get_user_model()
    longest = _max_length(user_model, "username")
    if not username:
        raise ValidationError(_("The user name may not be empty."))
    if len(username) > longest:
        raise ValidationError(
            _("The user name %(username)s is longer than %(limit)s characters.")
            % {"username": username, "limit": longest}
        )
    try:
        user_model.username_validator(username)
    except ValidationError:
        raise ValidationError(
            _(
                "The user name %(username)s may hold only letters, digits and "
                "the characters @ . + - _"
            )
            % {"username": username}
        ) from None
