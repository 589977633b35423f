"""Reading the record of disclosures: the steward's search, a parent's view.

Entries name the child as it was known at the release. A child merged into
another since then keeps its entries, so both readers look a child up
together with every child merged into it, whichever of their IDs is given.
A parent's view goes further and follows the records each entry released:
a split, a move or an undo may have taken them to another child since, and
the parent with them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from braid.access import policy
from braid.access.models import DisclosedRecord, Disclosure
from braid.children.models import Child
from braid.community.models import Organization
from braid.consent.models import Guardian


@dataclass(frozen=True)
class Filters:
    """What the steward narrows the record to; empty values narrow nothing."""

    child: str = ""
    organization: Organization | None = None
    username: str = ""
    purpose: str = ""
    release: str = ""
    since: date | None = None
    until: date | None = None


def search(user: policy.AnyUser, filters: Filters) -> QuerySet[Disclosure]:
    """Return the entries that match, newest first; the steward's only.

    Raise PermissionDenied for anyone else.
    """
    if not policy.is_steward(user):
        raise PermissionDenied(_("Only the community's steward searches the record."))

    entries = Disclosure.objects.select_related("child", "organization")
    if filters.child:
        entries = entries.filter(child_id__in=_family_of_public_id(filters.child))
    if filters.organization is not None:
        entries = entries.filter(organization=filters.organization)
    if filters.username:
        entries = entries.filter(username__iexact=filters.username.strip())
    if filters.purpose:
        entries = entries.filter(purpose=filters.purpose)
    if filters.release:
        entries = entries.filter(release=filters.release)
    if filters.since is not None:
        entries = entries.filter(at__gte=_start_of(filters.since))
    if filters.until is not None:
        entries = entries.filter(at__lt=_start_of(filters.until + timedelta(days=1)))
    return entries.order_by("-sequence")


def parent_entries(user: policy.AnyUser, child: Child) -> QuerySet[Disclosure]:
    """Return the child's entries for one of the child's guardians, else none.

    A guardian is someone named on the child's records whose portal account
    is this user and whom no court order restricts. Anyone else gets an
    empty queryset rather than an error, so that a page built on it says no
    more about a child than that there is nothing to show.

    The child's entries are those that released one of its records, under
    whichever child ID the record had then; an entry none of whose records
    can be traced any more stays with the child it was filed under.
    """
    if not user.is_authenticated or not user.is_active:
        return Disclosure.objects.none()

    family = _family(child.survivor())
    now = timezone.now()
    guardian = Guardian.objects.filter(user_id=user.pk, child_id__in=family).filter(
        Q(restricted_at__isnull=True) | Q(restricted_at__gt=now)
    )
    return (
        Disclosure.objects.filter(_about(family))
        .filter(Exists(guardian))
        .select_related("child", "organization")
        .order_by("-sequence")
    )


def _about(family: list[int]) -> Q:
    """Match the entries that released a record the family holds now.

    Records, not the child an entry was filed under, say whose data it was:
    after a split the entry follows the records that left, and no longer
    shows for the child they left.
    """
    held_now = DisclosedRecord.objects.filter(
        source_record__child_id__in=family
    ).values("disclosure_id")
    # An inner join: only records that still exist can be followed.
    traceable = DisclosedRecord.objects.filter(
        disclosure=OuterRef("pk"), source_record__child_id__isnull=False
    )
    return Q(pk__in=held_now) | Q(Q(child_id__in=family), ~Exists(traceable))


def grounds_summary(grounds: Any) -> str:
    """Say which agreements and consents an entry's grounds name, by id.

    Each item of ``grounds`` is one contributor's record and category; many
    share an agreement and a consent, which are named once.
    """
    named: dict[str, None] = {}
    for item in grounds if isinstance(grounds, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("agreement") is not None:
            named[_("agreement %(id)s") % {"id": item["agreement"]}] = None
        if item.get("consent") is not None:
            version = item.get("consent_version")
            named[
                _("consent %(id)s version %(version)s")
                % {
                    "id": item["consent"],
                    "version": "?" if version is None else version,
                }
            ] = None
    return "; ".join(named)


def _family_of_public_id(public_id: str) -> list[int]:
    key = "".join(public_id.split()).replace("-", "").upper()
    child = Child.objects.filter(public_id=key).first()
    if child is None:
        return []
    return _family(child.survivor())


def _family(survivor: Child) -> list[int]:
    """Return the survivor's id and those of every child merged into it."""
    found = [survivor.pk]
    level = [survivor.pk]
    # One query a generation of merges, which is seldom more than one or two.
    while level:
        level = list(
            Child.objects.filter(merged_into_id__in=level)
            .order_by()
            .values_list("pk", flat=True)
        )
        found.extend(level)
    return found


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
