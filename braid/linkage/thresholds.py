"""What the steward's two thresholds would do, on the pairs people settled.

Labelled pairs are the ones answered in the review queue and the ones a
merge, a split or a move implies, so they are mostly hard ones: the figures
say how the thresholds sort those, not the community's accuracy as a whole.
Each labelled pair is scored again with the model in use. A pair a rule
holds back (twins, two different state IDs) goes to review however high it
scores, so it never counts as linked automatically.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from braid.children.models import SourceRecord
from braid.linkage import features, rules
from braid.linkage.engine import frequencies_for, policy, scorer_for
from braid.linkage.models import PairDecision


@dataclass(frozen=True)
class Labelled:
    weight: float
    same: bool
    # Answered in the review queue, rather than implied by a change.
    answered: bool
    # Held back from an automatic link by a rule, whatever its weight.
    held: bool = False

    def linked_unseen(self, auto_link: float) -> bool:
        return self.weight >= auto_link and not self.held


def relink_note(command: str) -> str:
    """Say that new thresholds reach existing pairs only by a re-link."""
    return _(
        "Links already made and pairs already waiting change only at the next "
        "full re-link (%(command)s), which reports what it would change first."
    ) % {"command": command}


# Below this many settled pairs one more answer moves a share by several
# points: the figures are a first hint, and the page says so.
FEW_SETTLED = 30


@dataclass(frozen=True)
class Expected:
    labelled: int
    same: int
    # Of the labelled pairs, those a person answered in the review queue; the
    # rest follow from merges, splits and moves.
    answered: int
    # Of the pairs linked automatically (at or above the automatic threshold
    # and held by no rule), the share people called the same child; None
    # when no labelled pair would be.
    auto_precision: float | None
    # Of the pairs people called the same child, the share linked
    # automatically, and the share that at least reach review (a held pair
    # above the automatic threshold reaches it).
    auto_recall: float | None
    review_recall: float | None
    # Of the pairs people called different, the share dismissed unseen.
    dismissed: float | None

    @property
    def few(self) -> bool:
        return 0 < self.labelled < FEW_SETTLED


def expected(labels: Sequence[Labelled], auto_link: float, review: float) -> Expected:
    same = [label for label in labels if label.same]
    different = [label for label in labels if not label.same]
    linked = [label for label in labels if label.linked_unseen(auto_link)]
    return Expected(
        labelled=len(labels),
        same=len(same),
        answered=sum(1 for label in labels if label.answered),
        auto_precision=_share(linked, lambda x: x.same),
        auto_recall=_share(same, lambda x: x.linked_unseen(auto_link)),
        review_recall=_share(same, lambda x: x.weight >= review),
        dismissed=_share(different, lambda x: x.weight < review),
    )


def labelled_pairs() -> list[Labelled]:
    """Score every pair a person settled with the model in use."""
    decisions = list(PairDecision.standing.all())
    if not decisions:
        return []
    ids = {r for d in decisions for r in (d.record_a_id, d.record_b_id)}
    values = SourceRecord.objects.filter(pk__in=ids).values(*features.SOURCE_FIELDS)
    rows = {v["pk"]: features.row(v) for v in values}

    current = policy()
    assert current.model is not None
    scorer = scorer_for(current.model, SourceRecord.objects.count())
    try:
        scorer.use_frequencies(frequencies_for([], rows.values()))
        pairs = [(d.record_a_id, d.record_b_id) for d in decisions]
        scored = {p.key: p for p in scorer.listed(rows, pairs)}
    finally:
        scorer.close()
    labels = []
    for decision in decisions:
        pair = scored.get((decision.record_a_id, decision.record_b_id))
        if pair is None:
            continue
        held = rules.hold_for(pair, current.review_weight) is not None
        labels.append(
            Labelled(pair.weight, decision.same, decision.answered_in_review, held)
        )
    return labels


def _share(items: Sequence[Labelled], test: Callable[[Labelled], bool]) -> float | None:
    if not items:
        return None
    return sum(1 for item in items if test(item)) / len(items)
