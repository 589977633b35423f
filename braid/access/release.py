"""Releasing child-level data: what a page or an export shows, and its record.

Everything shown of a child's records passes the decision point category by
category, and every identifiable release of another organization's record
is written to the record of disclosures in the same transaction. Records
the user may not read in any category are not mentioned at all: that a
clinic holds a record of a child is itself something to protect.
"""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from braid.access import decision, disclosures
from braid.access.decision import Answer, ask
from braid.access.models import Release
from braid.agreements.models import Level
from braid.children.models import Child, SourceRecord
from braid.community.models import Organization
from braid.records.models import AssessmentResult, Category, Enrollment

# What the page and the export show of each category; the others have no
# records in Braid yet.
SHOWN = [
    Category.DEMOGRAPHICS,
    Category.GUARDIAN_CONTACT,
    Category.ENROLLMENT,
    Category.ATTENDANCE,
    Category.ASSESSMENTS,
]
DEMOGRAPHICS = [
    "local_id",
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "birth_date",
    "gender",
    "address",
    "zip_code",
    "school",
    "grade",
]
GUARDIAN_CONTACT = ["guardian_name", "guardian_phone", "guardian_email"]
# De-identified rows keep what describes a child without naming or
# locating them: no names, no address, the year of birth only.
DEIDENTIFIED_DEMOGRAPHICS = ["gender", "school", "grade"]


@dataclass
class RecordView:
    """One source record as the user may see it."""

    record: SourceRecord
    answers: dict[str, Answer]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def own(self) -> bool:
        return any(a.own for a in self.answers.values() if a)

    def shown(self, category: str) -> bool:
        return bool(self.answers.get(category))

    def sections(self) -> list[dict[str, Any]]:
        """Each category in the order pages show them, with its answer."""
        labels = dict(Category.choices)
        return [
            {
                "category": category,
                "label": labels[category],
                "answer": self.answers[category],
                "data": self.data.get(category),
            }
            for category in SHOWN
            if category in self.answers
        ]


@dataclass
class ChildView:
    child: Child
    purpose: str
    records: list[RecordView]
    disclosed: int = 0


def decide_categories(
    user: User | Any,
    records: Sequence[SourceRecord],
    purpose: str,
    level: str,
    at: datetime,
    categories: Iterable[str] = SHOWN,
) -> dict[int, dict[str, Answer]]:
    """Ask the decision point about each record, for each category."""
    questions = [ask(purpose, category, level, at) for category in categories]
    return decision.decide_categories(user, records, questions)


def view_child(
    user: User, child: Child, purpose: str, reference: str, at: datetime | None = None
) -> ChildView | None:
    """Return what the user may see of a child, recording what it discloses.

    None when the user may see nothing of the child at all.
    """
    at = at or timezone.now()
    records = list(
        SourceRecord.objects.filter(child=child)
        .select_related("organization")
        .order_by("organization__name", "pk")
    )
    answers = decide_categories(user, records, purpose, Level.IDENTIFIABLE, at)
    views = [
        RecordView(record, answers[record.pk])
        for record in records
        if any(answers[record.pk].values())
    ]
    if not views:
        return None
    _fill(views)

    with transaction.atomic():
        written = _record(user, views, purpose, Release.PAGE, reference, at)
    return ChildView(child, purpose, views, disclosed=len(written))


def export_rows(
    user: User,
    purpose: str,
    categories: Sequence[str],
    level: str,
    reference: str,
    at: datetime | None = None,
) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of an export, its disclosures written.

    The decision is made at the moment of release, not when the export was
    asked for: a consent revoked in between keeps the child out of it.
    """
    at = at or timezone.now()
    candidates = _candidates(user, at)
    answers = decide_categories(user, candidates, purpose, level, at, categories)
    views = [
        RecordView(r, answers[r.pk]) for r in candidates if any(answers[r.pk].values())
    ]
    if level == Level.DEIDENTIFIED:
        # A recipient's own records, which it reads by name, would tie its
        # children to the pseudonyms of everyone else's records.
        views = [view for view in views if not view.own]
    _fill(views)
    header = _header(categories, level)
    rows = [_row(view, categories, level) for view in views]

    with transaction.atomic():
        if level == Level.IDENTIFIABLE:
            _record(user, views, purpose, Release.EXPORT, reference, at)
    return header, rows


def _candidates(user: User, at: datetime) -> list[SourceRecord]:
    """Records worth asking about: the user's own organizations' and those of
    contributors with an active agreement to one of them.

    The decision point still decides each; this only keeps the question
    from being asked of the whole community.
    """
    from braid.access.decision import own_records
    from braid.access.policy import memberships
    from braid.agreements.models import Agreement, AgreementState

    readers = [m.organization for m in memberships(user)]
    contributors: set[int] = set()
    # A community has tens of agreements, not thousands.
    agreements = Agreement.objects.prefetch_related(
        "contributors", "recipients", "signatures"
    )
    for agreement in agreements:
        if agreement.state(at) != AgreementState.ACTIVE:
            continue
        if any(agreement.covers_recipient(org) for org in readers):
            contributors.update(org.pk for org in agreement.contributors.all())
    query = own_records(user) | SourceRecord.objects.filter(
        organization_id__in=contributors
    )
    return list(
        query.select_related("organization", "child").order_by(
            "child__public_id", "organization__name", "pk"
        )
    )


def _fill(views: list[RecordView]) -> None:
    """Load each shown category's data, in a fixed number of queries."""
    by_id = {view.record.pk: view for view in views}
    wanted = {
        category: [pk for pk, v in by_id.items() if v.shown(category)]
        for category in SHOWN
    }
    for view in views:
        record = view.record
        if view.shown(Category.DEMOGRAPHICS):
            view.data[Category.DEMOGRAPHICS] = {
                name: getattr(record, name) for name in DEMOGRAPHICS
            }
        if view.shown(Category.GUARDIAN_CONTACT):
            view.data[Category.GUARDIAN_CONTACT] = {
                name: getattr(record, name) for name in GUARDIAN_CONTACT
            }
    if wanted[Category.ENROLLMENT]:
        enrollments = Enrollment.objects.filter(
            source_record_id__in=wanted[Category.ENROLLMENT]
        ).select_related("program")
        for enrollment in enrollments.order_by("start_date"):
            by_id[enrollment.source_record_id].data.setdefault(
                Category.ENROLLMENT, []
            ).append(enrollment)
    if wanted[Category.ATTENDANCE]:
        summary = (
            Enrollment.objects.filter(source_record_id__in=wanted[Category.ATTENDANCE])
            .annotate(
                present=Count("attendance", filter=Q(attendance__status="present")),
                absent=Count("attendance", filter=Q(attendance__status="absent")),
                excused=Count("attendance", filter=Q(attendance__status="excused")),
                last_day=Max("attendance__day"),
            )
            .select_related("program")
        )
        for enrollment in summary:
            by_id[enrollment.source_record_id].data.setdefault(
                Category.ATTENDANCE, []
            ).append(enrollment)
    if wanted[Category.ASSESSMENTS]:
        results = AssessmentResult.objects.filter(
            source_record_id__in=wanted[Category.ASSESSMENTS]
        ).order_by("administered_on")
        for result in results:
            by_id[result.source_record_id].data.setdefault(
                Category.ASSESSMENTS, []
            ).append(result)


def _record(
    user: User,
    views: list[RecordView],
    purpose: str,
    release: str,
    reference: str,
    at: datetime,
) -> list[Any]:
    """Write one disclosure per child for what other organizations' records
    showed."""
    # One entry per child per recipient organization: a person in two
    # organizations may receive under two agreements at once.
    shown: dict[int, dict[int, list[tuple[RecordView, str, Answer]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for view in views:
        for category, answer in view.answers.items():
            if answer and not answer.own and answer.organization_id is not None:
                shown[answer.organization_id][view.record.child_id].append(
                    (view, category, answer)
                )

    written: list[Any] = []
    for organization_id, per_child in shown.items():
        entries = [
            disclosures.Entry(
                child_id=child_id,
                categories=tuple(sorted({category for _, category, _ in parts})),
                purpose=purpose,
                legal_basis=parts[0][2].legal_basis,
                level=Level.IDENTIFIABLE,
                grounds=[a.grounds(v.record, c) for v, c, a in parts],
            )
            for child_id, parts in per_child.items()
        ]
        written += disclosures.record_release(
            user=user,
            organization=Organization.objects.get(pk=organization_id),
            release=release,
            reference=reference,
            entries=entries,
            at=at,
        )
    return written


def pseudonym(child: Child, recipient_id: int | None) -> str:
    """A code for a child in one recipient's de-identified data.

    Keyed with the site's secret and the recipient, so that it cannot be
    turned back into the community ID, and two recipients cannot join their
    data sets on it.
    """
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"deidentified:{recipient_id}:{child.public_id}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return digest[:16]


def _header(categories: Sequence[str], level: str) -> list[str]:
    if level == Level.IDENTIFIABLE:
        header = ["community_id", "organization"]
        if Category.DEMOGRAPHICS in categories:
            header += DEMOGRAPHICS
        if Category.GUARDIAN_CONTACT in categories:
            header += GUARDIAN_CONTACT
    else:
        header = ["pseudonym", "organization"]
        if Category.DEMOGRAPHICS in categories:
            header += ["birth_year", *DEIDENTIFIED_DEMOGRAPHICS]
    if Category.ENROLLMENT in categories:
        header += ["programs"]
    if Category.ATTENDANCE in categories:
        header += ["days_present", "days_absent", "days_excused"]
    if Category.ASSESSMENTS in categories:
        header += ["assessments"]
    return header


def _row(view: RecordView, categories: Sequence[str], level: str) -> list[str]:
    record = view.record
    identifiable = level == Level.IDENTIFIABLE
    granted = next((a for a in view.answers.values() if a), None)
    recipient = granted.organization_id if granted else None
    row = [
        record.child.public_id if identifiable else pseudonym(record.child, recipient),
        record.organization.slug,
    ]
    demographics = view.data.get(Category.DEMOGRAPHICS, {})
    if Category.DEMOGRAPHICS in categories:
        if identifiable:
            row += [_text(demographics.get(name)) for name in DEMOGRAPHICS]
        else:
            born = demographics.get("birth_date")
            row += [str(born.year) if born else ""]
            row += [_text(demographics.get(name)) for name in DEIDENTIFIED_DEMOGRAPHICS]
    if identifiable and Category.GUARDIAN_CONTACT in categories:
        contact = view.data.get(Category.GUARDIAN_CONTACT, {})
        row += [_text(contact.get(name)) for name in GUARDIAN_CONTACT]
    if Category.ENROLLMENT in categories:
        enrollments = view.data.get(Category.ENROLLMENT, [])
        row += ["; ".join(_enrollment(e) for e in enrollments)]
    if Category.ATTENDANCE in categories:
        attended = view.data.get(Category.ATTENDANCE, [])
        if view.shown(Category.ATTENDANCE):
            row += [str(sum(getattr(e, k) for e in attended)) for k in _DAYS]
        else:
            row += ["", "", ""]
    if Category.ASSESSMENTS in categories:
        results = view.data.get(Category.ASSESSMENTS, [])
        row += ["; ".join(_assessment(r) for r in results)]
    return row


_DAYS = ("present", "absent", "excused")


def _enrollment(enrollment: Enrollment) -> str:
    program = enrollment.program.slug if enrollment.program else ""
    end = enrollment.end_date.isoformat() if enrollment.end_date else ""
    return f"{program} {enrollment.start_date.isoformat()}..{end}"


def _assessment(result: AssessmentResult) -> str:
    score = "" if result.score is None else f"{result.score.normalize()}"
    return f"{result.instrument} {result.administered_on.isoformat()} {score}".strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)
