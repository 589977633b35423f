"""Mapping source records to community children.

Intake calls ``map_new_records`` for every source record it creates, inside
the transaction that commits the roster. This first stage is deterministic:
the same organization and local ID is the same record (intake sees to that),
the same normalized first name, last name and date of birth in another
organization is the same child, and everything else is a new child. A
probabilistic stage with a review queue replaces it behind this interface.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from django.utils import timezone

from braid.children.models import Child, LinkRule, SourceRecord

logger = logging.getLogger(__name__)

# Comfortably below SQLite's limit on query parameters.
CHUNK = 900

MatchKey = tuple[str, str, date]
T = TypeVar("T")


@dataclass
class MappingSummary:
    linked: int = 0
    new_children: int = 0
    ambiguous: int = 0


def match_key(record: SourceRecord) -> MatchKey:
    return (record.first_name_key, record.last_name_key, record.birth_date)


def map_new_records(
    records: Sequence[SourceRecord], *, now: datetime | None = None
) -> MappingSummary:
    """Give each unsaved record its child, creating the children it needs."""
    now = now or timezone.now()
    summary = MappingSummary()
    if not records:
        return summary

    organization_ids = {record.organization_id for record in records}
    candidates = _children_by_key(records, organization_ids)
    taken = _children_with_records_from(organization_ids, candidates)

    unmatched: list[SourceRecord] = []
    for record in records:
        children = candidates.get(match_key(record), set())
        if len(children) == 1 and not children & taken[record.organization_id]:
            (child_id,) = children
            record.child_id = child_id
            record.link_rule = LinkRule.EXACT_NAME_DOB
            taken[record.organization_id].add(child_id)
            summary.linked += 1
        else:
            # Several children with the same name and date of birth, or a child
            # that already has a record from this organization: linking would
            # be a guess, so the record starts a child of its own.
            summary.ambiguous += bool(children)
            unmatched.append(record)

    new_children = Child.objects.bulk_create([Child() for _ in unmatched])
    for record, child in zip(unmatched, new_children, strict=True):
        record.child = child
        record.link_rule = LinkRule.NEW_CHILD
    summary.new_children = len(new_children)

    for record in records:
        record.link_score = None
        record.linked_by = None
        record.linked_at = now
    return summary


def _children_by_key(
    records: Sequence[SourceRecord], organization_ids: set[int]
) -> dict[MatchKey, set[int]]:
    wanted = {match_key(record) for record in records}
    birth_dates = sorted({key[2] for key in wanted})

    found: dict[MatchKey, set[int]] = defaultdict(set)
    for chunk in _chunks(birth_dates):
        rows = (
            SourceRecord.objects.filter(birth_date__in=chunk)
            .exclude(organization_id__in=organization_ids)
            .values_list("first_name_key", "last_name_key", "birth_date", "child_id")
        )
        for first, last, born, child_id in rows:
            if (first, last, born) in wanted:
                found[(first, last, born)].add(child_id)
    return found


def _children_with_records_from(
    organization_ids: set[int], candidates: dict[MatchKey, set[int]]
) -> dict[int, set[int]]:
    child_ids = sorted(set().union(*candidates.values())) if candidates else []
    taken: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(child_ids):
        rows = SourceRecord.objects.filter(
            child_id__in=chunk, organization_id__in=organization_ids
        ).values_list("organization_id", "child_id")
        for organization_id, child_id in rows:
            taken[organization_id].add(child_id)
    return taken


def _chunks(items: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
