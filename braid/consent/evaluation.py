"""Whether a child's consents permit a disclosure, and why.

A consent is a tree of provisions, as in HL7 FHIR Consent: the root says
permit or deny for the recipients, purposes and categories it names, and
nested provisions are exceptions that flip it where they apply. Within a
provision the attributes are and-ed (and the values of one attribute
or-ed); sibling provisions are or-ed. Across consents an applicable deny
beats a permit, and when nothing applies the answer is deny. A permit an
organization recorded does not let that same organization in until the
steward has verified it against its scan.

Everything here is pure: the caller loads consents, their events and the
child's date of birth once, for as many children as it asks about.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from braid.consent.models import Consent, Decision, EventKind, Signer

ADULT_AGE = 18


@dataclass(frozen=True)
class Request:
    """A disclosure asked for: to whom, why, what, and when."""

    recipient_id: int
    recipient_kind: str
    purpose: str
    category: str
    at: datetime


@dataclass(frozen=True)
class Verdict:
    permitted: bool
    reasons: tuple[str, ...]
    consent: Consent | None = None
    consent_version: int | None = None

    def __bool__(self) -> bool:
        return self.permitted


@dataclass
class ConsentFacts:
    """What evaluation needs of one consent beyond its own row."""

    consent: Consent
    version: int = 1
    ended_at: datetime | None = None  # revoked, or the event occurred
    ended_by: str = ""
    superseded_at: datetime | None = None
    guardian_restricted_at: datetime | None = None
    # The organization that recorded it, where its word alone is not enough
    # for releases to itself (not the steward's, nor a guardian's own).
    recorder_id: int | None = None
    recorder_name: str = ""
    verified_at: datetime | None = None  # the steward checked it against its scan


def adult_on(birth_date: date | None) -> date | None:
    """Return the 18th birthday (a 29 February birthday counts 1 March)."""
    if birth_date is None:
        return None
    try:
        return birth_date.replace(year=birth_date.year + ADULT_AGE)
    except ValueError:
        return date(birth_date.year + ADULT_AGE, 3, 1)


def applies(node: Mapping[str, Any], request: Request) -> bool:
    """Whether every attribute a provision names matches the request."""
    recipients = node.get("recipients") or []
    kinds = node.get("recipient_kinds") or []
    if (recipients or kinds) and not (
        request.recipient_id in recipients or request.recipient_kind in kinds
    ):
        return False
    purposes = node.get("purposes") or []
    if purposes and request.purpose not in purposes:
        return False
    categories = node.get("categories") or []
    return not categories or request.category in categories


def decide_provision(
    node: Mapping[str, Any], request: Request, inherited: str
) -> str | None:
    """Return permit or deny where the provision applies, else None.

    A nested provision without its own decision flips its parent's.
    """
    if not applies(node, request):
        return None
    decision = node.get("decision") or _flip(inherited)
    found = [
        decide_provision(child, request, decision)
        for child in node.get("provisions") or []
    ]
    found = [d for d in found if d is not None]
    if found:
        return Decision.DENY if Decision.DENY in found else Decision.PERMIT
    return decision


def root(consent: Consent) -> dict[str, Any]:
    return {
        "decision": consent.decision,
        "recipients": consent.recipients,
        "recipient_kinds": consent.recipient_kinds,
        "purposes": consent.purposes,
        "categories": consent.categories,
        "provisions": consent.provisions,
    }


def not_in_force(facts: ConsentFacts, request: Request, adult: date | None) -> str:
    """Return why a consent does not count at the request's moment, or ''."""
    consent, at = facts.consent, request.at
    if consent.valid_from > at:
        return _("consent %(id)s is not yet in force") % {"id": consent.pk}
    if consent.valid_until is not None and consent.valid_until <= at:
        return _("consent %(id)s expired") % {"id": consent.pk}
    if facts.ended_at is not None and facts.ended_at <= at:
        if facts.ended_by == EventKind.REVOKED:
            return _("consent %(id)s was revoked") % {"id": consent.pk}
        return _("consent %(id)s ended with the event it was given until") % {
            "id": consent.pk
        }
    if facts.superseded_at is not None and facts.superseded_at <= at:
        return _("consent %(id)s was superseded by a later version") % {
            "id": consent.pk
        }
    if consent.signer == Signer.GUARDIAN:
        return _guardian_lapse(facts, request, adult)
    return ""


def unvouched(facts: ConsentFacts, request: Request) -> str:
    """Return why the consent cannot let its own recorder in yet, or ''.

    An organization cannot, alone, vouch for a consent that lets it receive
    data: until the steward has verified it against its scan, it does not
    permit a release to the organization that recorded it. Its refusals
    count at once: they let no one in.
    """
    if facts.recorder_id is None or facts.recorder_id != request.recipient_id:
        return ""
    if facts.verified_at is not None and facts.verified_at <= request.at:
        return ""
    return _(
        "consent %(id)s was recorded by %(recipient)s itself and the steward "
        "has not verified it yet"
    ) % {"id": facts.consent.pk, "recipient": facts.recorder_name}


def _guardian_lapse(facts: ConsentFacts, request: Request, adult: date | None) -> str:
    restricted = facts.guardian_restricted_at
    if restricted is not None and restricted <= request.at:
        return _("consent %(id)s was given by a guardian a court order restricts") % {
            "id": facts.consent.pk
        }
    if adult is None:
        return _(
            "the child's date of birth is not known, so it cannot be told "
            "whether consent %(id)s still speaks for them"
        ) % {"id": facts.consent.pk}
    if timezone.localdate(request.at) >= adult:
        return _(
            "the student is 18: a parent's consent (%(id)s) no longer "
            "allows new disclosures; the student's own consent is needed"
        ) % {"id": facts.consent.pk}
    return ""


def evaluate(
    consents: Sequence[ConsentFacts], request: Request, birth_date: date | None
) -> Verdict:
    """Return whether the child's consents permit the request, with reasons."""
    adult = adult_on(birth_date)
    lapsed: list[str] = []
    permits: list[ConsentFacts] = []
    for facts in consents:
        why_not = not_in_force(facts, request, adult)
        if why_not:
            lapsed.append(why_not)
            continue
        decision = decide_provision(root(facts.consent), request, Decision.PERMIT)
        if decision == Decision.DENY:
            return Verdict(
                False,
                (
                    _("consent %(id)s (version %(version)s) denies it")
                    % {"id": facts.consent.pk, "version": facts.version},
                ),
                facts.consent,
                facts.version,
            )
        if decision == Decision.PERMIT:
            why_not = unvouched(facts, request)
            if why_not:
                lapsed.append(why_not)
                continue
            permits.append(facts)

    if permits:
        chosen = max(permits, key=lambda f: (f.consent.signed_at, f.consent.pk))
        return Verdict(
            True,
            (
                _("consent %(id)s (version %(version)s) permits it")
                % {"id": chosen.consent.pk, "version": chosen.version},
            ),
            chosen.consent,
            chosen.version,
        )
    if not consents:
        return Verdict(False, (_("no consent is on file for this child"),))
    return Verdict(
        False,
        (_("no consent in force covers this recipient, purpose and data"), *lapsed),
    )


def facts_for(consents: Iterable[Consent]) -> list[ConsentFacts]:
    """Gather each consent's events, successor and guardian, already loaded.

    Expects the consents with ``events``, ``superseded_by``, ``guardian``,
    ``organization`` and ``verification`` fetched alongside (see
    ``load_facts``).
    """
    consents = list(consents)
    by_id = {c.pk: c for c in consents}
    found = []
    for consent in consents:
        facts = ConsentFacts(consent, _version(consent, by_id))
        ends = [e for e in consent.events.all() if e.kind in EventKind.values]
        if ends:
            first = min(ends, key=lambda e: e.at)
            facts.ended_at, facts.ended_by = first.at, first.kind
        successor = getattr(consent, "superseded_by", None)
        if successor is not None:
            facts.superseded_at = successor.valid_from
        if consent.guardian is not None:
            facts.guardian_restricted_at = consent.guardian.restricted_at
        recorder = consent.organization
        # The backbone's own recordings are the steward's, who verifies.
        if recorder is not None and not recorder.is_backbone:
            facts.recorder_id, facts.recorder_name = recorder.pk, recorder.name
        verification = getattr(consent, "verification", None)
        if verification is not None:
            facts.verified_at = verification.verified_at
        found.append(facts)
    return found


def load_facts(child_ids: Iterable[int]) -> dict[int, list[ConsentFacts]]:
    """Load the given children's consents in a fixed number of queries."""
    consents = (
        Consent.objects.filter(child_id__in=list(child_ids))
        .select_related("guardian", "superseded_by", "organization", "verification")
        .prefetch_related("events")
    )
    by_child: dict[int, list[ConsentFacts]] = {}
    for facts in facts_for(consents):
        by_child.setdefault(facts.consent.child_id, []).append(facts)
    return by_child


def _version(consent: Consent, by_id: Mapping[int, Consent]) -> int:
    # A consent supersedes only consents of the same child, all loaded here.
    number, current = 1, consent
    while current.supersedes_id in by_id:
        number += 1
        current = by_id[current.supersedes_id]  # type: ignore[index]
    return number


def _flip(decision: str) -> str:
    return Decision.DENY if decision == Decision.PERMIT else Decision.PERMIT
