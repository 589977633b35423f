"""A child's mapping: its records and decisions, merges, splits and changes."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from braid.access import policy
from braid.children.models import Child, SourceRecord
from braid.children.normalize import mask
from braid.community.models import Organization
from braid.http import AuthenticatedRequest
from braid.linkage import decisions
from braid.linkage.decisions import (
    DuplicateRecords,
    MappingError,
    pair_label,
    record_label,
)
from braid.linkage.forms import FindChildForm, MergeForm, SplitForm, community_id_key
from braid.linkage.models import (
    MappingEvent,
    PairDecision,
    ReviewItem,
    TouchedChild,
    TouchedRecord,
)
from braid.linkage.views.common import require_steward

CHANGES_PER_PAGE = 25
HISTORY_LIMIT = 50
# The children a change concerned are named up to this many, else counted.
CHILDREN_LISTED = 4
# The kinds of change that may retire a child.
RETIRING = [
    MappingEvent.Kind.MERGE,
    MappingEvent.Kind.RELINK,
    MappingEvent.Kind.ROSTER,
    MappingEvent.Kind.UNDO,
]


@dataclass(frozen=True)
class EmptiedChild:
    """A child an undo left without records, which leads to this one."""

    child: Child
    undo: MappingEvent

    @property
    def undone(self) -> MappingEvent:
        assert self.undo.undoes is not None
        return self.undo.undoes

    @property
    def made_by_split(self) -> bool:
        """Say if the undone change was the split that made the child."""
        return self.undone.kind == MappingEvent.Kind.SPLIT


@dataclass(frozen=True)
class DecisionRow:
    """A standing decision as seen from one child's page."""

    decision: PairDecision
    here: SourceRecord
    other: SourceRecord
    other_name: dict[str, str]

    @property
    def other_child(self) -> Child | None:
        """Return the other record's child, or None when it is this one."""
        if self.other.child_id == self.here.child_id:
            return None
        return self.other.child


@login_required
@require_GET
def child_index(request: AuthenticatedRequest) -> HttpResponse:
    require_steward(request)
    form = FindChildForm(request.GET or None)
    if form.is_bound and form.is_valid():
        child: Child = form.cleaned_data["community_id"]
        return redirect("linkage:child", public_id=child.public_id)
    return render(request, "linkage/child/index.html", {"find": form})


@login_required
@require_GET
def child_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    require_steward(request)
    child = get_object_or_404(Child, public_id=community_id_key(public_id))
    if child.merged_into_id is not None:
        survivor = child.survivor()
        messages.info(
            request,
            _("Community ID %(old)s was merged into %(new)s, so it leads here.")
            % {"old": child.public_id, "new": survivor.public_id},
        )
        return redirect("linkage:child", public_id=survivor.public_id)
    return _render_child(request, child)


@login_required
@require_POST
def merge(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    require_steward(request)
    child, elsewhere = _child_or_survivor(request, public_id)
    if elsewhere is not None:
        return elsewhere
    form = MergeForm(request.POST, child=child)
    if not form.is_valid():
        return _render_child(request, child, merge_form=form)

    other: Child = form.cleaned_data["other"]
    try:
        decisions.merge(
            child,
            other,
            request.user,
            duplicates_in=form.confirmed_duplicates(),
        )
    except DuplicateRecords as error:
        form.add_error(None, str(error))
        return _render_child(
            request, child, merge_form=form, duplicates=error.organizations
        )
    except MappingError as error:
        messages.error(request, str(error))
        return redirect("linkage:child", public_id=child.public_id)
    child.refresh_from_db()
    survivor = child.survivor()
    retired = other if survivor.pk == child.pk else child
    messages.success(
        request,
        _("%(retired)s and %(survivor)s are now one child, %(survivor)s.")
        % {"retired": retired.public_id, "survivor": survivor.public_id},
    )
    return redirect("linkage:child", public_id=survivor.public_id)


@login_required
@require_POST
def split(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    require_steward(request)
    child, elsewhere = _child_or_survivor(request, public_id)
    if elsewhere is not None:
        return elsewhere
    form = SplitForm(request.POST, child=child)
    if not form.is_valid():
        return _render_child(request, child, split_form=form)

    records: Sequence[SourceRecord] = list(form.cleaned_data["records"])
    try:
        event = decisions.split(child, records, request.user)
    except MappingError as error:
        messages.error(request, str(error))
        return redirect("linkage:child", public_id=child.public_id)
    messages.success(
        request,
        " ".join(
            filter(None, [_split_message(child, records, event), followed_note(event)])
        ),
    )
    return redirect("linkage:child", public_id=child.public_id)


def _split_message(
    child: Child, chosen: Sequence[SourceRecord], event: MappingEvent
) -> str:
    """Say which records moved where: not always the ones chosen.

    When the records left behind are those a merged child brought in, they
    go back to it and the chosen records keep the child's ID.
    """
    target = Child.objects.get(pk=event.moves[0][2])
    moved = len(event.moves)
    if {record_id for record_id, _was, _now in event.moves} == {r.pk for r in chosen}:
        return ngettext(
            "%(count)s record separated into child %(id)s.",
            "%(count)s records separated into child %(id)s.",
            moved,
        ) % {"count": moved, "id": target.public_id}
    return ngettext(
        "The %(count)s record child %(other)s brought in by a merge went back "
        "to it; the records you chose keep ID %(id)s.",
        "The %(count)s records child %(other)s brought in by a merge went back "
        "to it; the records you chose keep ID %(id)s.",
        moved,
    ) % {"count": moved, "other": target.public_id, "id": child.public_id}


def followed_note(event: MappingEvent) -> str:
    """Say which consents and guardians went with the records, which stayed."""
    consents = len(event.summary.get("consents_moved", []))
    guardians = len(event.summary.get("guardians_moved", []))
    notes = []
    if consents:
        notes.append(
            ngettext(
                "%(count)s consent went with the records it was recorded from.",
                "%(count)s consents went with the records they were recorded from.",
                consents,
            )
            % {"count": consents}
        )
    if guardians:
        notes.append(
            ngettext(
                "%(count)s guardian went with the records that name them.",
                "%(count)s guardians went with the records that name them.",
                guardians,
            )
            % {"count": guardians}
        )
    consents_kept = event.summary.get("consents_kept", [])
    guardians_kept = event.summary.get("guardians_kept", [])
    if consents_kept or guardians_kept:
        kept = {child for _pk, child in [*consents_kept, *guardians_kept]}
        ids = ", ".join(
            Child.objects.filter(pk__in=kept).values_list("public_id", flat=True)
        )
        if consents_kept:
            notes.append(
                ngettext(
                    "%(count)s consent stayed with child %(ids)s.",
                    "%(count)s consents stayed with child %(ids)s.",
                    len(consents_kept),
                )
                % {"count": len(consents_kept), "ids": ids}
            )
        if guardians_kept:
            notes.append(
                ngettext(
                    "%(count)s guardian stayed with child %(ids)s.",
                    "%(count)s guardians stayed with child %(ids)s.",
                    len(guardians_kept),
                )
                % {"count": len(guardians_kept), "ids": ids}
            )
        notes.append(
            _(
                "The organization that recorded them now has records on both sides: "
                "ask it which child they are for."
            )
        )
    return " ".join(notes)


@login_required
@require_GET
def changes(request: AuthenticatedRequest) -> HttpResponse:
    require_steward(request)
    events = with_undone(MappingEvent.objects.select_related("created_by")).order_by(
        "-created_at", "-pk"
    )
    page = Paginator(events, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    shown: list[MappingEvent] = list(page.object_list)
    context = {
        "page": page,
        "events": event_rows(shown),
        "back": request.get_full_path(),
    }
    return render(request, "linkage/change/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask to confirm withdrawing a decision, then withdraw it once confirmed.

    The child page's button posts here without ``confirm``, which only shows
    what withdrawing does; the page shown posts again with it.
    """
    require_steward(request)
    decision = get_object_or_404(
        PairDecision.objects.select_related(
            "record_a__organization",
            "record_a__child",
            "record_b__organization",
            "record_b__child",
            "decided_by",
            "event",
        ).defer("event__moves", "event__merged", "event__revived", "event__summary"),
        pk=pk,
    )
    source = request.POST if request.method == "POST" else request.GET
    child = _child_of_decision(decision, source.get("child") or "")
    try:
        decisions.check_standing(decision)
    except MappingError as error:
        messages.error(request, str(error))
        return redirect("linkage:child", public_id=child.public_id)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        return _render_withdraw(request, decision, child)

    try:
        event = decisions.withdraw(decision, request.user)
    except MappingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _withdrawn_message(decision, event))
    return redirect("linkage:child", public_id=child.public_id)


def _child_or_survivor(
    request: AuthenticatedRequest, public_id: str
) -> tuple[Child, HttpResponse | None]:
    """Return the child, or a way to its survivor when it has been merged.

    A form on a page opened before a merge arrives here; the survivor's page
    is where the child is worked on now.
    """
    child = get_object_or_404(Child, public_id=community_id_key(public_id))
    if child.merged_into_id is None:
        return child, None
    survivor = child.survivor()
    messages.error(
        request,
        _("Child %(id)s has been merged into another; its page now leads there.")
        % {"id": child.public_id},
    )
    return child, redirect("linkage:child", public_id=survivor.public_id)


def _render_child(
    request: AuthenticatedRequest,
    child: Child,
    *,
    merge_form: MergeForm | None = None,
    split_form: SplitForm | None = None,
    duplicates: Sequence[Organization] = (),
) -> HttpResponse:
    records = list(
        child.source_records.select_related("organization", "link_model", "linked_by")
        .defer("link_model__parameters", "link_model__training")
        .order_by("organization__name", "local_id_key")
    )
    here = {r.pk for r in records}
    standing = _standing_decisions(here)
    others = [d.record_b if d.record_a_id in here else d.record_a for d in standing]
    readable = policy.readable_record_ids(request.user, here | {r.pk for r in others})
    merged_from = list(child.merged_children.order_by("merged_at", "pk"))
    history = _history(child, merged_from, here)
    emptied = _emptied_by_undo(child, merged_from)
    context = {
        "child": child,
        "records": [
            {
                "record": r,
                "name": _name(r, r.pk in readable),
                "readable": r.pk in readable,
            }
            for r in records
        ],
        "merged_from": [c for c in merged_from if c.pk not in emptied],
        "emptied_by_undo": [
            EmptiedChild(child=c, undo=emptied[c.pk])
            for c in merged_from
            if c.pk in emptied
        ],
        "decisions": [
            DecisionRow(
                decision=d,
                here=d.record_a if other is d.record_b else d.record_b,
                other=other,
                other_name=_name(other, other.pk in readable),
            )
            for d, other in zip(standing, others, strict=True)
        ],
        "events": event_rows(history),
        "back": reverse("linkage:child", args=[child.public_id]),
        "merge_form": merge_form or MergeForm(child=child),
        "split_form": split_form or SplitForm(child=child),
        "duplicates": duplicates,
    }
    return render(request, "linkage/child/detail.html", context)


def _name(record: SourceRecord, readable: bool) -> dict[str, str]:
    values = {
        "name": " ".join(
            filter(None, [record.first_name, record.middle_name, record.last_name])
        ),
        "birth_date": record.birth_date.isoformat() if record.birth_date else "",
    }
    if not readable:
        values = {key: mask(value) for key, value in values.items()}
    return {key: value or "—" for key, value in values.items()}


def _history(
    child: Child, merged_from: Sequence[Child], record_ids: set[int]
) -> list[MappingEvent]:
    """Return the latest changes that moved this child's records or IDs."""
    child_ids = {child.pk} | {c.pk for c in merged_from}
    touched = (
        TouchedChild.objects.filter(child__in=child_ids)
        .values("event")
        .union(TouchedRecord.objects.filter(record__in=record_ids).values("event"))
    )
    return list(
        with_undone(MappingEvent.objects.filter(pk__in=touched))
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


def _emptied_by_undo(
    child: Child, merged_from: Sequence[Child]
) -> dict[int, MappingEvent]:
    """Return the undo that left each of these children without records.

    An undo retires a child its records left, as a merge retires one; the
    rest were merged. The latest change that retired each child says which.
    """
    wanted = {c.pk for c in merged_from}
    if not wanted:
        return {}
    retiring = (
        MappingEvent.objects.filter(
            pk__in=TouchedChild.objects.filter(child__in=wanted).values("event"),
            kind__in=RETIRING,
        )
        .select_related("undoes")
        .only("kind", "merged", "undoes", "undoes__kind", "undoes__revived")
        .order_by("-created_at", "-pk")
    )
    found: dict[int, MappingEvent] = {}
    for event in retiring:
        for retired in wanted & {c for c, into in event.merged if into == child.pk}:
            wanted.discard(retired)
            # An undo also merges again a child the change it undoes had
            # brought back from a merge.
            undone = event.undoes
            if undone is not None and [retired, child.pk] not in undone.revived:
                found[retired] = event
        if not wanted:
            break
    return found


def with_undone(events: QuerySet[MappingEvent]) -> QuerySet[MappingEvent]:
    """Note on each change whether it has been undone, for ``event_rows``."""
    undoing = MappingEvent.objects.filter(undoes=OuterRef("pk"))
    return events.annotate(was_undone=Exists(undoing))


def event_rows(events: Sequence[MappingEvent]) -> list[dict[str, Any]]:
    undone = _undone(events)
    paired = _pair_records(events)
    touched = _children_touched(events)
    rows = []
    for event in events:
        concerned = touched.get(event.pk) or _children_of_pairs(event, paired)
        rows.append(
            {
                "event": event,
                "decided_pairs": _pair_labels(event, paired),
                "children": concerned.listed,
                "more_children": concerned.more,
                "records_moved": len(event.moves),
                "children_merged": len(event.merged),
                "children_revived": len(event.revived),
                "followed": followed_note(event),
                "undone": event.pk in undone,
                "can_undo": event.kind != MappingEvent.Kind.UNDO
                and event.pk not in undone,
            }
        )
    return rows


def _undone(events: Sequence[MappingEvent]) -> set[int]:
    """Return which of these changes have been undone.

    Changes read through ``with_undone`` say so themselves; the others are
    looked up.
    """
    noted = {e.pk: getattr(e, "was_undone", None) for e in events}
    undone = {pk for pk, was in noted.items() if was}
    unknown = [pk for pk, was in noted.items() if was is None]
    if unknown:
        found = MappingEvent.objects.filter(undoes__in=unknown)
        undone |= set(found.values_list("undoes_id", flat=True))
    return undone


@dataclass(frozen=True)
class Concerned:
    """The community IDs of the children a change concerned, the first few."""

    listed: list[str]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.listed)

    @classmethod
    def of(cls, public_ids: Sequence[str], total: int) -> "Concerned":
        if total <= CHILDREN_LISTED:
            return cls(list(public_ids), total)
        # One place goes to "and N more", which says more than one last ID.
        return cls(list(public_ids[: CHILDREN_LISTED - 1]), total)


def _children_touched(events: Sequence[MappingEvent]) -> dict[int, Concerned]:
    """Return the first children each change touched, and how many it did.

    A full re-link touches thousands of children: the database numbers each
    change's children and returns only the first few, with the count.
    """
    if not events:
        return {}
    found = (
        TouchedChild.objects.filter(event__in=[e.pk for e in events])
        .annotate(
            place=Window(
                RowNumber(), partition_by=F("event"), order_by=F("child").asc()
            ),
            total=Window(Count("*"), partition_by=F("event")),
        )
        .filter(place__lte=CHILDREN_LISTED)
        .order_by("event_id", "place")
        .values_list("event_id", "child__public_id", "total")
    )
    ids: dict[int, list[str]] = defaultdict(list)
    totals: dict[int, int] = {}
    for event_id, public_id, total in found:
        ids[event_id].append(public_id)
        totals[event_id] = total
    return {pk: Concerned.of(ids[pk], totals[pk]) for pk in totals}


def _children_of_pairs(
    event: MappingEvent, records: dict[int, SourceRecord]
) -> Concerned:
    """Return the children now holding the records of a change's pairs.

    A withdrawn decision, or its undo, moves no record and touches no child:
    the pair's children are the ones it concerned.
    """
    pairs = event.summary.get("decided_pairs", [])
    held = {records[pk].child for pair in pairs for pk in pair if pk in records}
    ordered = sorted(held, key=lambda child: child.pk)
    return Concerned.of([child.public_id for child in ordered], len(ordered))


def _pair_records(events: Sequence[MappingEvent]) -> dict[int, SourceRecord]:
    """Return the records of the pairs whose decisions the changes touched."""
    ids = {
        record_id
        for event in events
        for pair in event.summary.get("decided_pairs", [])
        for record_id in pair
    }
    if not ids:
        return {}
    return SourceRecord.objects.select_related("organization", "child").in_bulk(ids)


def _pair_labels(event: MappingEvent, records: dict[int, SourceRecord]) -> list[str]:
    """Name the pairs whose decisions a change withdrew or restored."""
    return [
        _("%(first)s and %(second)s")
        % {
            "first": _label_or_id(records.get(a), a),
            "second": _label_or_id(records.get(b), b),
        }
        for a, b in event.summary.get("decided_pairs", [])
    ]


def _label_or_id(record: SourceRecord | None, record_id: int) -> str:
    # A record deleted since is named by its number alone.
    if record is None:
        return _("record %(number)s") % {"number": record_id}
    return record_label(record)


def _standing_decisions(record_ids: set[int]) -> list[PairDecision]:
    """Return the decisions that hold on any of these records, newest first."""
    return list(
        PairDecision.standing.filter(
            Q(record_a_id__in=record_ids) | Q(record_b_id__in=record_ids)
        )
        .select_related(
            "record_a__organization",
            "record_a__child",
            "record_b__organization",
            "record_b__child",
            "decided_by",
            "event",
        )
        .defer("event__moves", "event__merged", "event__revived", "event__summary")
        .order_by("-decided_at", "-pk")
    )


def _child_of_decision(decision: PairDecision, public_id: str) -> Child:
    """Return the child whose page the person came from, else record A's.

    The page named must hold one of the decision's records; any other falls
    back, so that a stale or odd form still leads to a page about the pair.
    """
    if public_id:
        child = Child.objects.filter(
            public_id=community_id_key(public_id),
            merged_into__isnull=True,
            source_records__in=[decision.record_a_id, decision.record_b_id],
        ).first()
        if child is not None:
            return child
    return decision.record_a.child.survivor()


def _render_withdraw(
    request: AuthenticatedRequest, decision: PairDecision, child: Child
) -> HttpResponse:
    pair = [decision.record_a, decision.record_b]
    readable = policy.readable_record_ids(request.user, [r.pk for r in pair])
    context = {
        "decision": decision,
        "child": child,
        "pair": pair_label(decision),
        "records": [
            {
                "record": r,
                "name": _name(r, r.pk in readable),
                "child": r.child,
            }
            for r in pair
        ],
        "queued": ReviewItem.objects.filter(decision=decision).exists(),
    }
    return render(request, "linkage/decision/withdraw.html", context)


def _withdrawn_message(decision: PairDecision, event: MappingEvent) -> str:
    values = {"pair": pair_label(decision), "number": event.pk}
    if decision.same:
        message = _(
            "Decision withdrawn (change #%(number)s): %(pair)s are no longer held "
            "together as one child. No record moved; separate them on this page "
            "if they are not one child."
        )
    else:
        message = _(
            "Decision withdrawn (change #%(number)s): %(pair)s are no longer held "
            "apart. No record moved; a merge or the next linking run may join them."
        )
    message %= values
    if event.summary.get("reopened"):
        message = " ".join([message, _("The pair is back in the review queue.")])
    return message
