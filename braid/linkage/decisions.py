"""A person's changes to the mapping: decisions, merges, splits, undoing.

Each change runs in one transaction, records who made it and how to take it
back, and leaves pair decisions behind that every later run obeys.
"""

import logging
from collections.abc import Sequence
from itertools import product

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from braid.children.models import Child, LinkRule, SourceRecord
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem

logger = logging.getLogger(__name__)


class MappingError(Exception):
    pass


@transaction.atomic
def decide(item: ReviewItem, same: bool | None, user: User) -> PairDecision | None:
    """Record a person's answer for a queued pair and apply it.

    ``None`` skips the pair: it stays in the queue, after the others.
    """
    item = ReviewItem.objects.select_for_update().get(pk=item.pk)
    if item.status not in (ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED):
        raise MappingError(_("This pair has already been decided."))
    if same is None:
        item.status = ReviewItem.Status.SKIPPED
        item.save(update_fields=["status"])
        return None

    a, b = item.record_a, item.record_b
    event: MappingEvent | None = None
    if same and a.child_id != b.child_id:
        event = _merge(_child(a), _child(b), user)
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
    item.refresh_from_db()
    return decision


@transaction.atomic
def merge(survivor: Child, other: Child, user: User) -> MappingEvent:
    """Make two children one: the older ID stays, the other points to it."""
    survivor, other = _child_of(survivor), _child_of(other)
    if survivor.pk == other.pk:
        raise MappingError(_("These are already one child."))
    first_a = survivor.source_records.order_by("pk").first()
    first_b = other.source_records.order_by("pk").first()
    event = _merge(survivor, other, user)
    if first_a and first_b:
        _record_decision(first_a.pk, first_b.pk, True, user, event)
    return event


@transaction.atomic
def split(child: Child, records: Sequence[SourceRecord], user: User) -> MappingEvent:
    """Separate some of a child's records into a child of their own."""
    child = _child_of(child)
    return _split(child, records, user)


@transaction.atomic
def undo(event: MappingEvent, user: User) -> MappingEvent:
    """Put records and children back as they were before ``event``."""
    event = MappingEvent.objects.select_for_update().get(pk=event.pk)
    if event.kind == MappingEvent.Kind.UNDO:
        raise MappingError(_("An undo cannot itself be undone; make the change again."))
    if hasattr(event, "undone_by"):
        raise MappingError(_("This change has already been undone."))

    record_ids = [record_id for record_id, _, _ in event.moves]
    records = SourceRecord.objects.select_for_update().in_bulk(record_ids)
    for record_id, _was, now in event.moves:
        record = records.get(record_id)
        if record is None or record.child_id != now:
            raise MappingError(
                _(
                    "Record %(record)s has been moved again since; undo the later "
                    "change first."
                )
                % {"record": record_id}
            )

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

    reversal = MappingEvent.objects.create(
        kind=MappingEvent.Kind.UNDO,
        created_by=user,
        moves=moves,
        merged=[[c, i] for c, i in event.revived],
        revived=[[c, i] for c, i in event.merged],
        undoes=event,
    )
    PairDecision.standing.filter(event=event).update(withdrawn_by=reversal)
    logger.info("Mapping change %s undone by %s", event.pk, reversal.pk)
    return reversal


def _child(record: SourceRecord) -> Child:
    return Child.objects.select_for_update().get(pk=record.child_id)


def _child_of(child: Child) -> Child:
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.merged_into_id is not None:
        raise MappingError(
            _("Child %(id)s was merged into another; work on that one instead.")
            % {"id": child.public_id}
        )
    return child


def _merge(a: Child, b: Child, user: User) -> MappingEvent:
    survivor, other = (a, b) if a.pk < b.pk else (b, a)
    now = timezone.now()
    moving = list(other.source_records.select_for_update())
    for record in moving:
        record.child = survivor
        record.link_rule, record.linked_by, record.linked_at = LinkRule.HUMAN, user, now
    SourceRecord.objects.bulk_update(
        moving, ["child", "link_rule", "linked_by", "linked_at"]
    )
    other.merged_into, other.merged_at = survivor, now
    other.save(update_fields=["merged_into", "merged_at"])
    logger.info("Child %s merged into %s", other.pk, survivor.pk)
    return MappingEvent.objects.create(
        kind=MappingEvent.Kind.MERGE,
        created_by=user,
        moves=[[r.pk, other.pk, survivor.pk] for r in moving],
        merged=[[other.pk, survivor.pk]],
        summary={"records_moved": len(moving)},
    )


def _split(child: Child, records: Sequence[SourceRecord], user: User) -> MappingEvent:
    moving_ids = {record.pk for record in records}
    members = list(child.source_records.select_for_update())
    if not moving_ids or not moving_ids <= {r.pk for r in members}:
        raise MappingError(_("Choose some of this child's own records to separate."))
    staying = [r for r in members if r.pk not in moving_ids]
    if not staying:
        raise MappingError(_("At least one record must stay with the child."))

    target, revived = _split_target(child, moving_ids)
    now = timezone.now()
    moving = [r for r in members if r.pk in moving_ids]
    for record in moving:
        record.child = target
        record.link_rule, record.linked_by, record.linked_at = LinkRule.HUMAN, user, now
    SourceRecord.objects.bulk_update(
        moving, ["child", "link_rule", "linked_by", "linked_at"]
    )
    event = MappingEvent.objects.create(
        kind=MappingEvent.Kind.SPLIT,
        created_by=user,
        moves=[[r.pk, child.pk, target.pk] for r in moving],
        revived=revived,
        summary={"records_moved": len(moving)},
    )
    for left, right in product(moving, staying):
        _record_decision(left.pk, right.pk, False, user, event)
    logger.info("Child %s split: %s records to %s", child.pk, len(moving), target.pk)
    return event


def _split_target(child: Child, moving_ids: set[int]) -> tuple[Child, list[list[int]]]:
    """Bring back the child the records came from, when a merge joined them.

    A split that undoes an earlier merge gives the records back their old
    community ID instead of a new one, so that IDs keep their meaning.
    """
    for merged in child.merged_children.filter(merged_into=child):
        came_from = _records_merged_from(merged, child)
        if came_from and came_from == moving_ids:
            merged.merged_into, merged.merged_at = None, None
            merged.save(update_fields=["merged_into", "merged_at"])
            return merged, [[merged.pk, child.pk]]
    return Child.objects.create(), []


def _records_merged_from(merged: Child, into: Child) -> set[int]:
    events = MappingEvent.objects.filter(kind=MappingEvent.Kind.MERGE).order_by("-pk")
    for event in events:
        if [merged.pk, into.pk] in event.merged:
            return {record_id for record_id, _, _ in event.moves}
    return set()


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
