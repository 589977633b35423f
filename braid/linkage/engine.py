"""Linking source records to children with the probabilistic model.

Two ways in: a new roster's records, and the records whose compared details
it changed, are linked against the existing index inside the transaction
that commits the roster (``link_new``), and the whole community is linked
afresh by ``relink`` (``braid link --all``). Both obey the same rules and
every decision a person has made.
"""

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from itertools import combinations
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from braid import progress
from braid.children.models import Child, LinkRule, SourceRecord
from braid.linkage import comparisons, features, rules
from braid.linkage.batches import any_of, cycle_collection_paused, in_chunks
from braid.linkage.clustering import Hold, Pair, Problem, Result, pair, solve
from braid.linkage.following import follow_records, lead, pointers
from braid.linkage.models import (
    LinkageModel,
    LinkagePolicy,
    MappingEvent,
    PairDecision,
    ReviewItem,
    TouchedChild,
)
from braid.linkage.names import fold_accents
from braid.linkage.scoring import ScoredPair, Scorer, TermFrequencies

logger = logging.getLogger(__name__)

# From this share of the community on, a roster's candidates are found in
# one pass over every record rather than by looking its keys up. Measured
# against a million records: on PostgreSQL a 2,000-row roster took as long
# either way; on SQLite, whose lookups cost no round trip, lookups still won
# at 20,000 rows and lost at 100,000.
SCAN_SHARE = {"postgresql": 1 / 500, "sqlite": 1 / 20}
# Past this many records, the standing decisions among them are found by
# reading them all rather than by looking each record up.
DECISION_LOOKUPS = 50_000
DEFAULT_MODEL = Path(__file__).parent / "data" / "default_model.json"
# The prior of the model Braid starts from, before any training.
STARTING_PRIOR = 1e-4


@cache
def default_model() -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the model Braid ships and what it was trained on."""
    if DEFAULT_MODEL.exists():
        shipped: dict[str, Any] = json.loads(DEFAULT_MODEL.read_text())
        return shipped["parameters"], shipped["training"]
    logger.warning(
        "No default linkage model at %s; using untrained values", DEFAULT_MODEL
    )
    untrained = comparisons.settings(STARTING_PRIOR).create_settings_dict("duckdb")
    return untrained, {}


@transaction.atomic
def set_thresholds(auto_link: float, review: float, user: User | None) -> LinkagePolicy:
    """Set the community's two thresholds, noting who set them."""
    if review > auto_link:
        raise ValueError("the review threshold is above the automatic one")
    policy()
    current = LinkagePolicy.objects.select_for_update().get(pk=1)
    current.auto_link_weight, current.review_weight = auto_link, review
    current.updated_by = user
    current.save(
        update_fields=["auto_link_weight", "review_weight", "updated_by", "updated_at"]
    )
    logger.info(
        "Linkage thresholds set by user %s: automatic from %s, review from %s",
        user.pk if user else None,
        auto_link,
        review,
    )
    return current


def scorer_for(
    model: LinkageModel, community: int, kind: type[Scorer] = Scorer
) -> Scorer:
    """Return a scorer for a model, its prior scaled to the community."""
    trained_on = model.training.get("records") if model.training else None
    return kind(model.parameters, trained_on=trained_on, community=community)


def policy() -> LinkagePolicy:
    """Return the community's linkage settings, made on first use."""
    current, _ = LinkagePolicy.objects.select_related("model").get_or_create(pk=1)
    if current.model is None:
        parameters, training = default_model()
        model, _ = LinkageModel.objects.get_or_create(
            version=1,
            defaults={
                "source": LinkageModel.Source.DEFAULT,
                "parameters": parameters,
                "training": training,
            },
        )
        current.model = model
        current.save(update_fields=["model"])
    return current


OPEN = [ReviewItem.Status.PENDING, ReviewItem.Status.SKIPPED]
LINK_FIELDS = [
    "child",
    "link_rule",
    "link_score",
    "link_weight",
    "link_model",
    "linked_by",
    "linked_at",
]


@dataclass
class PendingReview:
    a: SourceRecord
    b: SourceRecord
    scored: ScoredPair
    hold: Hold | None
    # Both records were saved before: the pair may have been queued already.
    known: bool = False
    # A pair a person said was one child, asked about again because one
    # record's details have changed since.
    reopen: bool = False

    @property
    def within_organization(self) -> bool:
        return self.scored.organization_a == self.scored.organization_b


@dataclass
class MappingSummary:
    linked: int = 0
    new_children: int = 0
    # Known records whose compared details changed, linked again, and how
    # many of them now belong to another child.
    relinked: int = 0
    moved: int = 0
    review: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    pending: list[PendingReview] = field(default_factory=list)
    model: LinkageModel | None = None
    event: MappingEvent | None = None

    def record_reviews(self) -> None:
        """Queue the pairs for review, once the new records have been saved."""
        asked_again = _queue(self.pending, self.model)
        self.pending = []
        if self.event is not None:
            _forget_asked_again(self.event, asked_again)


def compared(record: SourceRecord) -> dict[str, Any]:
    """Return what the model compares of a record, to tell when it changes."""
    values = _row(record, record.pk)
    del values["record_id"]
    return values


def link_new(
    records: Sequence[SourceRecord],
    *,
    changed: Sequence[SourceRecord] = (),
    now: datetime | None = None,
    user: User | None = None,
    batch: int | None = None,
) -> MappingSummary:
    """Give each unsaved record its child, creating the children it needs.

    ``changed`` are saved records whose compared details a roster has just
    changed: each is linked again as if new, unless a person's decision ties
    it to its child.
    """
    started = time.monotonic()
    now = now or timezone.now()
    current = policy()
    assert current.model is not None
    summary = MappingSummary(model=current.model)
    if not records and not changed:
        return summary
    held = _held_by_decisions(changed)
    loose = [record for record in changed if record.pk not in held]

    # Unsaved records stand in the model under negative numbers; records
    # linked again keep their own, and leave their children for the while.
    by_id = {-(index + 1): record for index, record in enumerate(records)}
    by_id.update({record.pk: record for record in loose})
    new_rows = [_row(record, record_id) for record_id, record in by_id.items()]
    # Records linked again are saved with their new details, and counted
    # among the community's names already.
    unsaved = [row for row in new_rows if row["record_id"] < 0]
    saved = [row for row in new_rows if row["record_id"] > 0]
    names = NameCounts(total=SourceRecord.objects.count())
    community = names.total + len(records)
    progress.step(_("Linking: finding likely matches among known children"))
    existing = _without(_candidates(new_rows, community), by_id)
    scorer = scorer_for(current.model, community)
    try:
        scorer.use_frequencies(
            frequencies_for(unsaved, [*saved, *existing.values()], names)
        )
        floor = current.review_weight
        progress.step(_("Linking: comparing records"))
        scored = scorer.between(new_rows, list(existing.values()), floor=floor)
        scored += scorer.within(new_rows, floor=floor)
        rows = {row["record_id"]: row for row in [*new_rows, *existing.values()]}
        scored += _scored_below_the_floor(scorer, rows, scored, linking=set(by_id))

        progress.step(_("Linking: grouping records into children"))
        children = _children_of(existing, scored, leaving=set(by_id))
        # The chain rule may score records that came in with those children.
        rows.update(existing)
        scorer.use_frequencies(
            frequencies_for(unsaved, [*saved, *existing.values()], names)
        )
        result, by_pair = _cluster(
            scorer,
            rows,
            scored,
            current,
            groups=list(children.values()),
            fixed={r for members in children.values() for r in members},
            decided=_decisions(r for r in rows if r > 0),
            linking=set(by_id),
        )
        doubts = _doubted_decisions(scorer, held, current)
    finally:
        scorer.close()

    progress.step(_("Linking: saving links"))
    placed = _placements(result, by_id, by_pair, children)
    fresh: list[SourceRecord] = []
    for record_id, (owner, scored_pair) in placed.items():
        if record_id > 0:
            continue
        record = by_id[record_id]
        if owner is not None and scored_pair is not None:
            _mark_linked(record, owner, scored_pair, current.model, now)
            summary.linked += 1
        else:
            fresh.append(record)
    _give_new_children(fresh, now)
    summary.new_children = len(fresh)

    placed_again = {r: placed[r.pk] for r in loose}
    summary.event = _move_relinked(placed_again, current.model, now, user, batch)
    summary.relinked = len(loose)
    summary.moved = len(summary.event.moves) if summary.event else 0

    summary.pending = _pending(result, by_pair, by_id, existing_records(result, by_id))
    summary.pending += doubts
    summary.duplicates = sum(1 for p in summary.pending if p.within_organization)
    summary.review = len(summary.pending) - summary.duplicates
    summary.seconds = time.monotonic() - started
    logger.info(
        "Linked %s new records: %s to existing children, %s new children; "
        "%s changed records linked again, %s of them moved; %s pairs for "
        "review, in %.1f s",
        len(records),
        summary.linked,
        summary.new_children,
        summary.relinked,
        summary.moved,
        len(summary.pending),
        summary.seconds,
    )
    return summary


def _placements(
    result: Result,
    by_id: dict[int, SourceRecord],
    by_pair: dict[Pair, ScoredPair],
    children: dict[int, list[int]],
) -> dict[int, tuple[int | None, ScoredPair | None]]:
    """Return each linked record's child and the pair that joined it."""
    child_of_record = {r: c for c, members in children.items() for r in members}
    placed: dict[int, tuple[int | None, ScoredPair | None]] = {}
    for cluster in result.clusters:
        owner = next(
            (child_of_record[r] for r in cluster if r in child_of_record), None
        )
        for record_id in (r for r in cluster if r in by_id):
            joined = result.joined_by.get(record_id)
            if owner is None or joined is None:
                placed[record_id] = (None, None)
            else:
                placed[record_id] = (owner, by_pair[joined])
    return placed


def _without(
    rows: dict[int, dict[str, Any]], leaving: Iterable[int]
) -> dict[int, dict[str, Any]]:
    for record_id in leaving:
        rows.pop(record_id, None)
    return rows


def _held_by_decisions(records: Sequence[SourceRecord]) -> dict[int, set[int]]:
    """Return the records a person tied to others, with those it is tied to.

    A person's "same child" is not the model's to undo: such a record stays
    with its child whatever its new details, and only the pairs a person
    decided are looked at again.
    """
    held: dict[int, set[int]] = defaultdict(set)
    ids = sorted(record.pk for record in records)
    for chunk in in_chunks(ids):
        query = PairDecision.standing.filter(same=True).filter(
            Q(record_a_id__in=chunk) | Q(record_b_id__in=chunk)
        )
        for a, b in query.values_list("record_a_id", "record_b_id"):
            held[a].add(b)
            held[b].add(a)
    wanted = set(ids)
    return {record_id: tied for record_id, tied in held.items() if record_id in wanted}


def _doubted_decisions(
    scorer: Scorer, held: dict[int, set[int]], current: LinkagePolicy
) -> list[PendingReview]:
    """Return the decided pairs the model would now not even ask about.

    A record tied to its child by a person stays there; when its new details
    make a decided pair score below the review threshold, the pair goes back
    to the review queue so that a person can confirm the decision or undo
    it. Nothing moves until they do.
    """
    pairs = sorted({pair(a, b) for a, tied in held.items() for b in tied})
    if not pairs:
        return []
    ids = {r for p in pairs for r in p}
    rows = _existing_rows("pk", ids)
    doubted = [
        p for p in scorer.listed(rows, pairs) if p.weight < current.review_weight
    ]
    records = SourceRecord.objects.in_bulk(sorted({r for p in doubted for r in p.key}))
    return [
        PendingReview(
            records[p.key[0]],
            records[p.key[1]],
            p,
            rules.hold_for(p, current.review_weight),
            known=True,
            reopen=True,
        )
        for p in doubted
    ]


def _move_relinked(
    placed: dict[SourceRecord, tuple[int | None, ScoredPair | None]],
    model: LinkageModel,
    now: datetime,
    user: User | None,
    batch: int | None,
) -> MappingEvent | None:
    """Put each record linked again where it now belongs, as one change.

    A record that leaves a child with other records gets a child of its own
    (the retired ID it once held alone, if any); one that was alone keeps
    its child, or, joining another child, leaves
    its old ID pointing to that child, as a merge does.
    """
    if not placed:
        return None
    set_aside = _set_aside_reviews([record.pk for record in placed])
    old_children = {record.child_id for record in placed}
    kept = set(
        SourceRecord.objects.filter(child_id__in=old_children)
        .exclude(pk__in=[record.pk for record in placed])
        .values_list("child_id", flat=True)
    )

    alone = sorted(
        (record for record, (owner, _) in placed.items() if owner is None),
        key=lambda record: record.pk,
    )
    leaving: list[SourceRecord] = []
    for record in alone:
        if record.child_id in kept:
            leaving.append(record)
        else:
            # Alone again, or still: the record keeps its child's ID.
            kept.add(record.child_id)

    moves: list[list[int]] = []
    merged: list[list[int]] = []
    for record, (owner, scored_pair) in placed.items():
        if owner is None or scored_pair is None:
            continue
        was = record.child_id
        if owner != was or record.link_rule == LinkRule.MODEL:
            _mark_linked(record, owner, scored_pair, model, now)
        if owner != was:
            moves.append([record.pk, was, owner])
            if was not in kept:
                merged.append([was, owner])
                kept.add(was)

    was_of = {record.pk: record.child_id for record in leaving}
    # A record that once left a retired ID alone takes that ID back.
    revived = retired_owners([{r.pk} for r in leaving], set(was_of.values()))
    for index, (child_id, _into) in revived.items():
        leaving[index].child_id = child_id
    _give_new_children([r for i, r in enumerate(leaving) if i not in revived], now)
    for index in revived:
        _mark_alone(leaving[index], now)
    moves += [[record.pk, was_of[record.pk], record.child_id] for record in leaving]
    SourceRecord.objects.bulk_update(list(placed), LINK_FIELDS, batch_size=500)
    for child_id, _into in revived.values():
        Child.objects.filter(pk=child_id).update(merged_into=None, merged_at=None)
    for child_id, survivor in merged:
        Child.objects.filter(pk=child_id).update(merged_into_id=survivor, merged_at=now)
    # With no move there is no change to undo: the pairs set aside were
    # scored on details the roster replaced for good, and those still in
    # doubt come back with the new scores.
    if not moves:
        return None
    summary: dict[str, Any] = {"records_moved": len(moves), "roster_batch": batch}
    if obsoleted := _moved_pairs(set_aside, {record_id for record_id, *_ in moves}):
        summary["reviews_obsoleted"] = obsoleted
    return record_change(
        MappingEvent.Kind.ROSTER,
        user,
        moves,
        merged=merged,
        revived=[[child_id, into] for child_id, into in revived.values()],
        settled={c for c, _ in merged} | {c for c, _ in revived.values()},
        summary=summary,
    )


def _moved_pairs(
    set_aside: Sequence[tuple[int, str, int, int]], moved: set[int]
) -> list[list[Any]]:
    """Return the pairs set aside that hold a moved record, for an undo.

    The undo takes back the moves, not the new details: a pair set aside only
    for a record that stayed where it was is not the undo's to ask again.
    """
    return sorted(
        [pk, status] for pk, status, a, b in set_aside if a in moved or b in moved
    )


def _forget_asked_again(event: MappingEvent, asked_again: Collection[int]) -> None:
    """Drop from a roster change the pairs it set aside and then queued again.

    They are back in the queue with the new scores; an undo has nothing of
    theirs to restore.
    """
    obsoleted = event.summary.get("reviews_obsoleted", [])
    kept = [entry for entry in obsoleted if entry[0] not in asked_again]
    if len(kept) == len(obsoleted):
        return
    summary = {**event.summary, "reviews_obsoleted": kept}
    if not kept:
        del summary["reviews_obsoleted"]
    event.summary = summary
    event.save(update_fields=["summary"])


def existing_records(
    result: Result, by_id: dict[int, SourceRecord]
) -> dict[int, SourceRecord]:
    wanted = {r for p in result.review for r in p if r > 0}
    found = SourceRecord.objects.in_bulk(sorted(wanted)) if wanted else {}
    return {**found, **by_id}


def _row(record: SourceRecord, record_id: int) -> dict[str, Any]:
    values = {name: getattr(record, name) for name in features.SOURCE_FIELDS}
    values["pk"] = record_id
    return features.row(values)


def _mark_linked(
    record: SourceRecord,
    child_id: int,
    scored: ScoredPair,
    model: LinkageModel,
    now: datetime,
) -> None:
    record.child_id = child_id
    record.link_rule = LinkRule.MODEL
    record.link_score = scored.probability
    record.link_weight = scored.weight
    record.link_model = model
    record.linked_by = None
    record.linked_at = now


def _give_new_children(records: Sequence[SourceRecord], now: datetime) -> None:
    children = Child.objects.bulk_create([Child() for _ in records], batch_size=500)
    for record, child in zip(records, children, strict=True):
        record.child = child
        _mark_alone(record, now)


def _mark_alone(record: SourceRecord, now: datetime) -> None:
    """Note that a record matched no one and stands for a child on its own."""
    record.link_rule = LinkRule.NEW_CHILD
    record.link_score = None
    record.link_weight = None
    record.link_model = None
    record.linked_by = None
    record.linked_at = now


def _candidates(
    new_rows: Sequence[dict[str, Any]], community: int
) -> dict[int, dict[str, Any]]:
    """Fetch the existing records that share a blocking key with a new one."""
    lookups: dict[str, set[Any]] = defaultdict(set)
    for row in new_rows:
        for column in features.STORED_BLOCKING_KEYS:
            if column == "block_name":
                continue
            if row[column]:
                lookups[column].add(row[column])
        for column in ("block_name", "block_name_rev"):
            if row[column]:
                lookups["block_name"].add(row[column])
        if row["state_id"]:
            lookups["state_id_key"].add(row["state_id"])

    if len(new_rows) >= community * SCAN_SHARE.get(connection.vendor, 1 / 20):
        return _scanned_candidates(lookups)
    # The keys find ids by index; each record is then read once, however
    # many keys it shares with the roster.
    ids: set[int] = set()
    for keys in any_of(lookups):
        ids.update(
            SourceRecord.objects.filter(keys).order_by().values_list("pk", flat=True)
        )
    return _existing_rows("pk", ids)


# What is read of a known record: its features' fields, its child, and the
# blocking keys it is stored with, so that they need not be worked out again
# for each of thousands of records.
STORED_FIELDS = (
    *features.SOURCE_FIELDS,
    "child_id",
    *features.STORED_BLOCKING_KEYS,
)
_KEY_POSITIONS = [STORED_FIELDS.index(k) for k in features.STORED_BLOCKING_KEYS]


def _stored_row(fetched: tuple[Any, ...]) -> dict[str, Any]:
    """Return the feature row of a record read as ``STORED_FIELDS``."""
    values = dict(zip(STORED_FIELDS, fetched, strict=True))
    keys = features.BlockingKeys(*(fetched[i] for i in _KEY_POSITIONS))
    return _existing_row(values, keys)


def _scanned_candidates(lookups: dict[str, set[Any]]) -> dict[int, dict[str, Any]]:
    """Read every record once, keeping those sharing a key with the roster."""
    checks = [
        (STORED_FIELDS.index(column), wanted) for column, wanted in lookups.items()
    ]
    found: dict[int, dict[str, Any]] = {}
    query = SourceRecord.objects.order_by().values_list(*STORED_FIELDS)
    for fetched in query.iterator(chunk_size=10_000):
        if any(fetched[index] in wanted for index, wanted in checks):
            row = _stored_row(fetched)
            found[row["record_id"]] = row
    return found


def _existing_rows(
    field_name: str, values: Collection[Any]
) -> dict[int, dict[str, Any]]:
    """Read the records whose ``field_name`` is one of ``values``, as rows."""
    found: dict[int, dict[str, Any]] = {}
    for chosen in any_of({field_name: values}):
        query = SourceRecord.objects.filter(chosen).order_by()
        for fetched in query.values_list(*STORED_FIELDS):
            row = _stored_row(fetched)
            found[row["record_id"]] = row
    return found


def _existing_row(
    values: dict[str, Any], keys: features.BlockingKeys | None = None
) -> dict[str, Any]:
    row = features.row(values, keys)
    row["child_id"] = values["child_id"]
    return row


def _children_of(
    existing: dict[int, dict[str, Any]],
    scored: Sequence[ScoredPair],
    *,
    leaving: set[int],
) -> dict[int, list[int]]:
    """Return the records of every child a new record scored against.

    The chain rule compares a new record with each record of a child it may
    join, not only with the ones blocking happened to find. Records being
    linked again (``leaving``) are not their old children's for the while.
    """
    child_ids = {
        existing[r]["child_id"] for p in scored for r in p.key if r in existing
    }
    rows = _existing_rows("child_id", child_ids)
    members: dict[int, list[int]] = defaultdict(list)
    for record_id, row in rows.items():
        if record_id in leaving:
            continue
        existing.setdefault(record_id, row)
        members[row["child_id"]].append(record_id)
    return dict(members)


@dataclass
class NameCounts:
    """How many of the community's records hold each name, read once a name.

    A roster's names are counted twice over nearly the same rows: before
    comparing, and again with the records of the children compared with. Each
    count is nearly a pass over every record.
    """

    total: int
    first: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)

    def read(self, rows: Sequence[dict[str, Any]]) -> None:
        """Count the names of ``rows`` not counted yet, as they are compared.

        Names are compared with accents folded but stored as written: a
        folded name counts the records holding it plainly and those holding
        any spelling of it the rows have, the roster's and its candidates'
        (José and Jose both count as jose). A spelling none of them has is
        left out; a full re-link counts every record's.
        """
        for column, counts in (("first", self.first), ("last", self.last)):
            names = {row[column] for row in rows if row[column]} - counts.keys()
            counts.update(dict.fromkeys(names, 0))
            spellings = names | {
                row[f"{column}_key"] for row in rows if row[column] in names
            }
            field_name = f"{column}_name_key"
            for holding in any_of({field_name: spellings}):
                query = (
                    SourceRecord.objects.filter(holding)
                    .values_list(field_name)
                    .annotate(n=Count("pk"))
                )
                for spelling, held in query:
                    if (name := fold_accents(spelling)) in names:
                        counts[name] += held

    def held(self, column: str) -> dict[str, int]:
        """Return the count of each name of ``column`` some record holds."""
        counts = self.first if column == "first" else self.last
        return {name: n for name, n in counts.items() if n}


def frequencies_for(
    new_rows: Sequence[dict[str, Any]],
    existing: Iterable[dict[str, Any]],
    names: NameCounts | None = None,
) -> TermFrequencies:
    if names is None:
        names = NameCounts(total=SourceRecord.objects.count())
    names.read([*new_rows, *existing])
    frequencies = TermFrequencies(
        first=names.held("first"), last=names.held("last"), total=names.total
    )
    frequencies.add(new_rows)
    return frequencies


def _decisions(record_ids: Iterable[int]) -> list[PairDecision]:
    ids = sorted(set(record_ids))
    wanted = set(ids)
    if len(ids) > DECISION_LOOKUPS:
        # A roster as large as a community's share meets most of its records;
        # people's decisions are far fewer than those.
        return [
            d
            for d in PairDecision.standing.iterator(chunk_size=10_000)
            if d.record_a_id in wanted and d.record_b_id in wanted
        ]
    found: dict[int, PairDecision] = {}
    for chunk in in_chunks(ids):
        query = PairDecision.standing.filter(record_a_id__in=chunk)
        found.update({decision.pk: decision for decision in query})
    return [d for d in found.values() if d.record_b_id in wanted]


def _scored_below_the_floor(
    scorer: Scorer,
    rows: dict[int, dict[str, Any]],
    scored: Sequence[ScoredPair],
    *,
    linking: Collection[int] | None = None,
) -> list[ScoredPair]:
    """Score the pairs of records sharing a state ID that the floor left out.

    Scoring keeps only pairs above the review threshold; two records with one
    state ID and nothing else in common fall below it, and would be dropped
    without anyone hearing of the error. With ``linking``, only pairs with
    one of those records are looked for.
    """
    holders: dict[str, list[int]] = defaultdict(list)
    for record_id, row in rows.items():
        if row["state_id"]:
            holders[row["state_id"]].append(record_id)
    sharing = {
        pair(a, b)
        for ids in holders.values()
        if len(ids) > 1
        for a, b in combinations(ids, 2)
        if linking is None or a in linking or b in linking
    }
    missing = sharing - {p.key for p in scored}
    return scorer.listed(rows, sorted(missing)) if missing else []


def _cluster(
    scorer: Scorer,
    rows: dict[int, dict[str, Any]],
    scored: Sequence[ScoredPair],
    current: LinkagePolicy,
    *,
    groups: list[list[int]],
    fixed: set[int],
    decided: Sequence[PairDecision],
    linking: Collection[int] | None = None,
) -> tuple[Result, dict[Pair, ScoredPair]]:
    """Cluster the scored rows.

    With ``linking`` (the records being linked), only the records that can
    end up with one of them are clustered: those records, the records of any
    pair scored, and the members of ``groups`` and of decided pairs. The other
    candidates blocking read would each stay a cluster of its own, and
    building those clusters costs more than the clustering itself when a
    roster meets nearly the whole community.
    """
    by_pair = {p.key: p for p in scored}
    review = current.review_weight
    holds = {p.key: hold for p in scored if (hold := rules.hold_for(p, review))}
    same = [[d.record_a_id, d.record_b_id] for d in decided if d.same]
    different = {(d.record_a_id, d.record_b_id) for d in decided if not d.same}

    def score_missing(pairs: set[Pair]) -> dict[Pair, float]:
        extra = scorer.listed(rows, sorted(pairs))
        for p in extra:
            by_pair.setdefault(p.key, p)
            if hold := rules.hold_for(p, review):
                holds.setdefault(p.key, hold)
        return {p.key: p.weight for p in extra}

    clustered: Iterable[int] = rows
    if linking is not None:
        involved = set(linking)
        involved.update(r for p in scored for r in p.key)
        involved.update(r for group in (*groups, *same) for r in group)
        clustered = involved & rows.keys()
    problem = Problem(
        organization={r: rows[r]["organization_id"] for r in clustered},
        weights={p.key: p.weight for p in scored},
        auto_link=current.auto_link_weight,
        review=current.review_weight,
        groups=[*groups, *same],
        fixed=fixed,
        different=different,
        holds=holds,
    )
    result = solve(problem, score_missing)
    decided_pairs = {(d.record_a_id, d.record_b_id) for d in decided}
    # Brothers and sisters are told apart by the rule, not by a person: a
    # pair whose only agreement is the family's is not queued.
    result.review = {
        p: hold
        for p, hold in result.review.items()
        if p not in decided_pairs and p in by_pair and hold != Hold.SIBLINGS
    }
    return result, by_pair


def _pending(
    result: Result,
    by_pair: dict[Pair, ScoredPair],
    by_id: dict[int, SourceRecord],
    records: dict[int, SourceRecord],
) -> list[PendingReview]:
    return [
        PendingReview(records[a], records[b], by_pair[(a, b)], hold, known=a > 0)
        for (a, b), hold in sorted(result.review.items())
    ]


def _review_item(
    a: int, b: int, pending: PendingReview, model: LinkageModel | None
) -> ReviewItem:
    scored = pending.scored
    a, b = min(a, b), max(a, b)
    same_organization = scored.organization_a == scored.organization_b
    reason = ReviewItem.Reason(pending.hold or ReviewItem.Reason.UNCERTAIN)
    if same_organization:
        reason = ReviewItem.Reason.DUPLICATE if pending.hold is None else reason
    return ReviewItem(
        record_a_id=a,
        record_b_id=b,
        kind=(ReviewItem.Kind.DUPLICATE if same_organization else ReviewItem.Kind.LINK),
        reason=reason,
        match_weight=scored.weight,
        match_probability=scored.probability,
        model=model,
        comparison=[
            {
                "comparison": level.comparison,
                "level": level.label,
                "weight": level.weight,
            }
            for level in scored.levels
        ],
    )


# What asking about a queued pair again rewrites.
ASKED_AGAIN_FIELDS = [
    "kind",
    "reason",
    "status",
    "match_weight",
    "match_probability",
    "model",
    "comparison",
    "decision",
]


def _queue(pending: Sequence[PendingReview], model: LinkageModel | None) -> set[int]:
    """Queue pairs for review, asking again about any set aside or reopened.

    Return the ids of the pairs asked about again that stay in the queue.
    """
    wanted = {pair(p.a.pk, p.b.pk): p for p in pending}
    ids = sorted({min(p.a.pk, p.b.pk) for p in pending if p.known})
    again: list[ReviewItem] = []
    for chunk in in_chunks(ids):
        for item in ReviewItem.objects.filter(record_a_id__in=chunk):
            p = wanted.get((item.record_a_id, item.record_b_id))
            if p is None:
                continue
            if item.status == ReviewItem.Status.OBSOLETE or p.reopen:
                again.append(_asked_again(item.pk, p, model))
    ReviewItem.objects.bulk_update(again, ASKED_AGAIN_FIELDS, batch_size=500)

    items = [_review_item(a, b, p, model) for (a, b), p in wanted.items()]
    ReviewItem.objects.bulk_create(items, batch_size=500, ignore_conflicts=True)
    # A pair asked again may be one whose records have since become one child;
    # a reopened pair is asked because a person made its records one child.
    joined = obsolete_joined_reviews(
        {r.child_id for p in pending for r in (p.a, p.b)},
        keep={pair(p.a.pk, p.b.pk) for p in pending if p.reopen},
    )
    return {item.pk for item in again} - {pk for pk, _status in joined}


def _asked_again(
    pk: int, pending: PendingReview, model: LinkageModel | None
) -> ReviewItem:
    fresh = _review_item(pending.a.pk, pending.b.pk, pending, model)
    fresh.pk = pk
    fresh.status = ReviewItem.Status.PENDING
    fresh.decision = None
    return fresh


def _set_aside_reviews(record_ids: Sequence[int]) -> list[tuple[int, str, int, int]]:
    """Take the open pairs of records about to be linked again off the queue.

    They were scored on the old details; the pairs still in doubt come back
    with the new scores. Return each pair set aside as its id, the status it
    had and its two records.
    """
    found: dict[int, tuple[int, str, int, int]] = {}
    for chunk in in_chunks(sorted(record_ids)):
        items = ReviewItem.objects.select_for_update().filter(
            Q(record_a_id__in=chunk) | Q(record_b_id__in=chunk), status__in=OPEN
        )
        for pk, status, a, b in items.values_list(
            "pk", "status", "record_a_id", "record_b_id"
        ):
            found[pk] = (pk, status, a, b)
    for chunk in in_chunks(sorted(found)):
        ReviewItem.objects.filter(pk__in=chunk).update(
            status=ReviewItem.Status.OBSOLETE
        )
    return [found[pk] for pk in sorted(found)]


def obsolete_joined_reviews(
    child_ids: Iterable[int], keep: Collection[Pair] = ()
) -> list[list[Any]]:
    """Take off the queue the open pairs whose two records are now one child.

    Return each as its id and the status it had, for an undo to restore.
    """
    joined: list[tuple[int, str]] = []
    for chunk in in_chunks(sorted(set(child_ids))):
        found = ReviewItem.objects.filter(
            status__in=OPEN,
            record_a__child_id__in=chunk,
            record_a__child_id=F("record_b__child_id"),
        ).values_list("pk", "status", "record_a_id", "record_b_id")
        joined += [(pk, status) for pk, status, a, b in found if (a, b) not in keep]
    for ids in in_chunks([pk for pk, _status in joined]):
        ReviewItem.objects.filter(pk__in=ids).update(status=ReviewItem.Status.OBSOLETE)
    return sorted([pk, status] for pk, status in joined)


def restore_reviews(summary: dict[str, Any]) -> None:
    """Put the queue back as it was before the change ``summary`` describes."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for pk, status in summary.get("reviews_obsoleted", []):
        by_status[status].append(pk)
    for status, pks in by_status.items():
        for chunk in in_chunks(pks):
            ReviewItem.objects.filter(
                pk__in=chunk, status=ReviewItem.Status.OBSOLETE
            ).update(status=status)
    # Last, since a pair the change created may also be one it set aside.
    asked = [*summary.get("reviews_created", []), *summary.get("reviews_reopened", [])]
    for chunk in in_chunks(asked):
        ReviewItem.objects.filter(pk__in=chunk, status__in=OPEN).update(
            status=ReviewItem.Status.OBSOLETE
        )


# --- Where retired IDs lead ------------------------------------------------


def lead_retired_ids(
    moves: Sequence[Sequence[int]], settled: Collection[int] = ()
) -> list[list[int]]:
    """Lead each retired ID whose records ``moves`` took to where they are.

    A retired ID (a merged child, or one an undo left without records)
    leads to a child holding records it gave up. When a change takes all of
    them from there, the ID leads instead to the child holding most of them
    now, the older one on a tie, so that it never comes to stand for
    another child. ``settled`` are the children whose pointers the change
    itself set. Return each ID led elsewhere as ``[child_id, was_into,
    now_into]``, for the change to record and its undo to take back.
    """
    sources = {was for _record, was, now in moves if was != now}
    below = _retired_below(sources)
    candidates = [c for c in below if c not in settled]
    if not candidates:
        return []
    given = records_given_up(candidates)
    holder = _holders(sorted({r for records in given.values() for r in records}))
    parent = {**pointers({*sources, *holder.values()}), **below}

    led: list[list[int]] = []
    for child_id in candidates:
        places = Counter(
            lead(parent, holder[r]) for r in given.get(child_id, ()) if r in holder
        )
        if not places or lead(parent, child_id) in places:
            continue
        into = min(places, key=lambda c: (-places[c], c))
        was_into = below[child_id]
        # A concurrent change that led the ID elsewhere first wins.
        if Child.objects.filter(pk=child_id, merged_into_id=was_into).update(
            merged_into_id=into
        ):
            parent[child_id] = into
            led.append([child_id, was_into, into])
    if led:
        logger.info("%s retired IDs now lead to where their records are", len(led))
    return led


def record_change(
    kind: str,
    user: User | None,
    moves: list[list[int]],
    *,
    merged: Sequence[list[int]] = (),
    revived: Sequence[list[int]] = (),
    settled: Collection[int] = (),
    summary: dict[str, Any] | None = None,
    undoes: MappingEvent | None = None,
) -> MappingEvent:
    """Record a change to the mapping once its records have moved.

    Every change leads the retired IDs its moves concern to where their
    records are (see ``lead_retired_ids``; ``settled`` are the IDs the
    change itself retired or revived) and takes guardians and consents along
    with their records (``follow_records``). An ID led elsewhere is listed
    in ``merged`` and ``revived`` as well, so that an undo, which clears
    what a change merged and merges again what it revived, leads it back.
    """
    led = lead_retired_ids(moves, settled)
    summary = dict(summary or {})
    if led:
        summary["repointed"] = [*summary.get("repointed", []), *led]
    event = MappingEvent.objects.create(
        kind=kind,
        created_by=user,
        moves=moves,
        merged=[*merged, *([c, into] for c, _was, into in led)],
        revived=[*revived, *([c, was] for c, was, _into in led)],
        summary=summary,
        undoes=undoes,
    )
    follow_records(event)
    return event


def records_given_up(child_ids: Collection[int]) -> dict[int, set[int]]:
    """Return the records each child gave up the last time it lost any.

    For a retired child, these are the records it held when it was retired.
    The changes that touched each child are found by index and read once
    each, newest first.
    """
    touching: dict[int, set[int]] = defaultdict(set)
    for chunk in in_chunks(sorted(child_ids)):
        found = TouchedChild.objects.filter(child_id__in=chunk).values_list(
            "event_id", "child_id"
        )
        for event_id, child_id in found:
            touching[event_id].add(child_id)

    given: dict[int, set[int]] = {}
    for chunk in in_chunks(sorted(touching, reverse=True)):
        events = (
            MappingEvent.objects.filter(pk__in=chunk)
            .order_by("-pk")
            .values_list("pk", "moves")
        )
        for event_id, moves in events.iterator(chunk_size=20):
            looking = touching[event_id] - given.keys()
            if not looking:
                continue
            gave: dict[int, set[int]] = defaultdict(set)
            for record_id, was, _now in moves:
                if was in looking:
                    gave[was].add(record_id)
            given.update(gave)
    return given


def _retired_below(child_ids: Collection[int]) -> dict[int, int]:
    """Return what each child leading to these at any depth points to."""
    # Nearest first: callers settle an ID before the IDs that lead to it.
    below: dict[int, int] = {}
    frontier = sorted(set(child_ids))
    while frontier:
        found: list[tuple[int, int]] = []
        for chunk in in_chunks(frontier):
            found += Child.objects.filter(merged_into_id__in=chunk).values_list(
                "pk", "merged_into_id"
            )
        fresh = {c: into for c, into in found if c not in below and c not in child_ids}
        below.update(fresh)
        frontier = sorted(fresh)
    return below


def _holders(record_ids: Sequence[int]) -> dict[int, int]:
    holder: dict[int, int] = {}
    for chunk in in_chunks(record_ids):
        holder.update(
            SourceRecord.objects.filter(pk__in=chunk).values_list("pk", "child_id")
        )
    return holder


# --- Re-linking the whole community -----------------------------------------


@dataclass
class RelinkPlan:
    records: int = 0
    pairs: int = 0
    moves: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    merged: list[tuple[int, int]] = field(default_factory=list)
    split: list[int] = field(default_factory=list)
    # Retired IDs given back to the records they held: (child, led to).
    revived: list[tuple[int, int]] = field(default_factory=list)
    new_children: int = 0
    review: list[PendingReview] = field(default_factory=list)
    # Whether the pairs to review are exactly those waiting already.
    queue_unchanged: bool = False
    seconds: float = 0.0
    _clusters: list[set[int]] = field(default_factory=list, repr=False)
    _joined_by: dict[int, ScoredPair] = field(default_factory=dict, repr=False)
    _owner: list[int | None] = field(default_factory=list, repr=False)

    @property
    def changes_nothing(self) -> bool:
        """Say whether applying the plan would change no child and no pair."""
        return not (self.moves or self.merged or self.revived) and self.queue_unchanged

    def counts(self) -> dict[str, int]:
        return {
            "records": self.records,
            "pairs_scored": self.pairs,
            "records_moved": len(self.moves),
            "children_merged": len(self.merged),
            "children_split": len(self.split),
            "new_children": self.new_children,
            "children_revived": len(self.revived),
            "review": sum(not p.within_organization for p in self.review),
            "duplicates": sum(p.within_organization for p in self.review),
        }


@cycle_collection_paused()
def plan_relink(scorer_class: type[Scorer] = Scorer) -> RelinkPlan:
    """Link every record afresh and say what would change, changing nothing."""
    started = time.monotonic()
    current = policy()
    assert current.model is not None
    progress.step(_("Reading every record"))
    values = list(
        SourceRecord.objects.values(
            *features.SOURCE_FIELDS, "child_id", "linked_at"
        ).iterator(chunk_size=5000)
    )
    founding = _founding_records(values)
    rows = {v["pk"]: _existing_row(v) for v in values}
    # Only the rows are needed from here; the values would stay held through
    # the scoring, a million of them in a large community.
    del values
    plan = RelinkPlan(records=len(rows))

    scorer = scorer_for(current.model, len(rows), scorer_class)
    try:
        frequencies = TermFrequencies()
        frequencies.add(rows.values())
        scorer.use_frequencies(frequencies)
        progress.step(_("Comparing records"))
        scored = scorer.within(list(rows.values()), floor=current.review_weight)
        scored += _scored_below_the_floor(scorer, rows, scored)
        plan.pairs = len(scored)
        progress.step(_("Grouping records into children"))
        result, by_pair = _cluster(
            scorer,
            rows,
            scored,
            current,
            groups=[],
            fixed=set(),
            decided=_all_decisions(),
        )
    finally:
        scorer.close()

    progress.step(_("Working out what would change"))
    current_child = {r: row["child_id"] for r, row in rows.items()}
    _assign_owners(plan, result.clusters, current_child, founding)
    plan._joined_by = {r: by_pair[p] for r, p in result.joined_by.items()}
    records = SourceRecord.objects.in_bulk(
        sorted({r for p in result.review for r in p})
    )
    plan.review = _pending(result, by_pair, {}, records)
    waiting = ReviewItem.objects.filter(status__in=OPEN).values_list(
        "record_a_id", "record_b_id"
    )
    plan.queue_unchanged = set(waiting) == set(result.review)
    plan.seconds = time.monotonic() - started
    return plan


def _all_decisions() -> list[PairDecision]:
    return list(PairDecision.standing.all())


def _founding_records(values: Iterable[dict[str, Any]]) -> dict[int, int]:
    """Return each child's founding record: the one it has held longest.

    Every placement of a record on a child stamps ``linked_at``, so the
    record a child was made for keeps the earliest stamp among those it
    holds; records that joined later, by a roster, a merge or a move, carry
    later ones. Records placed together are told apart by their ids. An undo
    stamps the records it puts back, which then count as come lately.
    """
    first: dict[int, tuple[datetime, int]] = {}
    for v in values:
        stamp = (v["linked_at"], v["pk"])
        held = first.get(v["child_id"])
        if held is None or stamp < held:
            first[v["child_id"]] = stamp
    return {child: record for child, (_at, record) in first.items()}


def _assign_owners(
    plan: RelinkPlan,
    clusters: list[set[int]],
    current_child: dict[int, int],
    founding: dict[int, int],
) -> None:
    """Keep each child's ID with the cluster holding most of its records.

    A tie goes to the cluster holding the child's founding record, so that
    an ID stays with the records it was made for, then to the larger
    cluster. A cluster that several children prefer is kept by the one
    with most records in it, then its founding record, then the older ID;
    the others lead to it. A cluster no child prefers takes back the retired
    ID of a child that gave up exactly its records (a merge the re-link
    undoes), or else is a new child.
    """
    ordered = sorted(clusters, key=lambda c: (-len(c), min(c)))
    # A child's score in a cluster: twice its records there, and one more
    # for its founding record, so that records count first.
    best: dict[int, int] = {}
    score: dict[int, int] = {}
    for index, cluster in enumerate(ordered):
        for child, n in Counter(current_child[r] for r in cluster).items():
            points = 2 * n + (founding.get(child) in cluster)
            if points > score.get(child, 0):
                best[child], score[child] = index, points
    preferring: dict[int, list[int]] = defaultdict(list)
    for child, index in best.items():
        preferring[index].append(child)
    owners: list[int | None] = [
        min(preferring[index], key=lambda c: (-score[c], c))
        if index in preferring
        else None
        for index in range(len(ordered))
    ]
    plan.revived = _revive_retired(ordered, owners, current_child)
    plan._clusters, plan._owner = ordered, owners
    plan.new_children = sum(owner is None for owner in owners)

    destination: dict[int, int | None] = {}
    for cluster, owner in zip(ordered, owners, strict=True):
        for record in cluster:
            destination[record] = owner
            if current_child[record] != owner:
                plan.moves.append((record, current_child[record], owner))

    taken = {owner for owner in owners if owner is not None}
    places: dict[int, set[int | None]] = defaultdict(set)
    for record, child in current_child.items():
        places[child].add(destination[record])
    for child, where in places.items():
        if child not in taken:
            # The cluster it preferred is kept by another child: its ID
            # leads there, with most of its records.
            survivor = owners[best[child]]
            assert survivor is not None
            plan.merged.append((child, survivor))
        elif len(where) > 1:
            plan.split.append(child)


def _revive_retired(
    clusters: list[set[int]], owners: list[int | None], current_child: dict[int, int]
) -> list[tuple[int, int]]:
    """Give each unowned cluster the retired ID that gave up its records.

    Fills ``owners`` in place and returns the IDs revived, with the child
    each led to, so that an undo can lead it there again.
    """
    unowned = [index for index, owner in enumerate(owners) if owner is None]
    found = retired_owners(
        [clusters[index] for index in unowned],
        {current_child[r] for index in unowned for r in clusters[index]},
    )
    for position, (child, _into) in found.items():
        owners[unowned[position]] = child
    return list(found.values())


def retired_owners(
    clusters: Sequence[Collection[int]], holders: Collection[int]
) -> dict[int, tuple[int, int]]:
    """Return, by cluster, the retired ID that gave up exactly its records.

    ``holders`` are the children holding the records now; the IDs that lead
    to them, at any depth, are the candidates. Each is given with the child
    it leads to.
    """
    if not clusters or not holders:
        return {}
    below = _retired_below(holders)
    given = records_given_up(below)
    by_records = {frozenset(records): c for c, records in given.items() if records}
    found: dict[int, tuple[int, int]] = {}
    taken: set[int] = set()
    for index, cluster in enumerate(clusters):
        child = by_records.get(frozenset(cluster))
        if child is not None and child not in taken:
            found[index] = (child, below[child])
            taken.add(child)
    return found


@cycle_collection_paused()
@transaction.atomic
def apply_relink(plan: RelinkPlan, user: User | None) -> MappingEvent:
    """Carry out a re-link plan as one change that can be undone."""
    now = timezone.now()
    current = policy()
    progress.step(_("Saving the changes"))
    revived = [child for child, _into in plan.revived]
    for chunk in in_chunks(revived):
        Child.objects.filter(pk__in=chunk).update(merged_into=None, merged_at=None)
    new_children = Child.objects.bulk_create(
        [Child() for owner in plan._owner if owner is None], batch_size=500
    )
    fresh = iter(new_children)
    destination: dict[int, int] = {}
    for cluster, owner in zip(plan._clusters, plan._owner, strict=True):
        child_id = owner if owner is not None else next(fresh).pk
        for record_id in cluster:
            destination[record_id] = child_id

    moved = SourceRecord.objects.in_bulk([m[0] for m in plan.moves])
    moves = []
    for record in moved.values():
        moves.append([record.pk, record.child_id, destination[record.pk]])
        record.child_id = destination[record.pk]
        scored = plan._joined_by.get(record.pk)
        if scored is not None:
            record.link_rule = LinkRule.MODEL
            record.link_score, record.link_weight = scored.probability, scored.weight
            record.link_model = current.model
        else:
            record.link_rule = LinkRule.NEW_CHILD
            record.link_score = record.link_weight = None
            record.link_model = None
        record.linked_by, record.linked_at = None, now
    SourceRecord.objects.bulk_update(
        moved.values(),
        [
            "child",
            "link_rule",
            "link_score",
            "link_weight",
            "link_model",
            "linked_by",
            "linked_at",
        ],
        batch_size=500,
    )

    merged = [[child, survivor] for child, survivor in plan.merged]
    for child, survivor in plan.merged:
        Child.objects.filter(pk=child).update(merged_into_id=survivor, merged_at=now)
    obsoleted, created, reopened = _replace_open_reviews(plan.review, current.model)
    obsoleted += obsolete_joined_reviews(
        {destination[r.pk] for p in plan.review for r in (p.a, p.b)}
    )
    event = record_change(
        MappingEvent.Kind.RELINK,
        user,
        moves,
        merged=merged,
        revived=[[child, into] for child, into in plan.revived],
        settled={child for child, _ in plan.merged} | set(revived),
        summary={
            **plan.counts(),
            "reviews_obsoleted": obsoleted,
            "reviews_created": created,
            "reviews_reopened": reopened,
        },
    )
    logger.info(
        "Re-linked %s records: %s moved, %s children merged, %s split",
        plan.records,
        len(plan.moves),
        len(plan.merged),
        len(plan.split),
    )
    return event


def _replace_open_reviews(
    review: Sequence[PendingReview], model: LinkageModel | None
) -> tuple[list[list[Any]], list[int], list[int]]:
    """Queue the plan's pairs in place of the open ones.

    Return the pairs set aside, each with the status it had, and the ids of
    the pairs created and of those asked again, for an undo to put the queue
    back.
    """
    wanted = {pair(p.a.pk, p.b.pk): p for p in review}
    open_items = ReviewItem.objects.filter(status__in=OPEN).values_list(
        "pk", "record_a_id", "record_b_id", "status"
    )
    stale: list[list[Any]] = []
    stale_ids: list[int] = []
    for pk, a, b, status in open_items:
        if (a, b) not in wanted:
            stale.append([pk, status])
            stale_ids.append(pk)
    for chunk in in_chunks(stale_ids):
        ReviewItem.objects.filter(pk__in=chunk).update(
            status=ReviewItem.Status.OBSOLETE
        )
    existing = _items_of(wanted)
    # A pair set aside before is asked again as if new; one a person decided
    # keeps its answer.
    again = [
        _asked_again(pk, wanted[key], model)
        for key, (pk, status) in existing.items()
        if status == ReviewItem.Status.OBSOLETE
    ]
    ReviewItem.objects.bulk_update(again, ASKED_AGAIN_FIELDS, batch_size=500)
    created = ReviewItem.objects.bulk_create(
        [
            _review_item(a, b, p, model)
            for (a, b), p in wanted.items()
            if (a, b) not in existing
        ],
        batch_size=500,
    )
    return stale, [item.pk for item in created], sorted(item.pk for item in again)


def _items_of(pairs: Collection[Pair]) -> dict[Pair, tuple[int, str]]:
    """Return the queued items of these pairs, whatever their status."""
    found: dict[Pair, tuple[int, str]] = {}
    items = ReviewItem.objects.values_list("pk", "record_a_id", "record_b_id", "status")
    for pk, a, b, status in items.iterator(chunk_size=10_000):
        if (a, b) in pairs:
            found[a, b] = (pk, status)
    return found
