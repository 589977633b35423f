"""Who may read, sign, end and restrict data-sharing agreements.

The steward sets agreements up and reads them all. Every member of a party
organization (the backbone, a contributor, a named recipient) reads the
agreements it is party to. Every member of an organization that a class of
recipients takes in (every funder, say) reads the agreements shared with
that class, though the organization does not sign. Nobody else learns that
they exist. A party's organization admins sign for it and may end the
agreement; a contributor's admins withhold its data inside it.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from braid.access.policy import AnyUser, Decision, allow, deny, is_steward, memberships
from braid.agreements.models import Agreement, Withholding
from braid.community.models import Organization, Role


def member_organizations(user: AnyUser) -> list[Organization]:
    """Return the organizations the user holds any role in."""
    found = {m.organization_id: m.organization for m in memberships(user)}
    return sorted(found.values(), key=lambda org: org.name)


def admin_organizations(user: AnyUser) -> list[Organization]:
    """Return the organizations the user is an admin of."""
    found = {
        m.organization_id: m.organization
        for m in memberships(user)
        if m.role == Role.ORG_ADMIN
    }
    return sorted(found.values(), key=lambda org: org.name)


def can_read_agreements(user: AnyUser) -> Decision:
    """Whether the user may open the list of agreements at all."""
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if not memberships(user):
        return deny(
            _(
                "Agreements are read by the members of the organizations that are "
                "party to them; you belong to none."
            )
        )
    return allow(_("You belong to an organization of the community."))


def visible_agreements(user: AnyUser) -> QuerySet[Agreement]:
    """Return the agreements the user may read: their parties', or all."""
    if is_steward(user):
        return Agreement.objects.all()
    organizations = member_organizations(user)
    if not organizations:
        return Agreement.objects.none()
    # The backbone is party to every agreement.
    if any(org.is_backbone for org in organizations):
        return Agreement.objects.all()
    ids = [org.pk for org in organizations]
    return Agreement.objects.filter(
        Q(contributors__in=ids)
        | Q(recipients__in=ids)
        | Q(pk__in=_covering_by_class(organizations))
    ).distinct()


def _covering_by_class(organizations: list[Organization]) -> list[int]:
    """Return the agreements whose classes of recipients take in any of them.

    A community has few agreements, and SQLite cannot look inside a JSON
    list, so the classes are compared here, after one query.
    """
    kinds = {org.kind for org in organizations}
    classes = Agreement.objects.order_by().values_list("pk", "recipient_kinds")
    return [pk for pk, named in classes if kinds & set(named or [])]


def get_agreement(user: AnyUser, pk: int) -> Agreement:
    """Return the agreement, or raise 404 outside the user's scope."""
    try:
        return visible_agreements(user).get(pk=pk)
    except Agreement.DoesNotExist:
        raise Http404 from None


def get_withholding(agreement: Agreement, pk: int) -> Withholding:
    """Return a withholding of an agreement already fetched, or raise 404."""
    try:
        return agreement.withholdings.select_related("contributor").get(pk=pk)
    except Withholding.DoesNotExist:
        raise Http404 from None


def can_manage_agreements(user: AnyUser) -> Decision:
    """Whether the user may draft agreements and attach their documents."""
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if is_steward(user):
        return allow(_("As the community's steward you set agreements up."))
    return deny(_("Only the community's steward sets agreements up."))


def may_sign_for(user: AnyUser, organization: Organization) -> bool:
    """Whether the user may put the organization's name to an agreement."""
    if organization.is_backbone and is_steward(user):
        return True
    return any(
        m.organization_id == organization.pk and m.role == Role.ORG_ADMIN
        for m in memberships(user)
    )


def can_sign(
    user: AnyUser, agreement: Agreement, organization: Organization
) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if organization not in agreement.parties():
        return deny(
            _("%(organization)s is not a party to this agreement.")
            % {"organization": organization.name}
        )
    if not may_sign_for(user, organization):
        return deny(
            _("Only an admin of %(organization)s signs for it.")
            % {"organization": organization.name}
        )
    return allow(
        _("You sign for %(organization)s.") % {"organization": organization.name}
    )


def signing_organizations(user: AnyUser, agreement: Agreement) -> list[Organization]:
    """Return the parties the user may sign for that have not signed yet."""
    signed = {s.organization_id for s in agreement.signatures.all()}
    return [
        org
        for org in agreement.parties()
        if org.pk not in signed and may_sign_for(user, org)
    ]


def can_terminate(user: AnyUser, agreement: Agreement) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if is_steward(user):
        return allow(_("As the community's steward you may end any agreement."))
    parties = {org.pk for org in agreement.parties()}
    for organization in admin_organizations(user):
        if organization.pk in parties:
            return allow(
                _("As an admin of %(organization)s, a party, you may end it.")
                % {"organization": organization.name}
            )
    return deny(_("Only the steward or an admin of a party may end an agreement."))


def withholding_contributors(user: AnyUser, agreement: Agreement) -> list[Organization]:
    """Return the agreement's contributors the user may withhold data for."""
    admin_of = {org.pk for org in admin_organizations(user)}
    return [org for org in agreement.contributors.all() if org.pk in admin_of]


def can_withhold(
    user: AnyUser, agreement: Agreement, contributor: Organization
) -> Decision:
    if not user.is_authenticated:
        return deny(_("You are not signed in."))
    if contributor not in agreement.contributors.all():
        return deny(
            _("%(organization)s does not contribute data under this agreement.")
            % {"organization": contributor.name}
        )
    if contributor not in admin_organizations(user):
        return deny(
            _("Only an admin of %(organization)s withholds its data.")
            % {"organization": contributor.name}
        )
    return allow(
        _("As an admin of %(organization)s you decide what it shares.")
        % {"organization": contributor.name}
    )
