"""The review queue, and the thresholds that decide which pairs wait in it."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
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
from braid.linkage.decisions import MappingError, record_label
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
class PairView:
    number: int
    item: ReviewItem
    field_name: str
    fields: list[ComparedField]
    evidence: Evidence
    readable: tuple[bool, bool]

    @property
    def probability(self) -> float:
        return self.item.match_probability * 100


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
    first = page.start_index()
    context = {
        "kind": kind,
        "tabs": _tabs(kind),
        "page": page,
        "pairs": [
            _pair_view(first + n, item, readable) for n, item in enumerate(items)
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
            messages.success(
                request,
                _(
                    "Thresholds saved: link automatically from %(auto)s bits, "
                    "review from %(review)s bits."
                )
                % {
                    "auto": localize(saved.auto_link_weight),
                    "review": localize(saved.review_weight),
                },
            )
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
        .select_related("record_a__organization", "record_b__organization", "model")
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


def _pair_view(number: int, item: ReviewItem, readable: set[int]) -> PairView:
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
