"""Load the generated demo community into Braid through its own intake."""

import logging
import os
import secrets
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from braid.community.models import Organization, Role
from braid.community.services import add_member, add_organization, add_program, add_site
from braid.demo.generator import DemoCommunity, DemoRoster
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch

logger = logging.getLogger(__name__)

# Kept in the data folder, owner-only: the only copy of the demo's passwords.
LOGINS_FILE = "demo-logins.txt"

# username, organization, role, what the login is for
DEMO_PEOPLE = [
    ("steward", "riverbend-alliance", Role.STEWARD, _("Steward of the backbone")),
    ("evaluator", "riverbend-alliance", Role.EVALUATOR, _("Program evaluator")),
    (
        "district-staff",
        "riverbend-schools",
        Role.STAFF,
        _("School district data staff"),
    ),
    ("club-staff", "heron-youth-club", Role.STAFF, _("After-school club staff")),
    ("literacy-staff", "open-book-literacy", Role.STAFF, _("Literacy program staff")),
    (
        "sports-admin",
        "riverbend-youth-sports",
        Role.ORG_ADMIN,
        _("Sports league admin"),
    ),
    (
        "parks-staff",
        "riverbend-parks",
        Role.STAFF,
        _("City parks & recreation staff"),
    ),
    (
        "funder-analyst",
        "riverbend-foundation",
        Role.ANALYST,
        _("Funder's analyst (reports)"),
    ),
]


def new_passwords() -> dict[str, str]:
    return {username: secrets.token_urlsafe(9) for username, *_ in DEMO_PEOPLE}


@transaction.atomic
def create_community(community: DemoCommunity, passwords: Mapping[str, str]) -> None:
    """Create the organizations, programs, sites and people, no children."""
    for spec in community.organizations:
        organization = add_organization(
            slug=spec.slug,
            name=spec.name,
            kind=spec.kind,
            is_backbone=spec.is_backbone,
            contributes_roster=spec.contributes_roster,
            uses_data=spec.uses_data,
        )
        for program in spec.programs:
            add_program(organization, slug=program.slug, name=program.name)
        for site in spec.sites:
            add_site(organization, slug=site.slug, name=site.name)

    for username, slug, role, _description in DEMO_PEOPLE:
        add_member(
            username=username,
            organization=Organization.objects.get(slug=slug),
            role=role,
            password=passwords[username],
        )


def missing_organizations(community: DemoCommunity) -> list[str]:
    """Return the slugs of the demo's organizations the database lacks."""
    wanted = [spec.slug for spec in community.organizations]
    found = set(
        Organization.objects.filter(slug__in=wanted).values_list("slug", flat=True)
    )
    return [slug for slug in wanted if slug not in found]


@transaction.atomic
def reset_passwords(passwords: Mapping[str, str]) -> None:
    """Give the demo's people new passwords, adding any who are missing."""
    users = get_user_model().objects
    for username, slug, role, _description in DEMO_PEOPLE:
        user = users.filter(username=username).first()
        if user is None:
            add_member(
                username=username,
                organization=Organization.objects.get(slug=slug),
                role=role,
                password=passwords[username],
            )
        else:
            user.set_password(passwords[username])
            user.save(update_fields=["password"])


def write_logins(path: Path, passwords: Mapping[str, str]) -> None:
    lines = [
        f"  {description!s:<44} {username:<18} {passwords[username]}"
        for username, _org, _role, description in DEMO_PEOPLE
    ]
    path.unlink(missing_ok=True)
    # Created owner-only, so that no other account can read it even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")


def pending_rosters(community: DemoCommunity) -> list[DemoRoster]:
    """Return the demo's rosters that have no committed batch, in order."""
    committed = set(
        RosterBatch.objects.filter(
            status=BatchStatus.COMMITTED,
            organization__slug__in=[
                roster.organization for roster in community.rosters
            ],
        ).values_list("organization__slug", "program__slug", "filename")
    )
    return [
        roster
        for roster in community.rosters
        if (roster.organization, roster.program, roster.filename) not in committed
    ]


def discard_unfinished(rosters: Iterable[DemoRoster]) -> int:
    """Discard the staged batches an interrupted import of these left."""
    discarded = 0
    for roster in rosters:
        staged = RosterBatch.objects.filter(
            status=BatchStatus.STAGED,
            organization__slug=roster.organization,
            program__slug=roster.program,
            filename=roster.filename,
        )
        for batch in staged:
            services.discard(batch)
            discarded += 1
    return discarded


def import_rosters(rosters: Iterable[DemoRoster]) -> Iterator[str]:
    """Send each roster through intake as its organization's staff."""
    users = get_user_model().objects
    uploader = {slug: username for username, slug, *_ in DEMO_PEOPLE}
    for roster in rosters:
        organization = Organization.objects.get(slug=roster.organization)
        program = (
            organization.programs.get(slug=roster.program) if roster.program else None
        )
        started = time.monotonic()
        outcome = services.import_roster(
            user=users.get(username=uploader[roster.organization]),
            organization=organization,
            program=program,
            filename=roster.filename,
            content=roster.content,
            as_of=roster.as_of,
            date_format=roster.date_format,
        )
        if not outcome.committed:
            raise RuntimeError(
                f"the demo roster {roster.filename} was rejected: "
                f"{[issue.as_dict() for issue in outcome.preview.errors[:5]]}"
            )
        counts = outcome.preview.counts()
        # Indented under the demo's heading, outside the translated text.
        yield "  " + ngettext(
            "%(file)s: %(count)s record (%(seconds)s s)",
            "%(file)s: %(count)s records (%(seconds)s s)",
            counts["new"],
        ) % {
            "file": roster.filename,
            "count": counts["new"],
            "seconds": f"{time.monotonic() - started:.1f}",
        }
