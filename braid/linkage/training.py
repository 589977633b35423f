"""Training a new version of the linkage model on the community's own records.

u (how often two different children agree by chance) comes from random
pairs; m (how often one child's records agree) from expectation
maximisation over blocked pairs, and from the steward's "same child"
decisions once there are some. The result is stored as a new version; links
made from then on name it.
"""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from splink import DuckDBAPI, Linker, block_on

from braid.children.models import SourceRecord
from braid.linkage import comparisons, features
from braid.linkage.engine import STARTING_PRIOR, policy
from braid.linkage.models import LinkageModel, LinkagePolicy, PairDecision
from braid.linkage.scoring import SCHEMA

logger = logging.getLogger(__name__)

# Fewer records than this give EM too few pairs to learn from; the model
# the community has stays in use.
MINIMUM_RECORDS = 500
# "Same child" decisions needed before they count toward m.
MINIMUM_LABELS = 10
U_SAMPLE_PAIRS = 5e6
# No way two records of one child can agree is treated as all but impossible:
# EM sees only the slips a community's data happens to hold, and a level it
# never saw among matches would otherwise veto every future match that has
# it (a one-digit typo in a date of birth, a family that moved).
M_FLOOR = 1e-3
# Nor is any agreement treated as impossible by chance.
U_FLOOR = 1e-6
SEED = 2026


class TrainingError(Exception):
    pass


def train(user: User | None = None, *, activate: bool = True) -> LinkageModel:
    """Train a new model version on every source record and return it."""
    started = time.monotonic()
    values = list(
        SourceRecord.objects.values(*features.SOURCE_FIELDS).iterator(chunk_size=5000)
    )
    if len(values) < MINIMUM_RECORDS:
        raise TrainingError(
            _(
                "Training needs at least %(minimum)s source records; the "
                "community has %(count)s. The current model stays in use."
            )
            % {"minimum": MINIMUM_RECORDS, "count": len(values)}
        )

    rows = [features.row(v) for v in values]

    labels = list(
        PairDecision.standing.filter(same=True).values_list(
            "record_a_id", "record_b_id"
        )
    )
    parameters, summary = fit(rows, labels)
    summary["seconds"] = round(time.monotonic() - started, 1)
    return _store(parameters, summary, user, activate)


def fit(
    rows: list[dict[str, Any]], labels: list[tuple[int, int]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Estimate the model's parameters from feature rows and "same" labels."""
    connection = duckdb.connect()
    database = DuckDBAPI(connection)
    table = database.register(
        pa.Table.from_pylist([{"wanted": None, **r} for r in rows], schema=SCHEMA),
        table_name="braid_training_rows",
    )
    linker = Linker(table, comparisons.settings(STARTING_PRIOR), log_level=None)
    training = linker.training
    with _levels_not_observed() as unobserved:
        _estimate(training)
        used_labels = _learn_from_decisions(database, training, labels)
    parameters: dict[str, Any] = linker.misc.save_model_to_json()
    connection.close()
    regularize(parameters)
    summary = {
        "records": len(rows),
        "labels": used_labels,
        "probability_two_random_records_match": parameters[
            "probability_two_random_records_match"
        ],
        "levels_not_observed": unobserved,
    }
    return parameters, summary


def _estimate(training: Any) -> None:
    training.estimate_probability_two_random_records_match(
        [block_on("first", "last", "dob"), block_on("state_id")], recall=0.7
    )
    training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
    training.estimate_parameters_using_expectation_maximisation(
        block_on("first", "last")
    )
    training.estimate_parameters_using_expectation_maximisation(block_on("dob"))


def _learn_from_decisions(
    database: DuckDBAPI, training: Any, labels: list[tuple[int, int]]
) -> int:
    if len(labels) < MINIMUM_LABELS:
        return 0
    label_table = database.register(
        pa.table(
            {
                "record_id_l": [a for a, _ in labels],
                "record_id_r": [b for _, b in labels],
            }
        ),
        table_name="braid_training_labels",
    )
    training.estimate_m_from_pairwise_labels(label_table)
    return len(labels)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


@contextmanager
def _levels_not_observed() -> Iterator[list[str]]:
    """Keep Splink's notes on levels EM never saw, for the training summary.

    Such a level keeps its floor value (see ``regularize``); the notes are
    what the steward reads, not warnings on the console.
    """
    splink = logging.getLogger("splink")
    handler = _Collect()
    propagate = splink.propagate
    splink.addHandler(handler)
    splink.propagate = False
    notes: list[str] = []
    try:
        yield notes
    finally:
        splink.removeHandler(handler)
        splink.propagate = propagate
        notes.extend(
            message.removeprefix("WARNING: ")
            for message in handler.messages
            if "not observed" in message
        )
        for message in handler.messages:
            if "not observed" not in message:
                logger.info("Splink: %s", message)


def regularize(parameters: dict[str, Any]) -> None:
    """Raise every level's m and u to their floors, keeping the sum of m."""
    for comparison in parameters["comparisons"]:
        levels = [
            level
            for level in comparison["comparison_levels"]
            if not level.get("is_null_level") and not level.get("fix_m_probability")
        ]
        if not levels:
            continue
        total = sum(level.get("m_probability") or 0.0 for level in levels)
        if total <= 0:
            # The data never had this field: any values do, as none is used.
            total = 1.0
        for level in levels:
            level["m_probability"] = max(level.get("m_probability") or 0.0, M_FLOOR)
            level["u_probability"] = max(level.get("u_probability") or 0.0, U_FLOOR)
        raised = sum(level["m_probability"] for level in levels)
        for level in levels:
            level["m_probability"] *= total / raised


@transaction.atomic
def _store(
    parameters: dict[str, Any],
    summary: dict[str, Any],
    user: User | None,
    activate: bool,
) -> LinkageModel:
    # The starting model is version 1, made on first use; a trained model
    # comes after it even when nothing has been linked yet.
    policy()
    latest = LinkageModel.objects.order_by("-version").first()
    model = LinkageModel.objects.create(
        version=(latest.version + 1) if latest else 1,
        source=LinkageModel.Source.TRAINED,
        parameters=parameters,
        training=summary,
        created_by=user,
    )
    logger.info(
        "Trained linkage model v%s on %s records and %s same-child decisions",
        model.version,
        summary["records"],
        summary["labels"],
    )
    if activate:
        _put_in_use(model, user)
    return model


@transaction.atomic
def activate(version: int, user: User | None) -> LinkageModel:
    """Put a stored model version in use for linking from now on."""
    model = LinkageModel.objects.filter(version=version).first()
    if model is None:
        raise TrainingError(
            _("There is no model version %(version)s; `braid link models` lists them.")
            % {"version": version}
        )
    _put_in_use(model, user)
    return model


def _put_in_use(model: LinkageModel, user: User | None) -> None:
    policy()
    current = LinkagePolicy.objects.select_for_update().get(pk=1)
    current.model = model
    current.updated_by = user
    current.save(update_fields=["model", "updated_by", "updated_at"])
    logger.info(
        "Linkage model v%s put in use by user %s",
        model.version,
        user.pk if user else None,
    )
