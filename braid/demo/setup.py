"""Load the generated demo community into Braid through its own intake."""

import logging
import time
from collections.abc import Iterator, Mapping

from django.contrib.auth import get_user_model

from braid.community.models import Organization, Role
from braid.community.services import add_member, add_organization, add_program, add_site
from braid.demo.generator import DemoCommunity, build_community
from braid.intake import services

logger = logging.getLogger(__name__)

# username, organization, role, what the login is for
DEMO_PEOPLE = [
    ("steward", "riverbend-alliance", Role.STEWARD, "Steward of the backbone"),
    ("evaluator", "riverbend-alliance", Role.EVALUATOR, "Program evaluator"),
    ("district-staff", "riverbend-schools", Role.STAFF, "School district data staff"),
    ("club-staff", "heron-youth-club", Role.STAFF, "After-school club staff"),
    ("literacy-staff", "open-book-literacy", Role.STAFF, "Literacy program staff"),
    ("sports-admin", "riverbend-youth-sports", Role.ORG_ADMIN, "Sports league admin"),
    ("parks-staff", "riverbend-parks", Role.STAFF, "City parks & recreation staff"),
    (
        "funder-analyst",
        "riverbend-foundation",
        Role.ANALYST,
        "Funder's analyst (reports)",
    ),
]


def create_community(seed: int, passwords: Mapping[str, str]) -> DemoCommunity:
    """Create the organizations, programs, sites and people, no children."""
    community = build_community(seed)
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
    return community


def import_rosters(community: DemoCommunity) -> Iterator[str]:
    """Send each roster through intake as its organization's staff."""
    users = get_user_model().objects
    uploader = {slug: username for username, slug, *_ in DEMO_PEOPLE}
    for roster in community.rosters:
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
        yield (
            f"  {roster.filename}: {counts['new']} records "
            f"({time.monotonic() - started:.1f} s)"
        )
