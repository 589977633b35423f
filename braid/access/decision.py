"""May this user, for this purpose, see this category of a child's data?

The one decision point for child-level data. A source record belongs to the
organization that contributed it; reading it is one of:

- the contributor's own people: an organization admin reads all of it,
  staff the records of their own programs' children (or all of it, when
  assigned no program), an evaluator de-identified data only;
- anyone else: an active agreement from that contributor to the reader's
  organization for the category, purpose and level, not withheld by the
  contributor; for identifiable data the child's consent as well, and, when
  the reader's organization contributes records of children itself, a
  child it serves (holds a record of).

Analysts read aggregates only, and the steward administers without reading
identifiable data on any other grounds than these. Deny is the default, and
every answer says why in plain words.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from braid.access.policy import AnyUser, memberships
from braid.agreements.models import (
    LEVEL_ORDER,
    Agreement,
    AgreementState,
    LegalBasis,
    Level,
    Purpose,
)
from braid.children.models import Child, SourceRecord
from braid.community.models import Membership, Organization, Role
from braid.consent import evaluation
from braid.records.models import Category, Enrollment

# The most each role may read of another organization's records, whatever
# an agreement grants.
ROLE_CEILING = {
    Role.STEWARD: Level.IDENTIFIABLE,
    Role.ORG_ADMIN: Level.IDENTIFIABLE,
    Role.STAFF: Level.IDENTIFIABLE,
    Role.EVALUATOR: Level.DEIDENTIFIED,
    Role.ANALYST: Level.AGGREGATE,
}


@dataclass(frozen=True)
class Question:
    purpose: str
    category: str
    level: str
    at: datetime


@dataclass(frozen=True)
class Answer:
    """The decision on one record, its reasons, and what allowed it."""

    allowed: bool
    reasons: tuple[str, ...]
    own: bool = False
    organization_id: int | None = None  # the reader's, that the grant is to
    agreement_id: int | None = None
    legal_basis: str = ""
    consent_id: int | None = None
    consent_version: int | None = None

    def __bool__(self) -> bool:
        return self.allowed

    def grounds(self, record: SourceRecord, category: str) -> dict[str, Any]:
        """Return this answer as one contributor's part of a disclosure."""
        return {
            "contributor": record.organization_id,
            "record": record.pk,
            "category": category,
            "agreement": self.agreement_id,
            "consent": self.consent_id,
            "consent_version": self.consent_version,
        }


@dataclass
class _Context:
    """What deciding about a batch of records needs, loaded once."""

    question: Question
    memberships: list[Membership]
    program_records: dict[int, set[int]] = field(default_factory=dict)
    agreements: list[Agreement] = field(default_factory=list)
    consents: dict[int, list[evaluation.ConsentFacts]] = field(default_factory=dict)
    family: dict[int, int] = field(default_factory=dict)
    birth_dates: dict[int, date | None] = field(default_factory=dict)
    # (organization, survivor): the reader's organizations' children
    served: set[tuple[int, int]] = field(default_factory=set)


def ask(
    purpose: str, category: str, level: str, at: datetime | None = None
) -> Question:
    if purpose not in Purpose.values:
        raise ValueError(f"unknown purpose {purpose!r}")
    if category not in Category.values:
        raise ValueError(f"unknown category {category!r}")
    if level not in Level.values:
        raise ValueError(f"unknown level {level!r}")
    return Question(purpose, category, level, at or timezone.now())


def decide(user: AnyUser, record: SourceRecord, question: Question) -> Answer:
    """Decide one record; ``decide_many`` decides many in as many queries."""
    return decide_many(user, [record], question)[record.pk]


def decide_many(
    user: AnyUser, records: Sequence[SourceRecord], question: Question
) -> dict[int, Answer]:
    """Decide each record, in a fixed number of queries however many."""
    if not user.is_authenticated:
        return {r.pk: Answer(False, (_("You are not signed in."),)) for r in records}
    if question.level == Level.AGGREGATE:
        return {
            r.pk: Answer(
                False,
                (_("Aggregates come from the community reports, not from records."),),
            )
            for r in records
        }
    context = _load(user, records, question)
    return {record.pk: _decide(record, context) for record in records}


def decide_categories(
    user: AnyUser, records: Sequence[SourceRecord], questions: Sequence[Question]
) -> dict[int, dict[str, Answer]]:
    """Decide each record for each category's question, loading what the
    decisions need once for all of them.

    The questions differ in their category only.
    """
    answers: dict[int, dict[str, Answer]] = {r.pk: {} for r in records}
    if not questions:
        return answers
    first = questions[0]
    if not user.is_authenticated or first.level == Level.AGGREGATE:
        for question in questions:
            for pk, answer in decide_many(user, records, question).items():
                answers[pk][question.category] = answer
        return answers

    context = _load(user, records, first)
    for question in questions:
        context.question = question
        for record in records:
            answers[record.pk][question.category] = _decide(record, context)
    return answers


def readable(
    user: AnyUser, records: QuerySet[SourceRecord], question: Question
) -> tuple[QuerySet[SourceRecord], dict[int, Answer]]:
    """Return the records the user may read, and the answer for each."""
    candidates = list(records.select_related("organization"))
    answers = decide_many(user, candidates, question)
    allowed = {pk: answer for pk, answer in answers.items() if answer}
    return records.filter(pk__in=list(allowed)), allowed


def own_records(user: AnyUser) -> QuerySet[SourceRecord]:
    """Records the user reads as their own organization's, filtered in SQL.

    Organization admins read all their organization contributed; staff the
    records of their programs' children, or all of it when assigned none.
    """
    scope = Q(pk__in=[])
    for membership in memberships(user):
        if membership.role == Role.ORG_ADMIN:
            scope |= Q(organization_id=membership.organization_id)
        elif membership.role == Role.STAFF:
            programs = [p.pk for p in membership.programs.all()]
            if not programs:
                scope |= Q(organization_id=membership.organization_id)
                continue
            served = Enrollment.objects.filter(program_id__in=programs).values(
                "source_record__child_id"
            )
            scope |= Q(organization_id=membership.organization_id, child_id__in=served)
    return SourceRecord.objects.filter(scope)


def _load(
    user: AnyUser, records: Sequence[SourceRecord], question: Question
) -> _Context:
    context = _Context(question, memberships(user))
    record_ids = [r.pk for r in records]
    staff = [m for m in context.memberships if m.role == Role.STAFF]
    if staff and record_ids:
        context.program_records = _program_records(staff, record_ids)

    own = {m.organization_id for m in context.memberships}
    foreign = {r.organization_id for r in records} - own
    if not foreign:
        return context
    context.agreements = _agreements(foreign, question.at)
    if question.level == Level.IDENTIFIABLE and context.agreements:
        children = {r.child_id for r in records if r.organization_id in foreign}
        context.family = _family(children)
        # Each survivor's consents, with those of the children merged into it.
        for member, facts in evaluation.load_facts(context.family).items():
            context.consents.setdefault(context.family[member], []).extend(facts)
        providers = {
            m.organization_id for m in context.memberships if m.organization.contributes
        }
        context.birth_dates, context.served = _records_of(context.family, providers)
    return context


def _decide(record: SourceRecord, context: _Context) -> Answer:
    reasons: list[str] = []
    for membership in context.memberships:
        if membership.organization_id == record.organization_id:
            answer = _own(record, membership, context)
        else:
            answer = _through_agreements(record, membership, context)
        if answer:
            return answer
        reasons.extend(answer.reasons)
    if not context.memberships:
        reasons.append(_("You are not a member of any organization."))
    return Answer(False, tuple(dict.fromkeys(reasons)))


def _own(record: SourceRecord, membership: Membership, context: _Context) -> Answer:
    level = context.question.level
    contributor = record.organization.name
    role = membership.get_role_display()
    if membership.role == Role.ORG_ADMIN:
        return Answer(
            True,
            (
                _("As %(role)s of %(org)s you read the records it contributed.")
                % {"role": role, "org": contributor},
            ),
            own=True,
            organization_id=membership.organization_id,
        )
    if membership.role == Role.STAFF:
        programs = context.program_records.get(membership.pk)
        if programs is None or record.pk in programs:
            return Answer(
                True,
                (
                    _(
                        "As staff of %(org)s you read the records of the children "
                        "in your programs."
                    )
                    % {"org": contributor},
                ),
                own=True,
                organization_id=membership.organization_id,
            )
        return Answer(
            False,
            (
                _("This child is in none of your programs at %(org)s.")
                % {"org": contributor},
            ),
        )
    if membership.role == Role.EVALUATOR and level != Level.IDENTIFIABLE:
        return Answer(
            True,
            (
                _("As evaluator of %(org)s you read its de-identified records.")
                % {"org": contributor},
            ),
            own=True,
            organization_id=membership.organization_id,
        )
    if membership.role == Role.STEWARD:
        return Answer(
            False,
            (
                _(
                    "As steward you administer the community; reading a child's "
                    "records needs the grounds anyone else would need."
                ),
            ),
        )
    return Answer(False, (_role_ceiling_reason(membership, level),))


def _through_agreements(
    record: SourceRecord, membership: Membership, context: _Context
) -> Answer:
    question = context.question
    reader = membership.organization
    contributor = record.organization
    ceiling = ROLE_CEILING.get(Role(membership.role), Level.AGGREGATE)
    if LEVEL_ORDER[Level(question.level)] > LEVEL_ORDER[ceiling]:
        return Answer(False, (_role_ceiling_reason(membership, question.level),))
    if membership.role == Role.STAFF:
        served = context.program_records.get(membership.pk)
        if served is not None and record.pk not in served:
            # A program's staff read other organizations' records only of
            # the children their programs serve.
            return Answer(
                False,
                (
                    _("This child is in none of your programs at %(org)s.")
                    % {"org": reader.name},
                ),
            )

    reasons: list[str] = []
    matching = [
        a
        for a in context.agreements
        if contributor in a.contributors.all() and a.covers_recipient(reader)
    ]
    if not matching:
        return Answer(
            False,
            (
                _(
                    "No active agreement shares %(contributor)s's records with "
                    "%(reader)s."
                )
                % {"contributor": contributor.name, "reader": reader.name},
            ),
        )
    for agreement in matching:
        why_not = _agreement_gap(agreement, record, reader, question)
        if why_not:
            reasons.append(why_not)
            continue
        if question.level != Level.IDENTIFIABLE:
            return _granted(agreement, membership, reasons=())
        if not _serves(record, membership, context):
            reasons.append(
                _(
                    "%(reader)s holds no record of this child, and reads other "
                    "organizations' identifiable records only of the children "
                    "it serves."
                )
                % {"reader": reader.name}
            )
            continue
        verdict = _consent(record, reader, context)
        if not verdict:
            reasons.append(
                _(
                    "Agreement “%(agreement)s” allows it, but identifiable data "
                    "also needs the parent's consent: %(why)s."
                )
                % {"agreement": agreement.title, "why": "; ".join(verdict.reasons)}
            )
            continue
        return _granted(agreement, membership, verdict=verdict)
    return Answer(False, tuple(reasons))


def _agreement_gap(
    agreement: Agreement,
    record: SourceRecord,
    reader: Organization,
    question: Question,
) -> str:
    """Return why an active agreement does not cover the question, or ''."""
    title = agreement.title
    if question.category not in agreement.categories:
        return _("Agreement “%(agreement)s” does not include %(category)s.") % {
            "agreement": title,
            "category": Category(question.category).label,
        }
    if question.purpose not in agreement.purposes:
        return _("Agreement “%(agreement)s” is not for %(purpose)s.") % {
            "agreement": title,
            "purpose": Purpose(question.purpose).label,
        }
    # An agreement grants its own level and no other: de-identified data
    # handed to an organization that may read the same children by name
    # (under consent) would be identifiable again in its hands.
    if agreement.level != question.level:
        return _("Agreement “%(agreement)s” grants %(level)s data only.") % {
            "agreement": title,
            "level": Level(agreement.level).label,
        }
    for withholding in agreement.withholdings.all():
        if (
            withholding.contributor_id == record.organization_id
            and withholding.in_force(question.at)
            and withholding.covers(question.category, reader)
        ):
            return _(
                "%(contributor)s has withheld this data from %(reader)s under "
                "agreement “%(agreement)s”."
            ) % {
                "contributor": record.organization.name,
                "reader": reader.name,
                "agreement": title,
            }
    return ""


def _serves(record: SourceRecord, membership: Membership, context: _Context) -> bool:
    """Whether the member's organization may read the record's child by name
    as one of the children it serves.

    An organization that contributes children's records works with the
    children it serves: a consent naming it does not open another
    organization's records of a child it holds no record of (one whose
    record a split has taken away, say). An organization that contributes
    none, a funder or the backbone, reads as a data user, on the agreement
    and the consent alone. Staff assigned programs have been held to those
    programs' children already.
    """
    if not membership.organization.contributes:
        return True
    if context.program_records.get(membership.pk) is not None:
        return True
    survivor = context.family.get(record.child_id, record.child_id)
    return (membership.organization_id, survivor) in context.served


def _consent(
    record: SourceRecord, reader: Organization, context: _Context
) -> evaluation.Verdict:
    survivor = context.family.get(record.child_id, record.child_id)
    facts = context.consents.get(survivor, [])
    request = evaluation.Request(
        recipient_id=reader.pk,
        recipient_kind=reader.kind,
        purpose=context.question.purpose,
        category=context.question.category,
        at=context.question.at,
    )
    return evaluation.evaluate(facts, request, context.birth_dates.get(survivor))


def _granted(
    agreement: Agreement,
    membership: Membership,
    reasons: Iterable[str] = (),
    verdict: evaluation.Verdict | None = None,
) -> Answer:
    said = [_grant_reason(agreement, membership), *reasons]
    if verdict is not None:
        said.extend(verdict.reasons)
    return Answer(
        True,
        tuple(said),
        organization_id=membership.organization_id,
        agreement_id=agreement.pk,
        legal_basis=agreement.legal_basis,
        consent_id=verdict.consent.pk if verdict and verdict.consent else None,
        consent_version=verdict.consent_version if verdict else None,
    )


@lru_cache(maxsize=256)
def _grant_label(role: str, basis: str, language: str | None) -> tuple[str, str]:
    return str(Role(role).label), str(LegalBasis(basis).label)


def _grant_reason(agreement: Agreement, membership: Membership) -> str:
    # Thousands of records are granted on the same few grounds: the labels
    # are looked up once per language, not once per record.
    role, basis = _grant_label(
        membership.role, agreement.legal_basis, translation.get_language()
    )
    return _(
        "As %(role)s of %(reader)s, under agreement “%(agreement)s” (%(basis)s)."
    ) % {
        "role": role,
        "reader": membership.organization.name,
        "agreement": agreement.title,
        "basis": basis,
    }


def _role_ceiling_reason(membership: Membership, level: str) -> str:
    if membership.role == Role.ANALYST:
        return _(
            "As analyst of %(org)s you read community reports (aggregates) only."
        ) % {"org": membership.organization.name}
    return _("As %(role)s of %(org)s you may not read %(level)s data.") % {
        "role": membership.get_role_display(),
        "org": membership.organization.name,
        "level": Level(level).label,
    }


def _program_records(
    staff: list[Membership], record_ids: list[int]
) -> dict[int, set[int]]:
    """For staff assigned programs, the records of those programs' children.

    A program's staff see the records of a child enrolled in their programs,
    whichever organization contributed the record.
    """
    assigned: dict[int, set[int]] = defaultdict(set)
    for membership_id, program_id in Membership.programs.through.objects.filter(
        membership__in=staff
    ).values_list("membership_id", "program_id"):
        assigned[membership_id].add(program_id)
    if not assigned:
        return {}

    all_programs = set().union(*assigned.values())
    child_programs: dict[int, set[int]] = defaultdict(set)
    for child_id, program_id in Enrollment.objects.filter(
        program_id__in=all_programs
    ).values_list("source_record__child_id", "program_id"):
        child_programs[child_id].add(program_id)
    record_child = dict(
        SourceRecord.objects.filter(pk__in=record_ids).values_list("pk", "child_id")
    )
    return {
        membership_id: {
            record_id
            for record_id, child_id in record_child.items()
            if child_programs.get(child_id, set()) & programs
        }
        for membership_id, programs in assigned.items()
    }


def _agreements(contributors: set[int], at: datetime) -> list[Agreement]:
    candidates = (
        Agreement.objects.filter(
            contributors__in=contributors, starts_on__lte=timezone.localdate(at)
        )
        .distinct()
        .prefetch_related("contributors", "recipients", "signatures", "withholdings")
    )
    return [a for a in candidates if a.state(at) == AgreementState.ACTIVE]


def _family(child_ids: Iterable[int]) -> dict[int, int]:
    """Map each child, and each child merged into one, to the survivor."""
    family = {pk: pk for pk in child_ids}
    frontier = set(family)
    while frontier:
        merged = dict(
            Child.objects.filter(merged_into__in=frontier).values_list(
                "pk", "merged_into_id"
            )
        )
        frontier = set(merged) - set(family)
        for pk in frontier:
            family[pk] = family[merged[pk]]
    return family


def _records_of(
    family: dict[int, int], organizations: set[int]
) -> tuple[dict[int, date | None], set[tuple[int, int]]]:
    """Return the earliest date of birth any record gives each survivor, and
    (organization, survivor) for each of the given organizations that holds
    a record of it.

    When records disagree, the earliest makes the child 18 soonest: a
    parent's consent stops counting no later than it should.
    """
    earliest: dict[int, date | None] = {}
    served: set[tuple[int, int]] = set()
    rows = (
        SourceRecord.objects.filter(child_id__in=list(family))
        .order_by()
        .values("child_id", "organization_id")
        .annotate(born=Min("birth_date"))
        .values_list("child_id", "organization_id", "born")
    )
    for child_id, organization_id, born in rows:
        survivor = family[child_id]
        if organization_id in organizations:
            served.add((organization_id, survivor))
        if born is None:
            continue
        known = earliest.get(survivor)
        earliest[survivor] = born if known is None else min(known, born)
    return earliest, served
