"""Each kind of person lands on a home page made for its work."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from braid.access import policy
from braid.agreements.models import Agreement, AgreementState
from braid.children.models import Child, LinkRule, SourceRecord
from braid.community.models import Organization
from braid.http import AuthenticatedRequest
from braid.intake.models import BatchStatus, RosterBatch
from braid.linkage.models import ReviewItem
from braid.records.models import Enrollment

RECENT = 10


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if policy.is_steward(user):
        return render(request, "community/home/steward.html", _steward_context())
    if policy.record_organizations(user):
        return render(
            request, "community/home/contributor.html", _contributor_context(request)
        )
    if policy.can_read_aggregates(user):
        return render(request, "community/home/reader.html", {})
    return render(request, "community/home/none.html", {})


def _steward_context() -> dict[str, object]:
    organizations = Organization.objects.annotate(
        records=Count("source_records", distinct=True),
        open_enrollments=Count(
            "enrollments", filter=Q(enrollments__end_date=None), distinct=True
        ),
    )
    rules = dict(
        SourceRecord.objects.values_list("link_rule").annotate(n=Count("pk")).order_by()
    )
    linked_children = (
        SourceRecord.objects.values("child_id")
        .annotate(n=Count("organization_id", distinct=True))
        .filter(n__gt=1)
        .count()
    )
    queue = ReviewItem.objects.filter(
        status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED]
    ).aggregate(
        pairs=Count("pk", filter=Q(kind=ReviewItem.Kind.LINK)),
        duplicates=Count("pk", filter=Q(kind=ReviewItem.Kind.DUPLICATE)),
    )
    return {
        "organizations": organizations,
        "review_pairs": queue["pairs"],
        "review_duplicates": queue["duplicates"],
        # A merged child's ID only leads to another; it is not a child.
        "children": Child.objects.filter(merged_into__isnull=True).count(),
        "records": sum(rules.values()),
        "linked_children": linked_children,
        "model_links": rules.get(LinkRule.MODEL, 0),
        "human_links": rules.get(LinkRule.HUMAN, 0),
        "exact_links": rules.get(LinkRule.EXACT_NAME_DOB, 0),
        "new_children": rules.get(LinkRule.NEW_CHILD, 0),
        "batches": RosterBatch.objects.select_related("organization", "program")[
            :RECENT
        ],
        "problem_batches": RosterBatch.objects.filter(
            status__in=[BatchStatus.REJECTED, BatchStatus.FAILED]
        ).count(),
        "agreements": _agreement_states(),
    }


def _agreement_states() -> dict[str, int]:
    """Count agreements by state, and those ending within 60 days."""
    now = timezone.now()
    soon = timezone.localdate(now) + timedelta(days=60)
    counts = {"active": 0, "draft": 0, "ending": 0}
    agreements = Agreement.objects.prefetch_related(
        "contributors", "recipients", "signatures"
    )
    for agreement in agreements:
        state = agreement.state(now)
        if state == AgreementState.ACTIVE:
            counts["active"] += 1
            ending = min(filter(None, [agreement.ends_on, agreement.destruction_on]))
            counts["ending"] += ending <= soon
        elif state == AgreementState.DRAFT:
            counts["draft"] += 1
    return counts


def _contributor_context(request: AuthenticatedRequest) -> dict[str, object]:
    organizations = policy.record_organizations(request.user)
    today = timezone.localdate()
    served = (
        Enrollment.objects.filter(organization__in=organizations, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .values("organization__name", "program__name")
        .annotate(children=Count("source_record__child", distinct=True))
        .order_by("organization__name", "program__name")
    )
    return {
        "organizations": organizations,
        "can_upload": bool(policy.roster_organizations(request.user)),
        "served": served,
        "records": policy.visible_source_records(request.user).count(),
        "batches": policy.visible_batches(request.user).select_related(
            "organization", "program"
        )[:RECENT],
        "can_read_reports": bool(policy.can_read_aggregates(request.user)),
    }
