"""A person's changes to the mapping: decisions, merges, splits, undoing.

Each change runs in one transaction, records who made it and how to take it
back, and leaves pair decisions behind that every later run obeys.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import product
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from braid.children.models import Child, LinkRule, SourceRecord
from braid.community.models import Organization
from braid.linkage.clustering import Pair, pair
from braid.linkage.engine import (
    obsolete_joined_reviews,
    record_change,
    records_given_up,
    restore_reviews,
)
from braid.linkage.following import put_back
from braid.linkage.models import (
    MappingEvent,
    PairDecision,
    ReviewItem,
    TouchedRecord,
)

logger = logging.getLogger(__name__)

# A refusal names this many of the changes in the way, newest first, and
# counts the rest; the undo page lists them all.
NAMED_CHANGES = 5


class MappingError(Exception):
    pass


class DuplicateRecords(MappingError):
    """A merge that would give a child two records of one organization."""

    def __init__(self, message: str, organizations: Sequence[Organization]) -> None:
        super().__init__(message)
        self.organizations = list(organizations)


@dataclass(frozen=True)
class Conflict:
    """Two records that may not be one child without a person saying so.

    Either they are two records of one organization, or a standing decision
    says they are not the same child.
    """

    first: SourceRecord
    second: SourceRecord
    decision: PairDecision | None = None

    def describe(self) -> str:
        if self.decision is None:
            return _(
                "%(organization)s %(first)s and %(second)s are two records of one "
                "organization"
            ) % {
                "organization": self.first.organization.name,
                "first": self.first.local_id,
                "second": self.second.local_id,
            }
        who = self.decision.decided_by
        return _(
            "%(first)s and %(second)s were decided not the same child by %(who)s "
            "on %(when)s"
        ) % {
            "first": record_label(self.first),
            "second": record_label(self.second),
            "who": who.get_username() if who else _("a person no longer listed"),
            "when": formats.date_format(
                timezone.localtime(self.decision.decided_at), "DATE_FORMAT"
            ),
        }


@dataclass(frozen=True)
class LaterMoves:
    """What keeps a change from being undone: its records moved since.

    ``changes`` are the later changes in the way, newest first: the order
    in which to undo them. ``records`` are the first of the change's records
    they moved, by id, and ``total`` counts them all.
    """

    changes: list[int] = field(default_factory=list)
    records: list[int] = field(default_factory=list)
    total: int = 0

    def __bool__(self) -> bool:
        return self.total > 0


def record_label(record: SourceRecord) -> str:
    """Name a record by its organization and local ID, never by the child."""
    return f"{record.organization.name} {record.local_id}"


@transaction.atomic
def decide(item: ReviewItem, same: bool | None, user: User) -> PairDecision | None:
    """Record a person's answer for a queued pair and apply it.

    ``None`` skips the pair: it stays in the queue, after the others.
    """
    if same is None:
        item = _open_item(item)
        item.status = ReviewItem.Status.SKIPPED
        item.save(update_fields=["status"])
        return None

    # Children, records, then the queued pair: the order in which a merge,
    # a split or an undo takes them, so that two changes never each hold
    # what the other waits for. The answer acts on where the records are
    # once locked, not where they were when the page was read.
    records = _lock_pair(item)
    item = _open_item(item)
    a, b = records
    event: MappingEvent | None = None
    if same and a.child_id != b.child_id:
        event = _join(a, b, user)
    elif not same and a.child_id == b.child_id:
        event = _split(a.child, [b], user)

    decision = _record_decision(
        a.pk,
        b.pk,
        same,
        user,
        event,
        weight=item.match_weight,
        probability=item.match_probability,
        model_id=item.model_id,
    )
    if event is not None:
        _settle_queue(event)
    item.refresh_from_db()
    return decision


def _open_item(item: ReviewItem) -> ReviewItem:
    """Lock a queued pair, unless a person has answered it since."""
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in (ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED):
        raise MappingError(_("This pair has already been decided."))
    return item


def _lock_pair(item: ReviewItem) -> list[SourceRecord]:
    """Lock a queued pair's children, then its two records, and return them.

    A roster or a re-link moves records without locking their children: a
    record that moved after its child was read has its new child locked
    after it, out of order but rarely, and, locked itself, moves no more.
    """
    ids = [item.record_a_id, item.record_b_id]
    seen = SourceRecord.objects.filter(pk__in=ids).values_list("child_id", flat=True)
    children = set(seen)
    _lock_children(children)
    records = list(
        SourceRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    )
    if moved := {record.child_id for record in records} - children:
        _lock_children(moved)
    return records


@transaction.atomic
def merge(
    survivor: Child,
    other: Child,
    user: User,
    *,
    duplicates_in: Collection[int] = (),
) -> MappingEvent:
    """Make two children one: the older ID stays, the other points to it.

    ``duplicates_in`` names the organizations (by id) whose two records in
    the union the person has confirmed are duplicates of one child.
    """
    if survivor.pk == other.pk:
        raise MappingError(_("These are already one child."))
    locked = _lock_children([survivor.pk, other.pk])
    survivor, other = _alive(locked[survivor.pk]), _alive(locked[other.pk])
    held = _records_of(survivor, other)
    mine, theirs = held[survivor.pk], held[other.pk]

    conflicts = _conflicts(mine, theirs)
    apart = [c for c in conflicts if c.decision is not None]
    if apart:
        raise MappingError(_decided_apart_message(apart, survivor))
    unconfirmed = [c for c in conflicts if c.first.organization_id not in duplicates_in]
    if unconfirmed:
        raise _duplicates_error(unconfirmed)

    event = _merge(survivor, other, user)
    # Every pair across the two is the person's word, so that no later run
    # takes apart what they joined.
    for left, right in product(mine, theirs):
        _record_decision(left.pk, right.pk, True, user, event)
    _settle_queue(event)
    if conflicts:
        logger.info(
            "Merge %s joined duplicates confirmed in organizations %s",
            event.pk,
            sorted({c.first.organization_id for c in conflicts}),
        )
    return event


@transaction.atomic
def split(child: Child, records: Sequence[SourceRecord], user: User) -> MappingEvent:
    """Separate some of a child's records into a child of their own."""
    return _split(child, records, user)


@transaction.atomic
def undo(event: MappingEvent, user: User) -> MappingEvent:
    """Put records and children back as they were before ``event``."""
    event = MappingEvent.objects.select_for_update().get(pk=event.pk)
    if event.kind == MappingEvent.Kind.UNDO:
        raise MappingError(_("An undo cannot itself be undone; make the change again."))
    if hasattr(event, "undone_by"):
        raise MappingError(_("This change has already been undone."))
    _lock_children(_children_touched(event))
    record_ids = [record_id for record_id, _, _ in event.moves]
    records = {
        record.pk: record
        for record in SourceRecord.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk__in=record_ids)
        .order_by("pk")
    }
    restoring = _withdrawn_by(event)
    where = {record_id: record.child_id for record_id, record in records.items()}
    moved = later_moves(event, where, listed=1)
    if moved:
        raise MappingError(_moved_since_message(moved, records))

    moves = []
    stamp = timezone.now()
    for record_id, was, now in event.moves:
        record = records[record_id]
        record.child_id = was
        record.link_rule, record.linked_by, record.linked_at = (
            LinkRule.HUMAN,
            user,
            stamp,
        )
        moves.append([record_id, now, was])
    SourceRecord.objects.bulk_update(
        records.values(), ["child", "link_rule", "linked_by", "linked_at"]
    )
    for child_id, _into in event.merged:
        Child.objects.filter(pk=child_id).update(merged_into=None, merged_at=None)
    for child_id, into in event.revived:
        Child.objects.filter(pk=child_id).update(merged_into_id=into, merged_at=stamp)
    emptied = _retire_emptied(moves, stamp)

    taking_back = list(
        PairDecision.standing.select_for_update().filter(event=event).order_by("pk")
    )
    # The decisions the change replaced hold again, even where the change's
    # own decision was withdrawn since: the records are back as they were.
    superseded = _superseded_by(list(PairDecision.objects.filter(event=event)))
    reopened = list(
        ReviewItem.objects.filter(decision__in=taking_back).values_list("pk", flat=True)
    )
    summary: dict[str, object] = {**_decided_pairs([*restoring, *superseded])}
    if reopened:
        summary["reopened"] = reopened
    led_back = [[c, now, was] for c, was, now in event.summary.get("repointed", [])]
    if led_back:
        summary["repointed"] = led_back
    # What the change's records took along goes back with them, before the
    # undo's own moves take anything further.
    summary.update(put_back(event))
    reversal = record_change(
        MappingEvent.Kind.UNDO,
        user,
        moves,
        merged=[*([c, i] for c, i in event.revived), *emptied],
        revived=[[c, i] for c, i in event.merged],
        settled={c for c, _into in [*event.merged, *event.revived, *emptied]},
        summary=summary,
        undoes=event,
    )
    PairDecision.objects.filter(pk__in=[d.pk for d in taking_back]).update(
        withdrawn_by=reversal
    )
    # The change's decisions replaced earlier ones on the same pairs; those
    # hold again, as they did before the change.
    PairDecision.objects.filter(pk__in=[d.pk for d in superseded]).update(
        superseded_by=None
    )
    # Pairs the change answered in the review queue wait there again.
    ReviewItem.objects.filter(pk__in=reopened).update(
        status=ReviewItem.Status.PENDING, decision=None
    )
    _restore(restoring, event)
    restore_reviews(event.summary)
    _settle_queue(reversal)
    logger.info("Mapping change %s undone by %s", event.pk, reversal.pk)
    return reversal


@transaction.atomic
def withdraw(decision: PairDecision, user: User) -> MappingEvent:
    """Take back a standing decision, moving no record.

    A pair that was waiting in the review queue goes back to it, to be
    answered again; until then a merge or a linking run may join or leave
    apart its two records as for any other pair.
    """
    decision = PairDecision.objects.select_for_update().get(pk=decision.pk)
    check_standing(decision)

    reopened = list(
        ReviewItem.objects.filter(decision=decision).values_list("pk", flat=True)
    )
    event = MappingEvent.objects.create(
        kind=MappingEvent.Kind.WITHDRAW,
        created_by=user,
        summary={
            **_decided_pairs([decision]),
            "same": decision.same,
            "reopened": reopened,
        },
    )
    decision.withdrawn_by = event
    decision.save(update_fields=["withdrawn_by"])
    ReviewItem.objects.filter(pk__in=reopened).update(
        status=ReviewItem.Status.PENDING, decision=None
    )
    logger.info("Decision %s withdrawn by change %s", decision.pk, event.pk)
    return event


def check_standing(decision: PairDecision) -> None:
    """Raise MappingError unless the decision still holds."""
    if decision.withdrawn_by_id is not None:
        raise MappingError(
            _(
                "This decision was already withdrawn, by change #%(number)s; "
                "nothing was changed."
            )
            % {"number": decision.withdrawn_by_id}
        )
    if decision.superseded_by_id is not None:
        raise MappingError(
            _(
                "A later decision on the same pair replaced this one; nothing was "
                "changed."
            )
        )


def pair_label(decision: PairDecision) -> str:
    """Name a decision's two records by organization and local ID."""
    return _("%(first)s and %(second)s") % {
        "first": record_label(decision.record_a),
        "second": record_label(decision.record_b),
    }


def later_moves(
    event: MappingEvent, where: Mapping[int, int], *, listed: int
) -> LaterMoves:
    """Return what has moved ``event``'s records since, if anything has.

    ``where`` gives the child each of its records is with now. The undo and
    the page that asks to confirm it both ask here, so that they agree.
    """
    changes, moved_as = _changes_in_the_way(event)
    if changes:
        # A change's records are noted as touched by it; an undo's are those
        # of the change it undid.
        touched = (
            TouchedRecord.objects.filter(
                record__in=_moved_by(event), event__in=moved_as
            )
            .values_list("record", flat=True)
            .distinct()
            .order_by("record")
        )
        return LaterMoves(changes, list(touched[:listed]), touched.count())

    # With no later change in the way, a record is where the change left it
    # unless it was deleted since, or moved by something that is no change
    # to the mapping.
    stuck = [record for record, _was, now in event.moves if where.get(record) != now]
    return LaterMoves([], stuck[:listed], len(stuck))


def _changes_in_the_way(event: MappingEvent) -> tuple[list[int], list[int]]:
    """Return the later changes still in effect that moved ``event``'s records.

    Each comes with the change whose moves it made: itself or, for an undo,
    the change it undid, whose moves it reversed. A change undone since is
    not in the way, nor is its undo; an undo of a change older than
    ``event`` is.
    """
    if not event.moves:
        return [], []

    mine = _moved_by(event)
    # Undos and withdrawals note as touched the records of the decisions
    # they took back or restored, which they did not move; every other
    # change notes exactly the records it moved.
    moving = TouchedRecord.objects.filter(record__in=mine).exclude(
        event__kind__in=[MappingEvent.Kind.UNDO, MappingEvent.Kind.WITHDRAW]
    )
    moved_after = moving.filter(event__gt=event.pk, event__undone_by__isnull=True)
    moved_before = moving.filter(event__lt=event.pk)
    changes = MappingEvent.objects.filter(pk__in=moved_after.values("event"))
    undos = MappingEvent.objects.filter(
        pk__gt=event.pk, undoes__in=moved_before.values("event")
    )
    # A union rather than one filter with an OR, which PostgreSQL answers by
    # reading every change in the community.
    found = sorted(
        changes.order_by()
        .values_list("pk", "undoes_id")
        .union(undos.order_by().values_list("pk", "undoes_id")),
        reverse=True,
    )
    return [pk for pk, _undoes in found], [undoes or pk for pk, undoes in found]


def _moved_by(event: MappingEvent) -> QuerySet[TouchedRecord, Any]:
    """Return, as a subquery, the records a change other than an undo moved."""
    return TouchedRecord.objects.filter(event=event).values("record")


def _withdrawn_by(event: MappingEvent) -> list[PairDecision]:
    """Return the decisions ``event`` withdrew, to be restored by its undo.

    A pair decided again since then keeps its later decision: the undo is
    refused rather than leave two standing decisions on one pair.
    """
    withdrawn = list(
        PairDecision.objects.select_for_update(of=("self",))
        .filter(withdrawn_by=event)
        .select_related("record_a__organization", "record_b__organization")
    )
    for decision in withdrawn:
        if _made_by_undone_change(decision):
            raise MappingError(
                _(
                    "%(pair)s cannot be held again: the change that made this "
                    "decision, #%(number)s, has been undone since; nothing was "
                    "changed."
                )
                % {"pair": pair_label(decision), "number": decision.event_id}
            )
        later = PairDecision.standing.filter(
            record_a_id=decision.record_a_id, record_b_id=decision.record_b_id
        )
        if later.exists():
            raise MappingError(
                _(
                    "%(pair)s have been decided again since; withdraw or undo "
                    "that later decision first."
                )
                % {"pair": pair_label(decision)}
            )
    return withdrawn


def _made_by_undone_change(decision: PairDecision) -> bool:
    if decision.event_id is None:
        return False
    return MappingEvent.objects.filter(undoes_id=decision.event_id).exists()


def _superseded_by(decided: Sequence[PairDecision]) -> list[PairDecision]:
    """Return the decisions ``decided`` replaced that may hold again.

    One whose own change has been undone since stays replaced: restoring it
    would hold a pair to a change nobody wants any more.
    """
    replaced = (
        PairDecision.objects.select_for_update()
        .filter(superseded_by__in=decided, withdrawn_by__isnull=True)
        .order_by("pk")
    )
    return [d for d in replaced if not _made_by_undone_change(d)]


def _moved_since_message(moved: LaterMoves, records: Mapping[int, SourceRecord]) -> str:
    first = moved.records[0]
    record = records.get(first)
    if record is None:
        # A record deleted since is named by its number alone.
        label = _("record %(number)s") % {"number": first}
    else:
        label = record_label(record)
    if not moved.changes:
        return _(
            "%(record)s has been moved again since; undo the later change first."
        ) % {"record": label}

    others = moved.total - 1
    if others:
        label = ngettext(
            "%(record)s and %(count)s other record",
            "%(record)s and %(count)s other records",
            others,
        ) % {"record": label, "count": others}
    return ngettext(
        "%(records)s moved again after this change, by change %(changes)s; "
        "undo that change first, then this one.",
        "%(records)s moved again after this change, by changes %(changes)s; "
        "undo those first, newest first, then this one.",
        len(moved.changes),
    ) % {"records": label, "changes": _change_numbers(moved.changes)}


def _change_numbers(changes: Sequence[int]) -> str:
    named = ", ".join(f"#{number}" for number in changes[:NAMED_CHANGES])
    more = len(changes) - NAMED_CHANGES
    if more <= 0:
        return named
    return ngettext(
        "%(named)s and %(count)s more",
        "%(named)s and %(count)s more",
        more,
    ) % {"named": named, "count": more}


def _restore(withdrawn: Sequence[PairDecision], event: MappingEvent) -> None:
    """Let withdrawn decisions stand again, answering their queued pairs."""
    reopened = event.summary.get("reopened", [])
    for decision in withdrawn:
        decision.withdrawn_by = None
        decision.save(update_fields=["withdrawn_by"])
        ReviewItem.objects.filter(
            pk__in=reopened,
            record_a_id=decision.record_a_id,
            record_b_id=decision.record_b_id,
        ).update(status=ReviewItem.Status.DECIDED, decision=decision)


def _decided_pairs(decided: Sequence[PairDecision]) -> dict[str, list[list[int]]]:
    if not decided:
        return {}
    return {"decided_pairs": [[d.record_a_id, d.record_b_id] for d in decided]}


def _retire_emptied(moves: Sequence[Sequence[int]], stamp: datetime) -> list[list[int]]:
    """Point each child that moves left with no records to where they went.

    A child with no records is no child; its community ID must still lead
    somewhere, as a merged child's does.
    """
    went: dict[int, Counter[int]] = defaultdict(Counter)
    for _record, was, now in moves:
        went[was][now] += 1
    emptied = Child.objects.filter(
        pk__in=list(went), merged_into__isnull=True, source_records__isnull=True
    ).values_list("pk", flat=True)

    retired = []
    for child_id in emptied:
        into = went[child_id].most_common(1)[0][0]
        Child.objects.filter(pk=child_id).update(merged_into_id=into, merged_at=stamp)
        logger.info("Child %s left without records now leads to %s", child_id, into)
        retired.append([child_id, into])
    return retired


def _lock_children(child_ids: Collection[int]) -> dict[int, Child]:
    """Lock children in the order of their ids, and return them by id.

    Two changes that lock the same children in different orders can each
    hold the one the other waits for; in one order, the second waits.
    """
    children = Child.objects.select_for_update().filter(pk__in=set(child_ids))
    return {child.pk: child for child in children.order_by("pk")}


def _children_touched(event: MappingEvent) -> set[int]:
    touched = {child_id for _record, was, now in event.moves for child_id in (was, now)}
    for child_id, into in [*event.merged, *event.revived]:
        touched |= {child_id, into}
    return touched


def _records_of(*children: Child) -> dict[int, list[SourceRecord]]:
    """Lock the records of locked children, in the order of their ids."""
    held: dict[int, list[SourceRecord]] = {child.pk: [] for child in children}
    records = (
        SourceRecord.objects.select_for_update(of=("self",))
        .filter(child__in=list(held))
        .select_related("organization")
        .order_by("pk")
    )
    for record in records:
        held[record.child_id].append(record)
    return held


def _conflicts(
    left: Sequence[SourceRecord],
    right: Sequence[SourceRecord],
    *,
    besides: Pair | None = None,
) -> list[Conflict]:
    """Return the pairs across two sets of records that may not be one child.

    ``besides`` is a pair the person is deciding now, which is no conflict.
    """
    apart = _standing_apart([r.pk for r in (*left, *right)])
    found = []
    for x, y in product(left, right):
        key = pair(x.pk, y.pk)
        if key == besides or x.pk == y.pk:
            continue
        decision = apart.get(key)
        if decision is not None or x.organization_id == y.organization_id:
            found.append(Conflict(x, y, decision))
    return found


def _standing_apart(record_ids: Sequence[int]) -> dict[Pair, PairDecision]:
    decided = PairDecision.standing.filter(
        same=False, record_a_id__in=record_ids, record_b_id__in=record_ids
    ).select_related("decided_by", "event")
    return {(d.record_a_id, d.record_b_id): d for d in decided}


def _decided_apart_message(apart: Sequence[Conflict], child: Child) -> str:
    """Say which decisions keep two children apart, and how to lift each.

    ``child`` is the one whose page the person merges from; the decisions
    are listed there, each with a way to withdraw it.
    """
    sentences = [_("These children cannot be merged.")]
    for conflict in apart:
        decision = conflict.decision
        assert decision is not None
        event = decision.event
        if event is not None and not hasattr(event, "undone_by"):
            remedy = _(
                "The decision came with change #%(number)s (%(kind)s): if they are "
                "one child after all, undo that change in the list of changes, "
                "which withdraws the decision and puts the records back as they "
                "were before it."
            ) % {"number": event.pk, "kind": event.get_kind_display()}
        else:
            remedy = _(
                "A merge does not override that decision: if they are one child "
                "after all, withdraw it under “Decisions on this child's "
                "records” on the page of child %(id)s, then merge again."
            ) % {"id": child.public_id}
        sentences.append(f"{conflict.describe()}. {remedy}")
    return " ".join(sentences)


def _duplicates_error(conflicts: Sequence[Conflict]) -> DuplicateRecords:
    organizations = {c.first.organization_id: c.first.organization for c in conflicts}
    described = "; ".join(c.describe() for c in conflicts)
    message = _(
        "Together these children would hold two records of one organization: "
        "%(conflicts)s. Merge them only if those are duplicate records of one "
        "child: confirm it for the organization below and merge again."
    ) % {"conflicts": described}
    ordered = sorted(organizations.values(), key=lambda o: (o.name, o.pk))
    return DuplicateRecords(message, ordered)


def _join(a: SourceRecord, b: SourceRecord, user: User) -> MappingEvent:
    """Make a pair one child, moving only what the answer is about.

    The person said the two records are one child; the other records of
    their children came by a score or an earlier decision. When the others
    of one side stand in the way, that side's record of the pair moves on
    its own; when both sides' do, nobody can tell which link is wrong.
    """
    locked = _lock_children([a.child_id, b.child_id])
    child_a, child_b = locked[a.child_id], locked[b.child_id]
    held = _records_of(child_a, child_b)
    in_a, in_b = held[child_a.pk], held[child_b.pk]
    besides = pair(a.pk, b.pk)
    across = _conflicts(in_a, in_b, besides=besides)
    if not across:
        return _merge(child_a, child_b, user)

    b_fits = not _conflicts(in_a, [b], besides=besides)
    a_fits = not _conflicts([a], in_b, besides=besides)
    if b_fits and not a_fits:
        return _move(b, a, child_b, child_a, [c.second for c in across], user)
    if a_fits and not b_fits:
        return _move(a, b, child_a, child_b, [c.first for c in across], user)
    raise MappingError(_refused_join_message(across, child_a, child_b))


def _refused_join_message(
    across: Sequence[Conflict], child_a: Child, child_b: Child
) -> str:
    """Say what keeps a pair's children apart, and how to lift it."""
    message = _(
        "These two cannot be made one child as their children stand: "
        "%(conflicts)s. Separate the record that does not belong on its "
        "child's page, then answer again."
    ) % {"conflicts": "; ".join(c.describe() for c in across)}
    if all(c.decision is None for c in across):
        return message
    # The decision is listed on both children's pages, since each holds one
    # of its records.
    withdraw = _(
        "If a “Not the same child” decision is wrong, withdraw it instead under "
        "“Decisions on this child's records” on the page of child %(first)s or "
        "%(second)s."
    ) % {"first": child_a.public_id, "second": child_b.public_id}
    return " ".join([message, withdraw])


def _move(
    record: SourceRecord,
    partner: SourceRecord,
    from_child: Child,
    to_child: Child,
    apart: Sequence[SourceRecord],
    user: User,
) -> MappingEvent:
    """Move one record to its partner's child, apart from what it leaves."""
    record = SourceRecord.objects.select_for_update().get(pk=record.pk)
    record.child = to_child
    record.link_rule, record.linked_by, record.linked_at = (
        LinkRule.HUMAN,
        user,
        timezone.now(),
    )
    record.save(update_fields=["child", "link_rule", "linked_by", "linked_at"])

    left_apart = sorted({r.pk for r in apart})
    event = record_change(
        MappingEvent.Kind.MOVE,
        user,
        [[record.pk, from_child.pk, to_child.pk]],
        summary={
            "records_moved": 1,
            "record": record.pk,
            "partner": partner.pk,
            "apart_from": left_apart,
        },
    )
    # Being one child with the partner, the record cannot be one child with
    # the records that stood in the way: that follows from the answer.
    for other in left_apart:
        _record_decision(record.pk, other, False, user, event)
    logger.info(
        "Record %s moved from child %s to %s", record.pk, from_child.pk, to_child.pk
    )
    return event


def _alive(child: Child) -> Child:
    """Return a locked child unless it was merged into another."""
    if child.merged_into_id is not None:
        raise MappingError(
            _("Child %(id)s was merged into another; work on that one instead.")
            % {"id": child.public_id}
        )
    return child


def _merge(a: Child, b: Child, user: User) -> MappingEvent:
    survivor, other = (a, b) if a.pk < b.pk else (b, a)
    now = timezone.now()
    moving = list(other.source_records.select_for_update().order_by("pk"))
    for record in moving:
        record.child = survivor
        record.link_rule, record.linked_by, record.linked_at = LinkRule.HUMAN, user, now
    SourceRecord.objects.bulk_update(
        moving, ["child", "link_rule", "linked_by", "linked_at"]
    )
    other.merged_into, other.merged_at = survivor, now
    other.save(update_fields=["merged_into", "merged_at"])
    logger.info("Child %s merged into %s", other.pk, survivor.pk)
    return record_change(
        MappingEvent.Kind.MERGE,
        user,
        [[r.pk, other.pk, survivor.pk] for r in moving],
        merged=[[other.pk, survivor.pk]],
        settled={other.pk},
        summary={"records_moved": len(moving)},
    )


def _split(child: Child, records: Sequence[SourceRecord], user: User) -> MappingEvent:
    """Separate the chosen records from the rest of the child's.

    Which side leaves depends on the child's history: see ``_split_target``.
    """
    merged_ids = Child.objects.filter(merged_into=child).values_list("pk", flat=True)
    locked = _lock_children([child.pk, *merged_ids])
    child = _alive(locked[child.pk])
    members = _records_of(child)[child.pk]
    chosen = {record.pk for record in records}
    if not chosen or not chosen <= {r.pk for r in members}:
        raise MappingError(_("Choose some of this child's own records to separate."))
    if not [r for r in members if r.pk not in chosen]:
        raise MappingError(_("At least one record must stay with the child."))

    target, revived, moving_ids = _split_target(child, members, chosen)
    now = timezone.now()
    moving = [r for r in members if r.pk in moving_ids]
    staying = [r for r in members if r.pk not in moving_ids]
    for record in moving:
        record.child = target
        record.link_rule, record.linked_by, record.linked_at = LinkRule.HUMAN, user, now
    SourceRecord.objects.bulk_update(
        moving, ["child", "link_rule", "linked_by", "linked_at"]
    )
    event = record_change(
        MappingEvent.Kind.SPLIT,
        user,
        [[r.pk, child.pk, target.pk] for r in moving],
        revived=revived,
        settled={target.pk},
        summary={"records_moved": len(moving)},
    )
    for left, right in product(moving, staying):
        _record_decision(left.pk, right.pk, False, user, event)
    logger.info("Child %s split: %s records to %s", child.pk, len(moving), target.pk)
    return event


def _split_target(
    child: Child, members: Sequence[SourceRecord], chosen: set[int]
) -> tuple[Child, list[list[int]], set[int]]:
    """Return where a split's records go, what it revives, and which move.

    A split that undoes an earlier merge gives the records a merged child
    brought in back their old community ID instead of a new one, so that
    IDs keep their meaning. When those are the records that stay, they are
    the ones that go back, and the chosen records keep this child's ID.
    """
    staying = {r.pk for r in members} - chosen
    merged = list(child.merged_children.filter(merged_into=child).order_by("pk"))
    brought = _records_merged_from(merged, members)
    for moving_ids in (chosen, staying):
        for previous in merged:
            came_from = brought.get(previous.pk)
            if came_from and came_from == moving_ids:
                previous.merged_into, previous.merged_at = None, None
                previous.save(update_fields=["merged_into", "merged_at"])
                return previous, [[previous.pk, child.pk]], moving_ids
    return Child.objects.create(), [], chosen


def _records_merged_from(
    merged: Sequence[Child], members: Sequence[SourceRecord]
) -> dict[int, set[int]]:
    """Return, for each child leading here, which of its records are here.

    A merge, a re-link or an undo may have retired the child, and a later
    change may have led it here after its records: its records are those it
    gave up when it was retired.
    """
    here = {record.pk for record in members}
    given = records_given_up([m.pk for m in merged]) if merged else {}
    return {child_id: records & here for child_id, records in given.items()}


def _settle_queue(event: MappingEvent) -> None:
    """Take off the queue the pairs a change has made one child.

    The change's summary keeps them, so that undoing it asks them again.
    """
    joined = obsolete_joined_reviews({now for _record, _was, now in event.moves})
    if joined:
        event.summary["reviews_obsoleted"] = joined
        event.save(update_fields=["summary"])


def _record_decision(
    a: int,
    b: int,
    same: bool,
    user: User | None,
    event: MappingEvent | None,
    *,
    weight: float | None = None,
    probability: float | None = None,
    model_id: int | None = None,
) -> PairDecision:
    a, b = min(a, b), max(a, b)
    decision = PairDecision.objects.create(
        record_a_id=a,
        record_b_id=b,
        same=same,
        decided_by=user,
        event=event,
        match_weight=weight,
        match_probability=probability,
        model_id=model_id,
    )
    previous = PairDecision.standing.filter(record_a_id=a, record_b_id=b).exclude(
        pk=decision.pk
    )
    for old in previous:
        old.superseded_by = decision
        old.save(update_fields=["superseded_by"])
    # A queued pair a person has now answered, here or by a merge or split,
    # leaves the queue with the answer.
    ReviewItem.objects.filter(
        record_a_id=a,
        record_b_id=b,
        status__in=[ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED],
    ).update(status=ReviewItem.Status.DECIDED, decision=decision)
    return decision
