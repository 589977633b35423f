"""The review queue, and the thresholds that decide which pairs wait in it."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods

from braid.access import policy
from braid.children.models import Child, Gender, SourceRecord
from braid.children.normalize import mask
from braid.http import AuthenticatedRequest
from braid.linkage import decisions, engine, thresholds
from braid.linkage.clustering import Pair, pair
from braid.linkage.decisions import Conflict, MappingError, record_label
from braid.linkage.forms import (
    Answer,
    FindChildForm,
    ReviewForm,
    ThresholdsForm,
    answer_field_name,
    answered_item_ids,
)
from braid.linkage.models import LinkagePolicy, MappingEvent, PairDecision, ReviewItem
from braid.linkage.scoring import COMPARISON_FIELDS
from braid.linkage.views.common import require_steward

PAIRS_PER_PAGE = 10
# Reasons that speak of records besides the pair's own, which the page names.
EXPLAINED = {
    ReviewItem.Reason.CHAIN,
    ReviewItem.Reason.COMPETING,
    ReviewItem.Reason.DUPLICATE,
}
OPEN = [ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED]
# The key that gives each answer on the review page (braid/review.js).
ANSWER_KEYS: dict[str, str] = {
    Answer.SAME: "s",
    Answer.DIFFERENT: "d",
    Answer.SKIP: "x",
}
# A field's weight is drawn as a bar that fills half the width at this many
# bits; stronger evidence than that is rare and looks the same.
BAR_FULL_BITS = 10.0

# Shown in place of a value with few possible answers, which masking letter
# by letter would give away (``Female`` as ``F*****``; a community's schools
# are few enough to know by their initials).
HIDDEN = "***"
WHOLLY_HIDDEN = {"gender", "grade", "school"}
COMPARISON_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "birth_date": gettext_lazy("Date of birth"),
    "gender": gettext_lazy("Gender"),
    "home": gettext_lazy("Address and ZIP"),
    "school": gettext_lazy("School and grade"),
    "guardian": gettext_lazy("Guardian"),
    "state_id": gettext_lazy("State student ID"),
}
# The model's level labels (braid.linkage.comparisons), as a person reads them.
LEVEL_LABELS = {
    "not given": gettext_lazy("not given"),
    "same": gettext_lazy("same"),
    "different": gettext_lazy("different"),
    "similar": gettext_lazy("similar"),
    "nearly the same": gettext_lazy("nearly the same"),
    "nickname or other spelling": gettext_lazy("nickname or other spelling"),
    "initial agrees": gettext_lazy("initial agrees"),
    "swapped with the last name": gettext_lazy("swapped with the last name"),
    "swapped with the first name": gettext_lazy("swapped with the first name"),
    "shares a part": gettext_lazy("shares a part"),
    "day and month swapped": gettext_lazy("day and month swapped"),
    "one digit different": gettext_lazy("one digit different"),
    "a year off": gettext_lazy("a year off"),
    "same address": gettext_lazy("same address"),
    "similar address, same ZIP": gettext_lazy("similar address, same ZIP"),
    "same ZIP": gettext_lazy("same ZIP"),
    "ZIP one digit different": gettext_lazy("ZIP one digit different"),
    "same school and grade": gettext_lazy("same school and grade"),
    "same school": gettext_lazy("same school"),
    "same grade": gettext_lazy("same grade"),
}


@dataclass(frozen=True)
class Evidence:
    """A weight in bits, with what a page needs to draw it."""

    weight: float

    @property
    def agrees(self) -> bool:
        return self.weight > 0

    @property
    def sign(self) -> str:
        return "+" if self.weight > 0 else "−" if self.weight < 0 else "±"

    @property
    def magnitude(self) -> float:
        return abs(self.weight)

    @property
    def bar(self) -> int:
        """Return the bar's length in percent of its box, half at most."""
        return round(min(abs(self.weight), BAR_FULL_BITS) / BAR_FULL_BITS * 50)


@dataclass(frozen=True)
class ComparedField:
    label: str
    a: str
    b: str
    level: str
    evidence: Evidence


@dataclass(frozen=True)
class Side:
    """One record of a pair with the child it belongs to now."""

    record: SourceRecord
    child: Child
    records: list[SourceRecord]

    @property
    def others(self) -> list[SourceRecord]:
        return [r for r in self.records if r.pk != self.record.pk]

    @property
    def url(self) -> str:
        return reverse("linkage:child", args=[self.child.public_id])


@dataclass(frozen=True)
class OtherPair:
    """Another open pair that bears on this one, and its place on the page."""

    item: ReviewItem
    first: str
    first_child: str
    second: str
    second_child: str
    number: int | None


@dataclass(frozen=True)
class Standing:
    """What stands between a pair's two children as they are now.

    ``duplicate`` names a pair of one organization's records; ``conflicts``
    are the records that keep a "same child" answer from joining the two
    children whole; ``between`` the pairs across the two children still
    waiting for a person; ``rivals`` the other children a record of the
    pair competes for.
    """

    duplicate: Conflict | None
    conflicts: list[Conflict]
    between: list[OtherPair]
    rivals: list[OtherPair]

    def __bool__(self) -> bool:
        found = self.conflicts or self.between or self.rivals
        return bool(self.duplicate or found)


@dataclass(frozen=True)
class PairView:
    number: int
    item: ReviewItem
    field_name: str
    fields: list[ComparedField]
    evidence: Evidence
    readable: tuple[bool, bool]
    sides: tuple[Side, Side]
    standing: Standing

    @property
    def probability(self) -> float:
        return self.item.match_probability * 100

    @property
    def one_child(self) -> bool:
        return self.sides[0].child.pk == self.sides[1].child.pk

    @property
    def others_shown(self) -> bool:
        return any(side.others for side in self.sides)

    @property
    def explains_a_hold(self) -> bool:
        """Say if the pair's reason is about records besides its own two."""
        return self.item.reason in EXPLAINED


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest) -> HttpResponse:
    require_steward(request)
    source = request.POST if request.method == "POST" else request.GET
    kind = _kind(source.get("kind"))
    if request.method == "POST":
        _apply_answers(request)
        query = urlencode({"kind": kind, "page": source.get("page") or 1})
        return redirect(f"{reverse('linkage:review')}?{query}")

    page = Paginator(_queue(kind), PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    items: list[ReviewItem] = list(page.object_list)
    readable = policy.readable_record_ids(
        request.user,
        [r for item in items for r in (item.record_a_id, item.record_b_id)],
    )
    numbers = {item.pk: page.start_index() + n for n, item in enumerate(items)}
    sides = _records_by_child(items)
    standing = _standing(items, sides, numbers)
    context = {
        "kind": kind,
        "tabs": _tabs(kind),
        "page": page,
        "pairs": [
            _pair_view(numbers[item.pk], item, readable, sides, standing[item.pk])
            for item in items
        ],
        "answers": [
            (value, label, ANSWER_KEYS[value]) for value, label in Answer.choices
        ],
        "policy": engine.policy(),
        "find": FindChildForm(),
    }
    return render(request, "linkage/review/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def thresholds_page(request: AuthenticatedRequest) -> HttpResponse:
    require_steward(request)
    current = engine.policy()
    if request.method == "POST":
        form = ThresholdsForm(request.POST)
        if form.is_valid():
            saved = form.save(request.user)
            saved_text = _(
                "Thresholds saved: link automatically from %(auto)s bits, "
                "review from %(review)s bits."
            ) % {
                "auto": localize(saved.auto_link_weight),
                "review": localize(saved.review_weight),
            }
            note = thresholds.relink_note("braid link --all")
            messages.success(request, f"{saved_text} {note}")
            return redirect("linkage:thresholds")
    elif "auto_link_weight" in request.GET:
        form = ThresholdsForm(request.GET)
    else:
        form = ThresholdsForm(
            initial={
                "auto_link_weight": current.auto_link_weight,
                "review_weight": current.review_weight,
            }
        )
    context = {"policy": current, "form": form, **_expected(form, current)}
    return render(request, "linkage/thresholds/edit.html", context)


@login_required
@require_GET
def thresholds_preview(request: AuthenticatedRequest) -> HttpResponse:
    require_steward(request)
    form = ThresholdsForm(request.GET)
    context = {"form": form, **_expected(form, engine.policy())}
    return render(request, "linkage/thresholds/_expected.html", context)


def _kind(value: str | None) -> str:
    if value in ReviewItem.Kind.values:
        return str(value)
    return ReviewItem.Kind.LINK


def _queue(kind: str) -> QuerySet[ReviewItem]:
    """Open pairs of one kind: waiting, then skipped; strongest first."""
    skipped_last = Case(
        When(status=ReviewItem.Status.SKIPPED, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        ReviewItem.objects.filter(kind=kind, status__in=OPEN)
        .select_related(
            "record_a__organization",
            "record_a__child",
            "record_b__organization",
            "record_b__child",
            "model",
        )
        .defer("model__parameters", "model__training")
        .order_by(skipped_last, "-match_weight", "pk")
    )


def _tabs(kind: str) -> list[dict[str, Any]]:
    counts = ReviewItem.objects.filter(status__in=OPEN).aggregate(
        link=Count("pk", filter=Q(kind=ReviewItem.Kind.LINK)),
        duplicate=Count("pk", filter=Q(kind=ReviewItem.Kind.DUPLICATE)),
    )
    labels = {
        ReviewItem.Kind.LINK: _("Across organizations"),
        ReviewItem.Kind.DUPLICATE: _("Possible duplicates within an organization"),
    }
    return [
        {
            "kind": value,
            "label": labels[ReviewItem.Kind(value)],
            "count": counts[value],
            "current": value == kind,
        }
        for value in ReviewItem.Kind.values
    ]


def _records_by_child(items: Sequence[ReviewItem]) -> dict[int, list[SourceRecord]]:
    """Return the records of the pairs' children, by child, in one query.

    Only what names a record is read: its organization and local ID.
    """
    children = {r.child_id for item in items for r in (item.record_a, item.record_b)}
    held: dict[int, list[SourceRecord]] = {child: [] for child in children}
    records = (
        SourceRecord.objects.filter(child_id__in=children)
        .select_related("organization")
        .only("local_id", "child", "organization__name")
    )
    for record in records:
        held[record.child_id].append(record)
    return held


def _standing(
    items: Sequence[ReviewItem],
    held: dict[int, list[SourceRecord]],
    numbers: dict[int, int],
) -> dict[int, Standing]:
    """Find what stands between each pair's children, in two queries."""
    record_ids = [r.pk for records in held.values() for r in records]
    apart = {
        (d.record_a_id, d.record_b_id): d
        for d in PairDecision.standing.filter(
            same=False, record_a_id__in=record_ids, record_b_id__in=record_ids
        ).select_related("decided_by")
    }
    waiting = list(_open_pairs_of(record_ids))
    return {
        item.pk: Standing(
            duplicate=_duplicate(item),
            conflicts=_conflicts(item, held, apart),
            between=_between(item, waiting, numbers),
            rivals=_rivals(item, waiting, numbers),
        )
        for item in items
    }


def _open_pairs_of(record_ids: Sequence[int]) -> QuerySet[ReviewItem]:
    named = ["local_id", "child__public_id", "organization__name"]
    return (
        ReviewItem.objects.filter(status__in=OPEN)
        .filter(Q(record_a_id__in=record_ids) | Q(record_b_id__in=record_ids))
        .select_related(
            "record_a__organization",
            "record_a__child",
            "record_b__organization",
            "record_b__child",
        )
        .only(
            "reason",
            *(f"record_a__{name}" for name in named),
            *(f"record_b__{name}" for name in named),
        )
        .order_by("pk")
    )


def _duplicate(item: ReviewItem) -> Conflict | None:
    """Name a pair of one organization's records, which no score links."""
    a, b = item.record_a, item.record_b
    return Conflict(a, b) if a.organization_id == b.organization_id else None


def _conflicts(
    item: ReviewItem,
    held: dict[int, list[SourceRecord]],
    apart: dict[Pair, PairDecision],
) -> list[Conflict]:
    """Return what a "same child" answer would meet, as decisions.decide does.

    Two records of one organization, or two a person said are different
    children, cannot be one child; the pair being answered is no conflict.
    """
    a, b = item.record_a, item.record_b
    if a.child_id == b.child_id:
        return []
    found = []
    for x, y in product(held[a.child_id], held[b.child_id]):
        key = pair(x.pk, y.pk)
        if key == (item.record_a_id, item.record_b_id):
            continue
        decision = apart.get(key)
        if decision is not None or x.organization_id == y.organization_id:
            found.append(Conflict(x, y, decision))
    return found


def _between(
    item: ReviewItem, waiting: Sequence[ReviewItem], numbers: dict[int, int]
) -> list[OtherPair]:
    """Return the other open pairs across the two children of this one."""
    children = {item.record_a.child_id, item.record_b.child_id}
    if len(children) < 2:
        return []
    return [
        _other_pair(other, numbers)
        for other in waiting
        if other.pk != item.pk
        and {other.record_a.child_id, other.record_b.child_id} == children
    ]


def _rivals(
    item: ReviewItem, waiting: Sequence[ReviewItem], numbers: dict[int, int]
) -> list[OtherPair]:
    """Return the pairs in which a record of this one competes elsewhere.

    The clustering holds both of a record's pairs when the two candidates
    cannot both be right; each names the other, the pair's record first.
    """
    if item.reason != ReviewItem.Reason.COMPETING:
        return []
    children = {item.record_a.child_id, item.record_b.child_id}
    mine = {item.record_a_id, item.record_b_id}
    found = []
    for other in waiting:
        if other.pk == item.pk or other.reason != ReviewItem.Reason.COMPETING:
            continue
        ends = [other.record_a, other.record_b]
        if not mine & {r.pk for r in ends} or {r.child_id for r in ends} <= children:
            continue
        if other.record_b_id in mine:
            ends.reverse()
        found.append(_other_pair(other, numbers, ends))
    return found


def _other_pair(
    item: ReviewItem,
    numbers: dict[int, int],
    ends: Sequence[SourceRecord] | None = None,
) -> OtherPair:
    first, second = ends or (item.record_a, item.record_b)
    return OtherPair(
        item=item,
        first=record_label(first),
        first_child=first.child.public_id,
        second=record_label(second),
        second_child=second.child.public_id,
        number=numbers.get(item.pk),
    )


def _pair_view(
    number: int,
    item: ReviewItem,
    readable: set[int],
    held: dict[int, list[SourceRecord]],
    standing: Standing,
) -> PairView:
    a, b = item.record_a, item.record_b
    shown = (a.pk in readable, b.pk in readable)
    fields = []
    for entry in item.comparison:
        name = entry.get("comparison", "")
        level = str(entry.get("level", ""))
        fields.append(
            ComparedField(
                label=str(COMPARISON_LABELS.get(name, name)),
                a=_values(a, COMPARISON_FIELDS.get(name, ()), shown[0]),
                b=_values(b, COMPARISON_FIELDS.get(name, ()), shown[1]),
                level=str(LEVEL_LABELS.get(level, level)),
                evidence=Evidence(float(entry.get("weight") or 0.0)),
            )
        )
    return PairView(
        number=number,
        item=item,
        field_name=answer_field_name(item.pk),
        fields=fields,
        evidence=Evidence(item.match_weight),
        readable=shown,
        sides=(
            Side(a, a.child, held[a.child_id]),
            Side(b, b.child, held[b.child_id]),
        ),
        standing=standing,
    )


def _values(record: SourceRecord, names: Iterable[str], readable: bool) -> str:
    """Return a record's values of some fields, masked unless readable.

    A steward who may not read the record sees no value whole, gender and
    school included: the level and the weight say how the two compare.
    """
    shown = []
    for name in names:
        value = _value(record, name)
        if not value:
            continue
        if not readable:
            value = HIDDEN if name in WHOLLY_HIDDEN else mask(value)
        shown.append(value)
    return ", ".join(shown) or "—"


def _value(record: SourceRecord, name: str) -> str:
    value = getattr(record, name)
    if name == "birth_date":
        return value.isoformat() if value else ""
    if name == "gender":
        return "" if value == Gender.UNKNOWN else str(record.get_gender_display())
    return str(value or "")


def _apply_answers(request: AuthenticatedRequest) -> None:
    """Apply each answered pair on its own, so one failure loses no other."""
    wanted = answered_item_ids(request.POST)
    items = ReviewItem.objects.filter(pk__in=wanted).select_related(
        "record_a__organization", "record_b__organization"
    )
    form = ReviewForm(request.POST, items=items)
    form.is_valid()

    applied: Counter[str] = Counter()
    failed = 0
    moved: list[tuple[ReviewItem, PairDecision]] = []
    separated: list[tuple[ReviewItem, PairDecision]] = []
    for item, verdict in form.answers():
        try:
            decision = decisions.decide(item, verdict, request.user)
        except MappingError as error:
            failed += 1
            messages.error(
                request,
                _("%(pair)s: %(error)s") % {"pair": _pair_name(item), "error": error},
            )
            continue
        applied[{True: "same", False: "different", None: "skipped"}[verdict]] += 1
        if _is_move(decision):
            assert decision is not None
            moved.append((item, decision))
        elif _is_split(decision):
            assert decision is not None
            separated.append((item, decision))

    lost = len(wanted) - len(form.answers())
    _report_answers(request, applied, lost)
    for item, decision in moved:
        messages.info(request, _move_message(item, decision))
    for item, decision in separated:
        messages.info(request, _split_message(item, decision))
    if not applied and not lost and not failed:
        messages.info(request, _("No pair was answered, so nothing changed."))


def _report_answers(
    request: AuthenticatedRequest, applied: Counter[str], lost: int
) -> None:
    total = sum(applied.values())
    if total:
        messages.success(
            request,
            ngettext(
                "%(count)s answer saved: %(same)s same child, %(different)s not "
                "the same, %(skipped)s skipped.",
                "%(count)s answers saved: %(same)s same child, %(different)s not "
                "the same, %(skipped)s skipped.",
                total,
            )
            % {
                "count": total,
                "same": applied["same"],
                "different": applied["different"],
                "skipped": applied["skipped"],
            },
        )
    if lost:
        messages.error(
            request,
            ngettext(
                "%(count)s answer was for a pair no longer in the queue, or not "
                "one of the choices; nothing was changed for it.",
                "%(count)s answers were for pairs no longer in the queue, or not "
                "one of the choices; nothing was changed for them.",
                lost,
            )
            % {"count": lost},
        )


def _is_move(decision: PairDecision | None) -> bool:
    if decision is None or decision.event is None:
        return False
    return decision.event.kind == MappingEvent.Kind.MOVE


def _is_split(decision: PairDecision | None) -> bool:
    if decision is None or decision.event is None:
        return False
    return decision.event.kind == MappingEvent.Kind.SPLIT


def _split_message(item: ReviewItem, decision: PairDecision) -> str:
    """Say that a "not the same" answer separated records of one child."""
    event = decision.event
    assert event is not None
    records = SourceRecord.objects.select_related("organization").in_bulk(
        [record_id for record_id, _was, _now in event.moves]
    )
    _record, from_id, to_id = event.moves[0]
    children = Child.objects.in_bulk([from_id, to_id])
    return _(
        "%(pair)s: the two records were in one child, so they were separated: "
        "%(moved)s moved from child %(from)s to child %(to)s. The split "
        "(change #%(number)s) can be undone in the list of changes."
    ) % {
        "pair": _pair_name(item),
        "moved": ", ".join(record_label(r) for r in records.values()),
        "from": children[from_id].public_id,
        "to": children[to_id].public_id,
        "number": event.pk,
    }


def _move_message(item: ReviewItem, decision: PairDecision) -> str:
    """Say which record a "same child" answer moved on its own, and why."""
    event = decision.event
    assert event is not None
    summary = event.summary
    records = SourceRecord.objects.select_related("organization").in_bulk(
        [summary["record"], summary["partner"], *summary["apart_from"]]
    )
    record_id, from_id, to_id = event.moves[0]
    children = Child.objects.in_bulk([from_id, to_id])
    apart = [records[pk] for pk in summary["apart_from"]]
    return _(
        "%(pair)s: only %(moved)s moved, from child %(from)s to child %(to)s, "
        "because child %(from)s also holds %(apart)s, which cannot be one child "
        "with %(partner)s. Child %(from)s keeps its other records; the move "
        "(change #%(number)s) can be undone in the list of changes."
    ) % {
        "pair": _pair_name(item),
        "moved": record_label(records[record_id]),
        "from": children[from_id].public_id,
        "to": children[to_id].public_id,
        "apart": ", ".join(record_label(r) for r in apart),
        "partner": record_label(records[summary["partner"]]),
        "number": event.pk,
    }


def _pair_name(item: ReviewItem) -> str:
    return _("%(first)s %(first_id)s and %(second)s %(second_id)s") % {
        "first": item.record_a.organization.name,
        "first_id": item.record_a.local_id,
        "second": item.record_b.organization.name,
        "second_id": item.record_b.local_id,
    }


def _expected(form: ThresholdsForm, current: LinkagePolicy) -> dict[str, Any]:
    """Measure the form's thresholds (else the saved ones) on decided pairs."""
    if form.is_bound:
        if not form.is_valid():
            return {"expected": None}
        auto = form.cleaned_data["auto_link_weight"]
        review_from = form.cleaned_data["review_weight"]
    else:
        auto, review_from = current.auto_link_weight, current.review_weight
    figures = thresholds.expected(thresholds.labelled_pairs(), auto, review_from)
    return {
        "expected": figures,
        "auto": auto,
        "review_from": review_from,
        "implied": figures.labelled - figures.answered,
        "figures": _figures(figures),
    }


def _figures(expected: thresholds.Expected) -> list[dict[str, Any]]:
    rows = [
        (
            expected.auto_precision,
            _("Precision of automatic links"),
            _(
                "Of the settled pairs at or above the automatic threshold, the "
                "share people called the same child."
            ),
        ),
        (
            expected.auto_recall,
            _("Recall of automatic links"),
            _(
                "Of the pairs people called the same child, the share at or above "
                "the automatic threshold."
            ),
        ),
        (
            expected.review_recall,
            _("Recall with review"),
            _(
                "Of the pairs people called the same child, the share at or above "
                "the review threshold: linked, or shown to a person."
            ),
        ),
        (
            expected.dismissed,
            _("Different children set aside unseen"),
            _(
                "Of the pairs people called different children, the share below "
                "the review threshold."
            ),
        ),
    ]
    return [
        {
            "percent": None if share is None else share * 100,
            "label": label,
            "meaning": meaning,
        }
        for share, label, meaning in rows
    ]
