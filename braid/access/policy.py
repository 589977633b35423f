"""The one place that decides who may do and see what.

Every view, command and report asks here. The answer is a ``Decision`` with
its reasons in plain words, so that a person can be told why. Deny is the
default. Agreements and consent come with the agreements issue; until then
child-level data stays inside the organization that contributed it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from braid.children.models import SourceRecord
from braid.community.models import Membership, Organization, Role
from braid.intake.models import RosterBatch

AnyUser = User | AnonymousUser

# Roles that read community aggregate reports.
REPORT_ROLES = {Role.STEWARD, Role.ORG_ADMIN, Role.ANALYST, Role.EVALUATOR}
# Roles that work with their own organization's records of children.
RECORD_ROLES = {Role.ORG_ADMIN, Role.STAFF}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.allowed


def allow(*reasons: str) -> Decision:
    return Decision(True, reasons)


def deny(*reasons: str) -> Decision:
    return Decision(False, reasons)


def memberships(user: AnyUser) -> list[Membership]:
    """Return the user's memberships, cached on the user for the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_braid_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=user.pk)
            .select_related("organization")
            .prefetch_related("programs")
        )
        user._braid_memberships = cached  # type: ignore[attr-defined]
    return cached


def roles(user: AnyUser) -> set[str]:
    return {membership.role for membership in memberships(user)}


def is_steward(user: AnyUser) -> bool:
    return any(
        m.role == Role.STEWARD and m.organization.is_backbone for m in memberships(user)
    )


def record_organizations(user: AnyUser) -> list[Organization]:
    """Organizations whose own records of children the user works with."""
    return _organizations(m for m in memberships(user) if m.role in RECORD_ROLES)


def can_read_aggregates(user: AnyUser) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    for membership in memberships(user):
        if membership.role in REPORT_ROLES:
            return allow(
                _("As %(role)s of %(organization)s you may read community reports.")
                % {
                    "role": membership.get_role_display(),
                    "organization": membership.organization.name,
                }
            )
    return deny(
        _(
            "Community reports are for stewards, organization admins, analysts "
            "and evaluators; you have none of these roles."
        )
    )


def can_upload_roster(user: AnyUser, organization: Organization) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if organization not in record_organizations(user):
        return deny(
            _("You are not an admin or staff member of %(organization)s.")
            % {"organization": organization.name}
        )
    if not organization.contributes_roster:
        return deny(
            _("%(organization)s is not set up to contribute rosters; ask the steward.")
            % {"organization": organization.name}
        )
    return allow(
        _("You are on the staff of %(organization)s, which contributes rosters.")
        % {"organization": organization.name}
    )


def roster_organizations(user: AnyUser) -> list[Organization]:
    return [org for org in record_organizations(user) if org.contributes_roster]


def visible_source_records(user: AnyUser) -> QuerySet[SourceRecord]:
    """Source records the user may read by name: their organizations' own."""
    from braid.access.decision import own_records

    return own_records(user)


def visible_batches(user: AnyUser) -> QuerySet[RosterBatch]:
    """Batches of the user's organizations; the steward sees every outcome."""
    if is_steward(user):
        return RosterBatch.objects.all()
    return RosterBatch.objects.filter(organization__in=record_organizations(user))


def get_batch(user: AnyUser, pk: int) -> RosterBatch:
    """Return the batch, or raise 404 outside the user's scope."""
    try:
        return (
            visible_batches(user).select_related("organization", "program").get(pk=pk)
        )
    except RosterBatch.DoesNotExist:
        raise Http404 from None


def can_handle_batch(user: AnyUser, batch: RosterBatch) -> Decision:
    """Whether the user may see the rows of a staged batch and commit it."""
    return can_upload_roster(user, batch.organization)


def _organizations(items: Iterable[Membership]) -> list[Organization]:
    seen: dict[int, Organization] = {}
    for membership in items:
        seen.setdefault(membership.organization_id, membership.organization)
    return sorted(seen.values(), key=lambda org: org.name)


def can_manage_linkage(user: AnyUser) -> Decision:
    """Whether the user may review matches and correct children's mapping."""
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if is_steward(user):
        return allow(
            _(
                "As the community's steward you review matches and correct how "
                "records map to children."
            )
        )
    return deny(
        _(
            "Only the community's steward reviews matches and corrects how records "
            "map to children."
        )
    )


def readable_record_ids(user: AnyUser, record_ids: Iterable[int]) -> set[int]:
    """Return those of the given source records the user may read by name."""
    wanted = set(record_ids)
    if not wanted:
        return set()
    return set(
        visible_source_records(user).filter(pk__in=wanted).values_list("pk", flat=True)
    )
