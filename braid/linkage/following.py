"""Guardians and consents follow the records they were recorded from.

An organization records a guardian or a consent for a child from its own
records of that child. A mapping change that takes all of those records to
another child takes the guardian and the consent with them. Where the
organization's records end up on both sides (its duplicates split apart),
or nobody recorded them for an organization, they stay where they were.

A consent's terms never change: only the child it is filed under follows
the mapping, as a source record's does. The change lists what it moved, as
``[id, from_child_id, to_child_id]`` under ``consents_moved`` and
``guardians_moved`` in its summary, so that its undo puts them back.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from braid.children.models import Child, SourceRecord
from braid.consent.models import Consent, Guardian
from braid.linkage.batches import in_chunks
from braid.linkage.models import MappingEvent

logger = logging.getLogger(__name__)

# (source child's survivor, organization)
Holding = tuple[int, int]


def follow_records(event: MappingEvent) -> None:
    """Move the guardians and consents whose records the change took along."""
    moves = [(r, was, now) for r, was, now in event.moves if was and now]
    if not moves:
        return
    survivor = _survivors({c for _, was, now in moves for c in (was, now)})
    sources = {survivor[was] for _, was, now in moves if survivor[was] != survivor[now]}
    members = _members(sources)
    held = _held(members)
    if not held:
        return

    leaving = [
        (record, survivor[was], survivor[now])
        for record, was, now in moves
        if survivor[was] in {source for source, _ in held}
        and survivor[now] != survivor[was]
    ]
    organization_of = _organizations([record for record, _, _ in leaving])
    destinations: dict[Holding, set[int]] = defaultdict(set)
    for record, source, to in leaving:
        destinations[source, organization_of[record]].add(to)

    moved: dict[str, list[list[int]]] = {"consents_moved": [], "guardians_moved": []}
    for (source, organization), items in held.items():
        where = destinations.get((source, organization), set())
        if len(where) != 1 or _still_holds(members[source], organization):
            continue
        (to,) = where
        for key, pk, child_id in items:
            moved[key].append([pk, child_id, to])

    _apply(Consent, moved["consents_moved"])
    _apply(Guardian, moved["guardians_moved"])
    if _note(event, moved):
        logger.info(
            "Mapping change %s moved %s consents and %s guardians with their records",
            event.pk,
            len(moved["consents_moved"]),
            len(moved["guardians_moved"]),
        )


def put_back(event: MappingEvent, reversal: MappingEvent) -> None:
    """Return what ``event`` moved to where it was, as part of its undo."""
    moved: dict[str, list[list[int]]] = {}
    for model, key in ((Consent, "consents_moved"), (Guardian, "guardians_moved")):
        moved[key] = [[pk, now, was] for pk, was, now in event.summary.get(key, [])]
        _apply(model, moved[key])
    _note(reversal, moved)


def _note(event: MappingEvent, moved: dict[str, list[list[int]]]) -> bool:
    """Add what moved to the change's summary; say whether anything did."""
    if not any(moved.values()):
        return False
    summary = dict(event.summary)
    for key, value in moved.items():
        summary[key] = [*summary.get(key, []), *value]
    event.summary = summary
    event.save(update_fields=["summary"])
    return True


def _apply(model: type[Consent] | type[Guardian], moves: list[list[int]]) -> None:
    # A queryset update: a consent refuses to be saved again, for its terms;
    # the child it is filed under is not one of them.
    for pk, was, now in moves:
        model.objects.filter(pk=pk, child_id=was).update(child_id=now)


def _survivors(child_ids: Iterable[int]) -> dict[int, int]:
    """Map each child to the child it now stands for, following merges."""
    parent: dict[int, int | None] = {}
    frontier = sorted(set(child_ids))
    while frontier:
        for chunk in in_chunks(frontier):
            parent.update(
                Child.objects.filter(pk__in=chunk).values_list("pk", "merged_into_id")
            )
        frontier = sorted(
            {
                into
                for into in parent.values()
                if into is not None and into not in parent
            }
        )

    def root(child_id: int) -> int:
        while (into := parent.get(child_id)) is not None:
            child_id = into
        return child_id

    return {child_id: root(child_id) for child_id in parent}


def _members(survivors: Iterable[int]) -> dict[int, set[int]]:
    """Return each survivor with every child merged into it, at any depth."""
    members = {child_id: {child_id} for child_id in survivors}
    top = {child_id: child_id for child_id in members}
    frontier = sorted(top)
    while frontier:
        found: list[tuple[int, int]] = []
        for chunk in in_chunks(frontier):
            found += Child.objects.filter(merged_into_id__in=chunk).values_list(
                "pk", "merged_into_id"
            )
        frontier = []
        for child_id, into in found:
            if child_id not in top:
                top[child_id] = top[into]
                members[top[into]].add(child_id)
                frontier.append(child_id)
    return members


def _held(members: dict[int, set[int]]) -> dict[Holding, list[tuple[str, int, int]]]:
    """Return the guardians and consents of each family, by organization.

    A guardian's own electronic consent names no organization; it goes with
    the guardian, whose name came from one organization's records.
    """
    family_of = {m: survivor for survivor, family in members.items() for m in family}
    held: dict[Holding, list[tuple[str, int, int]]] = defaultdict(list)
    children = sorted(family_of)
    for chunk in in_chunks(children):
        guardians = Guardian.objects.filter(
            child_id__in=chunk, organization__isnull=False
        ).values_list("pk", "child_id", "organization_id")
        for pk, child_id, organization in guardians:
            held[family_of[child_id], organization].append(
                ("guardians_moved", pk, child_id)
            )
        consents = (
            Consent.objects.filter(child_id__in=chunk)
            .filter(
                Q(organization__isnull=False) | Q(guardian__organization__isnull=False)
            )
            .values_list(
                "pk", "child_id", "organization_id", "guardian__organization_id"
            )
        )
        for pk, child_id, organization, guardians_organization in consents:
            recorded_by = organization or guardians_organization
            held[family_of[child_id], recorded_by].append(
                ("consents_moved", pk, child_id)
            )
    return held


def _organizations(record_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for chunk in in_chunks(sorted(record_ids)):
        found.update(
            SourceRecord.objects.filter(pk__in=chunk).values_list(
                "pk", "organization_id"
            )
        )
    return found


def _still_holds(family: set[int], organization: int) -> bool:
    return SourceRecord.objects.filter(
        child_id__in=family, organization_id=organization
    ).exists()
