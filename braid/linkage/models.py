"""The linkage model, the steward's thresholds, decisions, the review queue."""

import json
import math
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils.translation import gettext_lazy as _

from braid.children.models import Child, SourceRecord

# Match weights (in bits) the steward starts from. Measured on the benchmark
# data sets (bench/linkage.py): above the first, a pair is linked without
# review; between the two it waits for a person.
DEFAULT_AUTO_LINK_WEIGHT = 2.0
DEFAULT_REVIEW_WEIGHT = -2.0

# Match weights are in bits; a pair's total rarely leaves this range and a
# threshold outside it would link everything or nothing.
WEIGHT_LIMIT = 60.0

# How each database reads a JSON list of ids as rows, for noting what a
# mapping change touched. SQLite needs the WHERE to read the ON CONFLICT
# that follows as the INSERT's.
TOUCHED_IDS = {
    "postgresql": "value::bigint FROM jsonb_array_elements_text(%s::jsonb)",
    "sqlite": "value FROM json_each(%s) WHERE true",
}


class ThresholdError(ValueError):
    pass


def check_thresholds(auto_link: float, review: float) -> None:
    """Raise ThresholdError unless the two thresholds can be used together."""
    for value, which in [
        (auto_link, _("The automatic threshold")),
        (review, _("The review threshold")),
    ]:
        # NaN fails every comparison, so it is refused here along with the
        # infinities rather than slipping past the range check.
        if not (math.isfinite(value) and -WEIGHT_LIMIT <= value <= WEIGHT_LIMIT):
            raise ThresholdError(
                _("%(which)s must be a number from %(low)s to %(high)s, not %(value)s.")
                % {
                    "which": which,
                    "low": f"{-WEIGHT_LIMIT:g}",
                    "high": f"{WEIGHT_LIMIT:g}",
                    "value": value,
                }
            )
    if review > auto_link:
        raise ThresholdError(
            _(
                "The review threshold (%(review)s) must not be above the "
                "automatic one (%(auto)s)."
            )
            % {"review": review, "auto": auto_link}
        )


class LinkageModel(models.Model):
    """One trained version of the probabilistic model, kept for the record.

    Every link the model makes names the version it was made with, so that a
    match can be explained later by the parameters that produced it.
    """

    class Source(models.TextChoices):
        DEFAULT = "default", _("Braid's starting model")
        TRAINED = "trained", _("Trained on this community's records")

    version = models.PositiveIntegerField(_("version"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    parameters = models.JSONField(
        _("parameters"), help_text=_("The Splink model: comparisons, m and u.")
    )
    training = models.JSONField(
        _("training"),
        default=dict,
        help_text=_("What the model was trained on: records, pairs, decisions."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("linkage model")
        verbose_name_plural = _("linkage models")

    def __str__(self) -> str:
        return f"v{self.version}"


class LinkagePolicy(models.Model):
    """The community's one set of linkage settings: model and thresholds."""

    model = models.ForeignKey(
        LinkageModel,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("model in use"),
    )
    auto_link_weight = models.FloatField(
        _("link automatically from"), default=DEFAULT_AUTO_LINK_WEIGHT
    )
    review_weight = models.FloatField(_("review from"), default=DEFAULT_REVIEW_WEIGHT)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("linkage policy")
        verbose_name_plural = _("linkage policy")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_weight__lte=models.F("auto_link_weight")),
                name="review_below_auto_link",
            ),
        ]

    def __str__(self) -> str:
        return f"auto ≥ {self.auto_link_weight}, review ≥ {self.review_weight}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every roster import and re-link reads these two numbers; one that
        # is not finite would break them all, whoever stored it.
        fields = kwargs.get("update_fields")
        if fields is None or {"auto_link_weight", "review_weight"} & set(fields):
            check_thresholds(self.auto_link_weight, self.review_weight)
        super().save(*args, **kwargs)


class MappingEvent(models.Model):
    """A change to which records make up which children, with how to undo it.

    ``moves`` lists ``[record_id, from_child_id, to_child_id]``; ``merged``
    lists ``[child_id, into_child_id]`` for children retired by the change.
    A change that withdraws or restores decisions lists their pairs as
    ``[record_a_id, record_b_id]`` under ``decided_pairs`` in ``summary``.
    Saving a change notes the children and records these name, as
    ``TouchedChild`` and ``TouchedRecord`` rows.
    """

    class Kind(models.TextChoices):
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")
        MOVE = "move", _("Move a record")
        RELINK = "relink", _("Full re-link")
        ROSTER = "roster", _("Changed records linked again")
        UNDO = "undo", _("Undo")
        WITHDRAW = "withdraw", _("Decision withdrawn")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moves = models.JSONField(default=list)
    merged = models.JSONField(default=list)
    revived = models.JSONField(default=list)
    summary = models.JSONField(default=dict)
    undoes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="undone_by",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mapping change")
        verbose_name_plural = _("mapping changes")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A child's page finds its changes through what each one touched,
        # so the two are written together.
        adding = self._state.adding
        fields = kwargs.get("update_fields")
        with transaction.atomic():
            super().save(*args, **kwargs)
            if adding:
                self._note_touches(self.touched_children(), self.touched_records())
            elif fields is None or {"moves", "merged", "revived"} & set(fields):
                TouchedChild.objects.filter(event=self).delete()
                TouchedRecord.objects.filter(event=self).delete()
                self._note_touches(self.touched_children(), self.touched_records())
            elif "summary" in fields:
                # Of the summary, only its decided pairs name what was touched.
                self._note_touches(set(), self._decided_records())

    def touched_children(self) -> set[int]:
        """Return the children records moved from or to, retired or revived."""
        moved = [c for _record, was, now in self.moves for c in (was, now)]
        paired = [c for pair in [*self.merged, *self.revived] for c in pair]
        return {c for c in [*moved, *paired] if c is not None}

    def touched_records(self) -> set[int]:
        """Return the records moved and those whose decisions it took back."""
        moved = {record for record, _was, _now in self.moves}
        return moved | self._decided_records()

    def _decided_records(self) -> set[int]:
        pairs = self.summary.get("decided_pairs", [])
        return {record for pair in pairs for record in pair}

    def _note_touches(self, children: set[int], records: set[int]) -> None:
        connection = connections[self._state.db or DEFAULT_DB_ALIAS]
        elements = TOUCHED_IDS[connection.vendor]
        # Each list goes as one JSON value the database unpacks: a full
        # re-link touches hundreds of thousands of children and records,
        # and a model instance, or placeholders, for each made saving it
        # many times slower. A summary saved again names pairs that may be
        # noted already.
        with connection.cursor() as cursor:
            for model, column, ids in (
                (TouchedChild, "child_id", children),
                (TouchedRecord, "record_id", records),
            ):
                if not ids:
                    continue
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(
                    f"INSERT INTO {table} (event_id, {column}) "
                    f"SELECT %s, {elements} ON CONFLICT DO NOTHING",
                    [self.pk, json.dumps(sorted(ids))],
                )


class TouchedChild(models.Model):
    """A child a mapping change moved records from or to, retired or revived.

    A child's page lists the changes that touched the child or the children
    merged into it; these rows find them without reading every change's
    moves. The child is not held by a constraint, as the change's own lists
    do not hold it: the history outlives what it names.
    """

    pk = models.CompositePrimaryKey("child", "event")
    # The primary key, led by the child, is the index a child's page reads.
    child = models.ForeignKey(
        Child,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    event = models.ForeignKey(MappingEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("child a mapping change touched")
        verbose_name_plural = _("children mapping changes touched")

    def __str__(self) -> str:
        return f"#{self.event_id}: child {self.child_id}"


class TouchedRecord(models.Model):
    """A record a mapping change moved, or whose decision it took back.

    The record is not held by a constraint, for the reason a touched child
    is not.
    """

    pk = models.CompositePrimaryKey("record", "event")
    record = models.ForeignKey(
        SourceRecord,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    event = models.ForeignKey(MappingEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("record a mapping change touched")
        verbose_name_plural = _("records mapping changes touched")

    def __str__(self) -> str:
        return f"#{self.event_id}: record {self.record_id}"


class StandingDecisions(models.Manager["PairDecision"]):
    """Decisions that still hold: not superseded, not taken back."""

    def get_queryset(self) -> models.QuerySet["PairDecision"]:
        return (
            super()
            .get_queryset()
            .filter(superseded_by__isnull=True, withdrawn_by__isnull=True)
        )


class PairDecision(models.Model):
    """A person's word that two records are, or are not, the same child.

    Decisions are constraints every later run obeys. A new decision on the
    same pair supersedes the old one, which stays for the record.
    """

    record_a = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="+"
    )
    record_b = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="+"
    )
    same = models.BooleanField(_("same child"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    match_weight = models.FloatField(_("match weight"), null=True, blank=True)
    match_probability = models.FloatField(_("match probability"), null=True)
    model = models.ForeignKey(
        LinkageModel, on_delete=models.PROTECT, null=True, related_name="+"
    )
    event = models.ForeignKey(
        MappingEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions",
    )
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
    )
    withdrawn_by = models.ForeignKey(
        MappingEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_decisions",
        help_text=_("The undo or withdrawal that took this decision back."),
    )

    objects = models.Manager()
    standing = StandingDecisions()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("pair decision")
        verbose_name_plural = _("pair decisions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")),
                name="decision_pair_in_order",
            ),
        ]
        indexes = [models.Index(fields=["record_a", "record_b"], name="decision_pair")]

    def __str__(self) -> str:
        verdict = "same" if self.same else "different"
        return f"{self.record_a_id}-{self.record_b_id}: {verdict}"

    @property
    def answered_in_review(self) -> bool:
        """Say if a person answered this pair in the review queue.

        An answer there carries the queued pair's scores; a decision implied
        by a merge, a split or a move carries none.
        """
        return self.match_probability is not None


class ReviewItem(models.Model):
    """A pair of records waiting for a person to say if they are one child."""

    class Kind(models.TextChoices):
        LINK = "link", _("Across organizations")
        DUPLICATE = "duplicate", _("Possible duplicate within an organization")

    class Reason(models.TextChoices):
        UNCERTAIN = "uncertain", _("The score is between the two thresholds")
        TWINS = "twins", _("Possible twins or siblings born the same day")
        SIBLINGS = "siblings", _("Only the family's details agree")
        DIFFERENT_IDS = "different-ids", _("The state student IDs differ")
        SAME_ID = (
            "same-id",
            _("The state student IDs are the same, but little else is"),
        )
        DIFFERENT_BIRTH = (
            "different-birth",
            _("The dates of birth and the genders both differ"),
        )
        CHAIN = "chain", _("Linking would join records that do not match")
        COMPETING = "competing", _("The record matches more than one child")
        DUPLICATE = "duplicate", _("Two records of one organization look alike")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SKIPPED = "skipped", _("Skipped")
        DECIDED = "decided", _("Decided")
        OBSOLETE = "obsolete", _("No longer needed")

    record_a = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="+"
    )
    record_b = models.ForeignKey(
        SourceRecord, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    match_weight = models.FloatField(_("match weight"))
    match_probability = models.FloatField(_("match probability"))
    model = models.ForeignKey(
        LinkageModel, on_delete=models.PROTECT, null=True, related_name="+"
    )
    comparison = models.JSONField(
        _("comparison"),
        default=list,
        help_text=_("Each field's level of agreement and the weight it carried."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decision = models.OneToOneField(
        PairDecision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_item",
    )

    class Meta:
        ordering = ["status", "-match_weight", "pk"]
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "record_b"], name="one_review_per_pair"
            ),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")),
                name="review_pair_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="review_status")]

    def __str__(self) -> str:
        return f"{self.record_a_id}-{self.record_b_id} ({self.status})"
