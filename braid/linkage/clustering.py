"""Turning scored pairs into children within rules no score overrides.

The strongest pairs are joined first. A join is refused, and the pair sent
to a person, when it would put two records of one organization in one child
(a duplicate to resolve, or a record matching two children), when a person
has said two of the records are different children, when a hard rule
forbids it (twins, two different state IDs), or when some record on one side
does not match some record on the other (no chains: A-B and B-C do not make
A-C one child on their own when A-C scores below the review threshold).
"""

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations

Pair = tuple[int, int]

# Bits within which two candidates for one record count as a tie.
AMBIGUITY_MARGIN = 2.0


class Hold(StrEnum):
    """Why a pair above the automatic threshold was not linked."""

    TWINS = "twins"
    SIBLINGS = "siblings"
    DIFFERENT_IDS = "different-ids"
    SAME_ID = "same-id"
    DIFFERENT_BIRTH = "different-birth"
    CHAIN = "chain"
    COMPETING = "competing"
    DUPLICATE = "duplicate"


def pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


@dataclass
class Problem:
    """Everything the clustering needs, with no database or model behind it."""

    organization: Mapping[int, int]
    weights: Mapping[Pair, float]
    auto_link: float
    review: float
    # Groups of records that start as one child: existing children, or the
    # records a person has said are the same.
    groups: Sequence[Sequence[int]] = ()
    # Records whose groups may not be joined to each other (the children that
    # already exist, when a new roster is linked).
    fixed: Collection[int] = ()
    different: Collection[Pair] = ()  # a person said: not the same child
    holds: Mapping[Pair, Hold] = field(default_factory=dict)


@dataclass
class Result:
    clusters: list[set[int]]
    # Pairs for a person to look at, with the reason when a rule held them.
    review: dict[Pair, Hold | None]
    # Pairs whose score the chain rule needed and nobody had computed.
    unscored: set[Pair]
    # For each record joined to others, the pair that joined it.
    joined_by: dict[int, Pair]


class _Clusters:
    def __init__(self, records: Iterable[int]) -> None:
        self.parent = {record: record for record in records}
        self.members = {record: {record} for record in self.parent}

    def find(self, record: int) -> int:
        root = record
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[record] != root:
            self.parent[record], record = root, self.parent[record]
        return root

    def union(self, a: int, b: int) -> int:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return root_a
        if len(self.members[root_a]) < len(self.members[root_b]):
            root_a, root_b = root_b, root_a
        self.parent[root_b] = root_a
        self.members[root_a] |= self.members.pop(root_b)
        return root_a


def cluster(problem: Problem) -> Result:
    """Join records into children, strongest pairs first, within the rules."""
    records = set(problem.organization)
    clusters = _Clusters(records)
    for group in problem.groups:
        members = list(group)
        for other in members[1:]:
            clusters.union(members[0], other)

    fixed_roots = {clusters.find(record) for record in problem.fixed}
    fixed = {record for root in fixed_roots for record in clusters.members[root]}
    different = {pair(*p) for p in problem.different}
    result = Result(clusters=[], review={}, unscored=set(), joined_by={})

    def is_fixed(root: int) -> bool:
        return any(member in fixed for member in clusters.members[root])

    strong = sorted(
        (p for p, w in problem.weights.items() if w >= problem.auto_link),
        key=lambda p: (-problem.weights[p], p),
    )
    ambiguous = _ambiguous(problem, strong, clusters, fixed)
    twins: list[Pair] = []
    for a, b in strong:
        if pair(a, b) in different:
            continue
        if problem.organization[a] == problem.organization[b]:
            # One organization's two records are never joined by a score:
            # they are a duplicate for that organization to resolve, unless
            # a rule says why they look alike (twins on one roster).
            hold = problem.holds.get((a, b))
            if hold == Hold.SAME_ID:
                result.review[(a, b)] = hold
            elif hold is None and clusters.find(a) != clusters.find(b):
                result.review[(a, b)] = Hold.DUPLICATE
            continue
        if hold := problem.holds.get((a, b)) or ambiguous.get((a, b)):
            if hold == Hold.TWINS:
                # Settled below, once every link is made.
                twins.append((a, b))
            else:
                result.review[(a, b)] = hold
            continue
        root_a, root_b = clusters.find(a), clusters.find(b)
        if root_a == root_b:
            continue
        if is_fixed(root_a) and is_fixed(root_b):
            reason: Hold | None = Hold.COMPETING
        else:
            reason = _refusal(problem, clusters, root_a, root_b, different, result)
        if reason is not None:
            result.review[(a, b)] = reason
            continue
        clusters.union(a, b)
        for record in (a, b):
            result.joined_by.setdefault(record, (a, b))

    for (a, b), weight in problem.weights.items():
        uncertain = problem.review <= weight < problem.auto_link
        # One state ID on two records is for a person, however low the rest.
        shared_id = problem.holds.get((a, b)) == Hold.SAME_ID
        if not (uncertain or shared_id) or (a, b) in different:
            continue
        if problem.organization[a] == problem.organization[b] and not shared_id:
            # One organization's two records are flagged only when they look
            # like one child, or share a state ID; a middling score between
            # them is no news.
            continue
        if problem.holds.get((a, b)) == Hold.TWINS:
            twins.append((a, b))
        elif clusters.find(a) != clusters.find(b) or problem.holds.get((a, b)):
            result.review.setdefault((a, b), problem.holds.get((a, b)))

    for a, b in twins:
        # Twins each linked to their own record of the other organization
        # are told apart already: asking about the cross pair is noise.
        if not _told_apart(problem, clusters, a, b):
            result.review[(a, b)] = Hold.TWINS

    result.clusters = [set(members) for members in clusters.members.values()]
    return result


def _told_apart(problem: Problem, clusters: _Clusters, a: int, b: int) -> bool:
    """Tell whether each child holds a record of the other's organization.

    Then the two are two children unless an organization has two records of
    one child, which is for that organization to say.
    """
    root_a, root_b = clusters.find(a), clusters.find(b)
    if root_a == root_b:
        return False
    held_a = {problem.organization[r] for r in clusters.members[root_a]}
    held_b = {problem.organization[r] for r in clusters.members[root_b]}
    return problem.organization[b] in held_a and problem.organization[a] in held_b


def _ambiguous(
    problem: Problem, strong: list[Pair], clusters: _Clusters, fixed: set[int]
) -> dict[Pair, Hold]:
    """Hold a record's links when two candidates that cannot both be right tie.

    A child has one record per organization and an existing child is not
    merged by a newcomer, so two strong partners from one organization, or
    from two existing children, compete. When the runner-up is within
    ``AMBIGUITY_MARGIN`` bits of the best of the partners it competes with,
    picking one would be a guess. A stronger partner it does not compete
    with (another organization's record of the same child) settles nothing
    between them: measured from it, a tie would be seen when the child's
    records arrive one roster at a time and missed in a full re-link.
    """
    partners: dict[int, list[tuple[float, int, Pair]]] = defaultdict(list)
    for a, b in strong:
        if problem.organization[a] == problem.organization[b]:
            continue
        weight = problem.weights[(a, b)]
        partners[a].append((weight, b, (a, b)))
        partners[b].append((weight, a, (a, b)))

    def compete(p: int, q: int) -> bool:
        if clusters.find(p) == clusters.find(q):
            return False
        if p in fixed and q in fixed:
            return True
        return problem.organization[p] == problem.organization[q]

    held: dict[Pair, Hold] = {}
    for candidates in partners.values():
        for (w_p, p, edge_p), (w_q, q, edge_q) in combinations(candidates, 2):
            if not compete(p, q):
                continue
            rivals = [w for w, r, _ in candidates if r in (p, q) or compete(r, p)]
            rivals += [w for w, r, _ in candidates if compete(r, q)]
            if max(rivals) - min(w_p, w_q) <= AMBIGUITY_MARGIN:
                held[edge_p] = held[edge_q] = Hold.COMPETING
    return held


def _refusal(
    problem: Problem,
    clusters: _Clusters,
    root_a: int,
    root_b: int,
    different: set[Pair],
    result: Result,
) -> Hold | None:
    side_a, side_b = clusters.members[root_a], clusters.members[root_b]
    organizations_a = {problem.organization[r] for r in side_a}
    shared = organizations_a & {problem.organization[r] for r in side_b}
    if shared:
        same_record_org = any(
            problem.organization[x] == problem.organization[y]
            for x in side_a
            for y in side_b
        )
        one_each = len(side_a) == 1 and len(side_b) == 1
        return Hold.DUPLICATE if one_each and same_record_org else Hold.COMPETING

    cross = [pair(x, y) for x in side_a for y in side_b]
    if any(p in different or problem.holds.get(p) for p in cross):
        return Hold.CHAIN
    weights = [problem.weights.get(p) for p in cross]
    # A pair across the join the score calls different children stops it;
    # one in doubt does not, or a child a person made one by merging would
    # come apart at the next re-link wherever two of its records are.
    if any(w is not None and w < problem.review for w in weights):
        return Hold.CHAIN
    unscored = {p for p, w in zip(cross, weights, strict=True) if w is None}
    if unscored:
        result.unscored |= unscored
        return Hold.CHAIN
    return None


def solve(
    problem: Problem,
    score_missing: Callable[[set[Pair]], Mapping[Pair, float]],
    *,
    rounds: int = 3,
) -> Result:
    """Cluster, scoring the pairs the chain rule asks about, until none is.

    A pair still unscored after the last round counts as not matching: two
    records that share no blocking key at all are not the same child on the
    strength of a third.
    """
    weights = dict(problem.weights)
    asked: set[Pair] = set()
    for _ in range(rounds):
        result = cluster(_with_weights(problem, weights))
        missing = result.unscored - asked
        if not missing:
            return result
        asked |= missing
        weights.update(score_missing(missing))
    return cluster(_with_weights(problem, weights))


def _with_weights(problem: Problem, weights: Mapping[Pair, float]) -> Problem:
    return dataclasses.replace(problem, weights=weights)
