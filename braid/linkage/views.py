"""The steward's linkage pages: review queue, thresholds, children's mapping.

Every page is the steward's. Records appear masked unless the access policy
lets the viewer read them by name; the steward judges a pair by how its
fields compare, not by reading them.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
)

from braid.access import policy
from braid.children.models import Child, Gender, SourceRecord
from braid.children.normalize import mask
from braid.community.models import Organization
from braid.http import AuthenticatedRequest
from braid.linkage import decisions, engine, thresholds
from braid.linkage.decisions import (
    DuplicateRecords,
    MappingError,
    pair_label,
    record_label,
)
from braid.linkage.forms import (
    Answer,
    FindChildForm,
    MergeForm,
    ReviewForm,
    SplitForm,
    ThresholdsForm,
    answer_field_name,
    answered_item_ids,
    community_id_key,
)
from braid.linkage.models import LinkagePolicy, MappingEvent, PairDecision, ReviewItem
from braid.linkage.scoring import COMPARISON_FIELDS

PAIRS_PER_PAGE = 10
CHANGES_PER_PAGE = 25
HISTORY_LIMIT = 50
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

# Values that say who a child is, shown only to those who may read the record.
PERSONAL_FIELDS = {
    "first_name",
    "middle_name",
    "last_name",
    "birth_date",
    "address",
    "zip_code",
    "guardian_name",
    "state_id",
}
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
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest) -> HttpResponse:
    _require_steward(request)
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
    _require_steward(request)
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
                % {"auto": saved.auto_link_weight, "review": saved.review_weight},
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
    _require_steward(request)
    form = ThresholdsForm(request.GET)
    context = {"form": form, **_expected(form, engine.policy())}
    return render(request, "linkage/thresholds/_expected.html", context)


@login_required
@require_GET
def child_index(request: AuthenticatedRequest) -> HttpResponse:
    _require_steward(request)
    form = FindChildForm(request.GET or None)
    if form.is_bound and form.is_valid():
        child: Child = form.cleaned_data["community_id"]
        return redirect("linkage:child", public_id=child.public_id)
    return render(request, "linkage/child/index.html", {"find": form})


@login_required
@require_GET
def child_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    _require_steward(request)
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
    _require_steward(request)
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
    _require_steward(request)
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
    target = Child.objects.get(pk=event.moves[0][2])
    messages.success(
        request,
        ngettext(
            "%(count)s record separated into child %(id)s.",
            "%(count)s records separated into child %(id)s.",
            len(records),
        )
        % {"count": len(records), "id": target.public_id},
    )
    return redirect("linkage:child", public_id=child.public_id)


@login_required
@require_GET
def changes(request: AuthenticatedRequest) -> HttpResponse:
    _require_steward(request)
    events = MappingEvent.objects.select_related("created_by").order_by(
        "-created_at", "-pk"
    )
    page = Paginator(events, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    shown: list[MappingEvent] = list(page.object_list)
    context = {
        "page": page,
        "events": _event_rows(shown),
        "back": request.get_full_path(),
    }
    return render(request, "linkage/change/list.html", context)


@login_required
@require_POST
def undo(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_steward(request)
    event = get_object_or_404(MappingEvent, pk=pk)
    try:
        decisions.undo(event, request.user)
    except MappingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Change %(number)s (%(kind)s) undone.")
            % {"number": event.pk, "kind": event.get_kind_display()},
        )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("linkage:changes")


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Ask to confirm withdrawing a decision, then withdraw it once confirmed.

    The child page's button posts here without ``confirm``, which only shows
    what withdrawing does; the page shown posts again with it.
    """
    _require_steward(request)
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


def _require_steward(request: AuthenticatedRequest) -> None:
    decision = policy.can_manage_linkage(request.user)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))


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
    """Return a record's values of some fields, masked unless readable."""
    shown = []
    for name in names:
        value = _value(record, name)
        if not value:
            continue
        shown.append(value if readable or name not in PERSONAL_FIELDS else mask(value))
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

    lost = len(wanted) - len(form.answers())
    _report_answers(request, applied, lost)
    for item, decision in moved:
        messages.info(request, _move_message(item, decision))
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
        "merged_from": merged_from,
        "decisions": [
            DecisionRow(
                decision=d,
                here=d.record_a if other is d.record_b else d.record_b,
                other=other,
                other_name=_name(other, other.pk in readable),
            )
            for d, other in zip(standing, others, strict=True)
        ],
        "events": _event_rows(history),
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
    found = []
    # TODO: every change is read to find a child's; JSON containment is not
    # portable to SQLite, and a table of the children each change touched
    # would make this one indexed query.
    events = MappingEvent.objects.select_related("created_by").order_by(
        "-created_at", "-pk"
    )
    for event in events.iterator(chunk_size=200):
        if _touches(event, child_ids, record_ids):
            found.append(event)
            if len(found) == HISTORY_LIMIT:
                break
    return found


def _touches(event: MappingEvent, child_ids: set[int], record_ids: set[int]) -> bool:
    for record_id, was, now in event.moves:
        if record_id in record_ids or was in child_ids or now in child_ids:
            return True
    pairs = [*event.merged, *event.revived]
    if any(a in child_ids or b in child_ids for a, b in pairs):
        return True
    decided = event.summary.get("decided_pairs", [])
    return any(a in record_ids or b in record_ids for a, b in decided)


def _event_rows(events: Sequence[MappingEvent]) -> list[dict[str, Any]]:
    undone = set(
        MappingEvent.objects.filter(undoes__in=[e.pk for e in events]).values_list(
            "undoes_id", flat=True
        )
    )
    decided = _decided_pair_labels(events)
    return [
        {
            "event": event,
            "decided_pairs": decided.get(event.pk, []),
            "records_moved": len(event.moves),
            "children_merged": len(event.merged),
            "children_revived": len(event.revived),
            "undone": event.pk in undone,
            "can_undo": event.kind != MappingEvent.Kind.UNDO and event.pk not in undone,
        }
        for event in events
    ]


def _decided_pair_labels(events: Sequence[MappingEvent]) -> dict[int, list[str]]:
    """Name the pairs whose decisions each change withdrew or restored."""
    wanted = {
        event.pk: event.summary.get("decided_pairs", [])
        for event in events
        if event.summary.get("decided_pairs")
    }
    ids = {
        record_id for pairs in wanted.values() for pair in pairs for record_id in pair
    }
    if not ids:
        return {}
    records = SourceRecord.objects.select_related("organization").in_bulk(ids)
    return {
        event_id: [
            _("%(first)s and %(second)s")
            % {
                "first": _label_or_id(records.get(a), a),
                "second": _label_or_id(records.get(b), b),
            }
            for a, b in pairs
        ]
        for event_id, pairs in wanted.items()
    }


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
