"""Who may see and record a child's consents and guardians.

Consents are kept by the organizations that hold a record of the child, and
administered by the steward. Each organization reads the terms and scans of
the consents it recorded, and the names of the guardians it added: not
those of another organization, whose own records they came from. The
steward reads every consent (guardians by number) and opens scans to
verify them. A guardian records and revokes consent for their own child
through their own account.
"""

from datetime import datetime

from django.http import Http404
from django.utils.translation import gettext as _

from braid.access.policy import (
    AnyUser,
    Decision,
    allow,
    deny,
    is_steward,
    memberships,
    record_organizations,
)
from braid.children.models import Child
from braid.community.models import Organization, Role
from braid.consent.models import Consent, Guardian


def child_organizations(user: AnyUser, child: Child) -> list[Organization]:
    """Return the user's organizations that hold a record of the child."""
    organizations = record_organizations(user)
    if not organizations:
        return []
    holding = set(
        child.source_records.filter(organization__in=organizations).values_list(
            "organization_id", flat=True
        )
    )
    return [org for org in organizations if org.pk in holding]


def steward_organization(user: AnyUser) -> Organization | None:
    """Return the backbone the user is steward of, if any."""
    for membership in memberships(user):
        if membership.role == Role.STEWARD and membership.organization.is_backbone:
            return membership.organization
    return None


def recording_organizations(user: AnyUser, child: Child) -> list[Organization]:
    """Return the organizations the user may record the child's consent for."""
    found = child_organizations(user, child)
    backbone = steward_organization(user)
    if backbone is not None and backbone not in found:
        found.append(backbone)
    return found


def acting_organization_ids(user: AnyUser) -> set[int]:
    """Return the ids of the organizations whose consents the user reads."""
    ids = {org.pk for org in record_organizations(user)}
    backbone = steward_organization(user)
    if backbone is not None:
        ids.add(backbone.pk)
    return ids


def can_see_consent(user: AnyUser, consent: Consent) -> bool:
    """Whether the user reads the consent's terms: its recorder or steward."""
    if is_steward(user):
        return True
    return consent.organization_id in acting_organization_ids(user)


def can_open_scan(user: AnyUser, consent: Consent) -> bool:
    """Whether the user opens the scan: its recorder, or the steward."""
    return bool(consent.scan) and can_see_consent(user, consent)


def can_verify(user: AnyUser) -> Decision:
    if is_steward(user):
        return allow(_("As the community's steward you verify consents."))
    return deny(_("Only the steward verifies a consent against its scan."))


def can_see_consents(user: AnyUser, child: Child) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if is_steward(user):
        return allow(_("As the community's steward you administer consents."))
    organizations = child_organizations(user, child)
    if organizations:
        return allow(
            _("%(organization)s holds a record of this child.")
            % {"organization": organizations[0].name}
        )
    return deny(_("None of your organizations holds a record of this child."))


def get_child(user: AnyUser, public_id: str) -> Child:
    """Return the child by community ID, or raise 404 outside the scope."""
    try:
        child = Child.objects.get(public_id=public_id.strip().upper())
    except Child.DoesNotExist:
        raise Http404 from None
    if not can_see_consents(user, child.survivor()):
        raise Http404
    return child


def can_record_consent(user: AnyUser, child: Child) -> Decision:
    """Whether the user may enter a signed form, add a guardian or revoke."""
    return can_see_consents(user, child)


def can_restrict_guardian(user: AnyUser, child: Child) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if is_steward(user):
        return allow(_("As the community's steward you record court orders."))
    admins = {m.organization_id for m in memberships(user) if m.role == Role.ORG_ADMIN}
    if any(org.pk in admins for org in child_organizations(user, child)):
        return allow(
            _(
                "As an organization admin holding a record of this child you record "
                "court orders."
            )
        )
    return deny(
        _(
            "Court orders are recorded by the steward or by an admin of an "
            "organization that holds a record of this child."
        )
    )


def may_read_guardian_name(user: AnyUser, guardian: Guardian) -> bool:
    """Whether the guardian's name is shown: to the organization adding it."""
    return guardian.organization_id in acting_organization_ids(user)


def guardians_to_choose(user: AnyUser, child: Child) -> list[Guardian]:
    """Return the guardians the user may name as a consent's signer.

    Staff name the guardians their organization added; the steward, who
    administers every consent, any guardian of the child (by number).
    """
    guardians = Guardian.objects.filter(child=child).order_by("pk")
    if is_steward(user):
        return list(guardians)
    return list(guardians.filter(organization_id__in=acting_organization_ids(user)))


def guardian_of(user: AnyUser, child: Child, at: datetime) -> Guardian | None:
    """Return the user's own guardianship of the child in force at ``at``."""
    if not user.is_authenticated:
        return None
    for guardian in Guardian.objects.filter(child=child, user_id=user.pk):
        if guardian.restricted_at is None or guardian.restricted_at > at:
            return guardian
    return None
