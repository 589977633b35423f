"""Undoing a change to the mapping: what it will do, then doing it.

The page shown first reads what the change left and says what undoing it
would put back; nothing is locked or written until the steward confirms,
and ``decisions.undo`` checks everything again then.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from braid.children.models import Child, SourceRecord
from braid.http import AuthenticatedRequest
from braid.linkage import decisions
from braid.linkage.batches import in_chunks
from braid.linkage.decisions import MappingError, pair_label, record_label
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from braid.linkage.views.common import require_steward
from braid.linkage.views.mapping import event_rows, followed_note

# A large change is counted, not listed: a full re-link moves thousands.
LISTED = 25


@dataclass(frozen=True)
class Going:
    """Records an undo takes from one child back to the one they left."""

    now: Child | None
    back_to: Child | None
    count: int
    records: Sequence[SourceRecord] = ()


@dataclass(frozen=True)
class Retiring:
    """A community ID whose meaning an undo changes."""

    child: Child
    leads_to: Child | None
    emptied: bool = False


@dataclass(frozen=True)
class DecisionLine:
    """A decision the undo takes back or lets hold again, by its pair."""

    same: bool
    pair: str

    @classmethod
    def of(cls, decisions: Iterable[PairDecision]) -> list["DecisionLine"]:
        return [cls(same=d.same, pair=pair_label(d)) for d in decisions]


@dataclass(frozen=True)
class MovedSince:
    """A record the change moved that a later change has moved again."""

    label: str
    child: Child | None


@dataclass
class UndoPlan:
    """What undoing a change would do, or what stands in its way."""

    event: MappingEvent
    moved_since: list[MovedSince] = field(default_factory=list)
    moved_since_total: int = 0
    later_changes: list[int] = field(default_factory=list)
    held_elsewhere: list[str] = field(default_factory=list)
    going: list[Going] = field(default_factory=list)
    going_more: int = 0
    records_total: int = 0
    ids: list[Retiring] = field(default_factory=list)
    ids_more: int = 0
    taken_back: list[DecisionLine] = field(default_factory=list)
    taken_back_total: int = 0
    queued_again: int = 0
    held_again: list[DecisionLine] = field(default_factory=list)
    unqueued: int = 0
    queue_back: int = 0
    queue_leaving: int = 0
    consents: int = 0
    guardians: int = 0

    @property
    def blocked(self) -> bool:
        return bool(self.moved_since or self.held_elsewhere)

    @property
    def taken_back_more(self) -> int:
        return self.taken_back_total - len(self.taken_back)

    @property
    def moved_since_more(self) -> int:
        return self.moved_since_total - len(self.moved_since)


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Say what undoing a change would do, then undo it once confirmed.

    The lists of changes link here; the page shown posts back here, and the
    post undoes the change as ``decisions.undo`` allows it then.
    """
    require_steward(request)
    event = get_object_or_404(MappingEvent.objects.select_related("created_by"), pk=pk)
    source = request.POST if request.method == "POST" else request.GET
    back = _safe_next(request, source.get("next", ""))
    if request.method == "GET":
        return _ask(request, event, back)

    try:
        reversal = decisions.undo(event, request.user)
    except MappingError as error:
        messages.error(request, str(error))
    else:
        undone = _("Change %(number)s (%(kind)s) undone.") % {
            "number": event.pk,
            "kind": event.get_kind_display(),
        }
        messages.success(
            request, " ".join(filter(None, [undone, followed_note(reversal)]))
        )
    return redirect(back or "linkage:changes")


def _safe_next(request: AuthenticatedRequest, back: str) -> str:
    """Return the page to go back to, if it is one of this site's."""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""


def _ask(request: AuthenticatedRequest, event: MappingEvent, back: str) -> HttpResponse:
    refusal = _refusal(event)
    if refusal:
        messages.error(request, refusal)
        return redirect(back or "linkage:changes")

    [row] = event_rows([event])
    context = {
        "event": event,
        "row": row,
        "plan": plan(event),
        "back": back or reverse("linkage:changes"),
        "next": back,
    }
    return render(request, "linkage/change/undo.html", context)


def _refusal(event: MappingEvent) -> str:
    """Say why a change can never be undone, or return an empty string."""
    if event.kind == MappingEvent.Kind.UNDO:
        return _("An undo cannot itself be undone; make the change again.")
    if MappingEvent.objects.filter(undoes=event).exists():
        return _("This change has already been undone.")
    return ""


def plan(event: MappingEvent) -> UndoPlan:
    """Read what undoing ``event`` would do, changing nothing."""
    result = UndoPlan(event=event)
    where = _where_now(record_id for record_id, _was, _now in event.moves)
    _find_moved_since(result, where)
    _find_held_elsewhere(result)
    if result.blocked:
        return result

    _find_going(result)
    _find_ids(result, where)
    _find_decisions(result)
    _count_what_follows(result)
    return result


def _where_now(record_ids: Iterable[int]) -> dict[int, int]:
    """Return the child each of these records is with now, by record."""
    where: dict[int, int] = {}
    for chunk in in_chunks(sorted(set(record_ids))):
        found = SourceRecord.objects.filter(pk__in=chunk).values_list("pk", "child_id")
        where.update(found)
    return where


def _find_moved_since(result: UndoPlan, where: dict[int, int]) -> None:
    """Name the records moved since and the changes to undo first.

    ``decisions.undo`` refuses on the same answer, read again under its
    locks.
    """
    moved = decisions.later_moves(result.event, where, listed=LISTED)
    if not moved:
        return

    result.moved_since_total = moved.total
    result.later_changes = moved.changes
    records = SourceRecord.objects.select_related("organization", "child").in_bulk(
        moved.records
    )
    for record_id in moved.records:
        record = records.get(record_id)
        if record is None:
            label = _("record %(number)s") % {"number": record_id}
            result.moved_since.append(MovedSince(label=label, child=None))
        else:
            result.moved_since.append(
                MovedSince(label=record_label(record), child=record.child)
            )


def _find_held_elsewhere(result: UndoPlan) -> None:
    """Say which withdrawn decisions could not hold again after the undo."""
    withdrawn = PairDecision.objects.filter(withdrawn_by=result.event).select_related(
        "record_a__organization", "record_b__organization", "event__undone_by"
    )
    for decision in withdrawn.order_by("pk"):
        made_by = decision.event
        if made_by is not None and hasattr(made_by, "undone_by"):
            result.held_elsewhere.append(
                _(
                    "%(pair)s cannot be held again: the change that made this "
                    "decision, #%(number)s, has been undone since."
                )
                % {"pair": pair_label(decision), "number": made_by.pk}
            )
        elif PairDecision.standing.filter(
            record_a_id=decision.record_a_id, record_b_id=decision.record_b_id
        ).exists():
            result.held_elsewhere.append(
                _(
                    "%(pair)s have been decided again since; withdraw or undo "
                    "that later decision first."
                )
                % {"pair": pair_label(decision)}
            )


def _find_going(result: UndoPlan) -> None:
    """Group the records going back by the children they go between."""
    moves = result.event.moves
    result.records_total = len(moves)
    between: dict[tuple[int, int], list[int]] = defaultdict(list)
    for record_id, was, now in moves:
        between[(now, was)].append(record_id)
    # The largest groups first: in a re-link they are what the undo is about.
    ordered = sorted(between.items(), key=lambda item: (-len(item[1]), item[0]))
    shown = ordered[:LISTED]
    result.going_more = len(ordered) - len(shown)

    children = Child.objects.in_bulk({c for (now, was), _ in shown for c in (now, was)})
    records = {}
    if len(moves) <= LISTED:
        records = SourceRecord.objects.select_related("organization").in_bulk(
            [record_id for record_id, _was, _now in moves]
        )
    for (now, was), record_ids in shown:
        listed = [records[r] for r in record_ids if r in records]
        result.going.append(
            Going(
                now=children.get(now),
                back_to=children.get(was),
                count=len(record_ids),
                records=sorted(listed, key=_record_order),
            )
        )


def _record_order(record: SourceRecord) -> tuple[str, str]:
    return (record.organization.name, record.local_id_key)


def _find_ids(result: UndoPlan, where: dict[int, int]) -> None:
    """Say which community IDs the undo brings back, retires or leads again.

    A child the change merged becomes a child of its own again; one it
    brought back leads again where it led; one the records all leave is
    left without records and leads, like a merged child, to where they go.
    """
    event = result.event
    leads: dict[int, int | None] = {child: None for child, _into in event.merged}
    leads.update((child, into) for child, into in event.revived)
    emptied = {
        child: into
        for child, into in _emptied(event, where).items()
        if child not in leads
    }
    leads.update(emptied)

    ordered = sorted(leads)
    shown = ordered[:LISTED]
    result.ids_more = len(ordered) - len(shown)
    wanted = {*shown, *(leads[c] for c in shown if leads[c] is not None)}
    children = Child.objects.in_bulk(wanted)
    for child_id in shown:
        into = leads[child_id]
        if child_id not in children:
            continue
        result.ids.append(
            Retiring(
                child=children[child_id],
                leads_to=children.get(into) if into is not None else None,
                emptied=child_id in emptied,
            )
        )


def _emptied(event: MappingEvent, where: dict[int, int]) -> dict[int, int]:
    """Return the children the undo would leave without records, and where to.

    Each leads to the child that most of its records go back to.
    """
    leaving: dict[int, Counter[int]] = defaultdict(Counter)
    for record_id, was, now in event.moves:
        if where.get(record_id) == now:
            leaving[now][was] += 1
    if not leaving:
        return {}

    held: dict[int, int] = {}
    for chunk in in_chunks(sorted(leaving)):
        counts = (
            SourceRecord.objects.filter(child__in=chunk)
            .values("child")
            .annotate(records=Count("pk"))
            .values_list("child", "records")
        )
        held.update(counts)
    return {
        child: going.most_common(1)[0][0]
        for child, going in leaving.items()
        if held.get(child, 0) <= going.total()
    }


def _find_decisions(result: UndoPlan) -> None:
    """Say which decisions the undo takes back and which hold again."""
    event = result.event
    made = PairDecision.standing.filter(event=event)
    result.taken_back_total = made.count()
    result.taken_back = DecisionLine.of(
        made.select_related(
            "record_a__organization", "record_b__organization"
        ).order_by("pk")[:LISTED]
    )
    result.queued_again = ReviewItem.objects.filter(decision__in=made).count()

    # The decisions the change replaced hold again (even where the change's
    # own decision was withdrawn since), unless their own change has been
    # undone since; those the change withdrew hold again too.
    replaced = PairDecision.objects.filter(
        superseded_by__event=event,
        withdrawn_by__isnull=True,
        event__undone_by__isnull=True,
    )
    withdrawn = PairDecision.objects.filter(withdrawn_by=event)
    result.held_again = DecisionLine.of(
        (replaced | withdrawn)
        .select_related("record_a__organization", "record_b__organization")
        .order_by("pk")[:LISTED]
    )
    if event.kind == MappingEvent.Kind.WITHDRAW:
        result.unqueued = len(event.summary.get("reopened", []))


def _count_what_follows(result: UndoPlan) -> None:
    """Count the consents, guardians and queued pairs that go back too."""
    summary = result.event.summary
    result.consents = len(summary.get("consents_moved", []))
    result.guardians = len(summary.get("guardians_moved", []))
    result.queue_back = len(summary.get("reviews_obsoleted", []))
    result.queue_leaving = len(summary.get("reviews_created", [])) + len(
        summary.get("reviews_reopened", [])
    )
