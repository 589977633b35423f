"""Guardians and consents follow the records they were recorded from.

An organization records a guardian or a consent for a child from its own
records of that child. A mapping change that takes all of those records to
another child takes the guardian and the consent with them; a child the
change retires (merged, or emptied by an undo) hands what it held to the
child it now leads to, so that they are always filed under a child in use.
Where the organization's records end up on both sides (its duplicates split
apart) they stay where they were, and the change lists them so that the
steward is told. A consent and the consents it supersedes travel together,
as recorded by whoever recorded the first of them; a guardian's own
electronic consent names no organization and goes with its guardian.

A consent's terms never change: only the child it is filed under follows
the mapping, as a source record's does. The change lists what it moved, as
``[id, from_child_id, to_child_id]`` under ``consents_moved`` and
``guardians_moved`` in its summary, so that its undo puts them back, and
what stayed though its records were split, as ``[id, child_id]`` under
``consents_kept`` and ``guardians_kept``.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from braid.children.models import Child, SourceRecord
from braid.consent.models import Consent, Guardian
from braid.linkage.batches import in_chunks
from braid.linkage.models import MappingEvent

logger = logging.getLogger(__name__)

CONSENTS, GUARDIANS = "consents", "guardians"


@dataclass(frozen=True)
class Held:
    """A guardian or consent filed under a child, and who recorded it."""

    kind: str
    pk: int
    child_id: int
    organization_id: int | None


def follow_records(event: MappingEvent) -> None:
    """Move the guardians and consents whose records the change took along."""
    moves = [(r, was, now) for r, was, now in event.moves if was and now]
    touched = {c for _, was, now in moves for c in (was, now)}
    touched |= {c for pair in [*event.merged, *event.revived] for c in pair}
    if not touched:
        return
    survivor = _survivors(touched)
    moved: dict[str, list[list[int]]] = {CONSENTS: [], GUARDIANS: []}
    kept: dict[str, list[list[int]]] = {CONSENTS: [], GUARDIANS: []}

    retired = {c: survivor[c] for c in touched if survivor[c] != c}
    for root, family in _members(retired).items():
        for item in _held(family):
            moved[item.kind].append([item.pk, item.child_id, retired[root]])
    _apply(moved)

    sources = {survivor[was] for _, was, now in moves if survivor[was] != survivor[now]}
    members = _members(sources)
    held = _held_by_source(members)
    following: dict[str, list[list[int]]] = {CONSENTS: [], GUARDIANS: []}
    destinations = _destinations(moves, survivor, {s for s, _ in held})
    for (source, organization), items in held.items():
        where = destinations.get((source, organization), set())
        if not where:
            continue
        if len(where) > 1 or _still_holds(members[source], organization):
            for item in items:
                kept[item.kind].append([item.pk, item.child_id])
            continue
        (to,) = where
        for item in items:
            following[item.kind].append([item.pk, item.child_id, to])
    _apply(following)
    for kind, value in following.items():
        moved[kind] += value

    _note(event, {f"{kind}_moved": value for kind, value in moved.items()})
    _note(event, {f"{kind}_kept": value for kind, value in kept.items()})
    if any(moved.values()) or any(kept.values()):
        logger.info(
            "Mapping change %s moved %s consents and %s guardians; %s and %s stayed",
            event.pk,
            len(moved[CONSENTS]),
            len(moved[GUARDIANS]),
            len(kept[CONSENTS]),
            len(kept[GUARDIANS]),
        )


def put_back(event: MappingEvent) -> dict[str, list[list[int]]]:
    """Return what ``event`` moved to where it was; say what, for its undo."""
    back: dict[str, list[list[int]]] = {}
    for kind in (CONSENTS, GUARDIANS):
        # Latest first: one change may have moved a consent twice.
        moves = reversed(event.summary.get(f"{kind}_moved", []))
        back[kind] = [[pk, now, was] for pk, was, now in moves]
    _apply(back)
    return {f"{kind}_moved": value for kind, value in back.items() if value}


def _apply(moves: dict[str, list[list[int]]]) -> None:
    # A queryset update: a consent refuses to be saved again, for its terms;
    # the child it is filed under is not one of them.
    for pk, was, now in moves[CONSENTS]:
        Consent.objects.filter(pk=pk, child_id=was).update(child_id=now)
    for pk, was, now in moves[GUARDIANS]:
        Guardian.objects.filter(pk=pk, child_id=was).update(child_id=now)


def _note(event: MappingEvent, lists: dict[str, list[list[int]]]) -> None:
    """Add to the change's summary what moved or stayed."""
    if not any(lists.values()):
        return
    summary = dict(event.summary)
    for key, value in lists.items():
        if value:
            summary[key] = [*summary.get(key, []), *value]
    event.summary = summary
    event.save(update_fields=["summary"])


def _destinations(
    moves: list[tuple[int, int, int]], survivor: dict[int, int], sources: set[int]
) -> dict[tuple[int, int], set[int]]:
    """Return where each organization's records went from each source child."""
    leaving = [
        (record, survivor[was], survivor[now])
        for record, was, now in moves
        if survivor[was] in sources and survivor[now] != survivor[was]
    ]
    organization_of = _organizations([record for record, _, _ in leaving])
    destinations: dict[tuple[int, int], set[int]] = defaultdict(set)
    for record, source, to in leaving:
        destinations[source, organization_of[record]].add(to)
    return destinations


def _survivors(child_ids: Iterable[int]) -> dict[int, int]:
    """Map each child to the child it now stands for, following merges."""
    parent = pointers(child_ids)
    return {child_id: lead(parent, child_id) for child_id in parent}


def pointers(child_ids: Iterable[int]) -> dict[int, int | None]:
    """Return where these children, and those they lead to, point."""
    parent: dict[int, int | None] = {}
    frontier = sorted(set(child_ids))
    while frontier:
        for chunk in in_chunks(frontier):
            parent.update(
                Child.objects.filter(pk__in=chunk).values_list("pk", "merged_into_id")
            )
        frontier = sorted(
            {into for into in parent.values() if into is not None} - parent.keys()
        )
    return parent


def lead(parent: dict[int, int | None], child_id: int) -> int:
    """Return the child an ID leads to, following ``parent``."""
    seen = {child_id}
    while (into := parent.get(child_id)) is not None and into not in seen:
        child_id = into
        seen.add(into)
    return child_id


def _members(roots: Iterable[int]) -> dict[int, set[int]]:
    """Return each child with every child merged into it, at any depth."""
    members = {child_id: {child_id} for child_id in roots}
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


def _held_by_source(
    members: dict[int, set[int]],
) -> dict[tuple[int, int], list[Held]]:
    """Return what each family holds, by the organization that recorded it."""
    family_of = {m: source for source, family in members.items() for m in family}
    held: dict[tuple[int, int], list[Held]] = defaultdict(list)
    for item in _held(family_of):
        if item.organization_id is not None:
            held[family_of[item.child_id], item.organization_id].append(item)
    return held


def _held(child_ids: Iterable[int]) -> list[Held]:
    """Return the guardians and consents filed under the given children."""
    children = sorted(set(child_ids))
    found: list[Held] = []
    consents: dict[int, tuple[int, int | None, int | None]] = {}
    for chunk in in_chunks(children):
        guardians = Guardian.objects.filter(child_id__in=chunk).values_list(
            "pk", "child_id", "organization_id"
        )
        found += [Held(GUARDIANS, *row) for row in guardians]
        rows = Consent.objects.filter(child_id__in=chunk).values_list(
            "pk",
            "child_id",
            "supersedes_id",
            "organization_id",
            "guardian__organization_id",
        )
        for pk, child_id, supersedes, organization, guardians_organization in rows:
            consents[pk] = (
                child_id,
                supersedes,
                organization or guardians_organization,
            )

    for pk, (child_id, _supersedes, _by) in consents.items():
        # A consent goes where the first of its chain was recorded from.
        first = pk
        while (earlier := consents[first][1]) is not None and earlier in consents:
            first = earlier
        found.append(Held(CONSENTS, pk, child_id, consents[first][2]))
    return found


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
