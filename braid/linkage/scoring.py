"""Scoring pairs of records with a version of the model, in embedded DuckDB.

The model is Splink's: comparison vectors, Bayes factors and match weights
come from it unchanged. Term frequencies of names are supplied with each
row from the community's own counts (see ``TermFrequencies``) so that a
small batch is scored as it would be inside the whole community.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker, block_on

from braid.linkage.features import COLUMNS

logger = logging.getLogger(__name__)

# How many records' worth of the model's own prior a name's frequency is
# blended with: in a community of a few dozen children every name is
# "rare", which says nothing about how common it is among children.
TF_PSEUDO_RECORDS = 1000

SCHEMA = pa.schema(
    [
        ("record_id", pa.int64()),
        ("organization_id", pa.int64()),
        ("first", pa.string()),
        ("first_forms", pa.list_(pa.string())),
        ("last", pa.string()),
        ("last_parts", pa.list_(pa.string())),
        ("dob", pa.string()),
        ("dob_swap", pa.string()),
        ("dob_md", pa.string()),
        ("dob_year", pa.int32()),
        ("gender", pa.string()),
        ("zip", pa.string()),
        ("address", pa.string()),
        ("school", pa.string()),
        ("grade", pa.string()),
        ("guardian", pa.string()),
        ("state_id", pa.string()),
        ("block_name", pa.string()),
        ("block_name_rev", pa.string()),
        ("block_zip_first", pa.string()),
        ("block_zip_last", pa.string()),
        ("block_zip_day", pa.string()),
        ("block_dob_first", pa.string()),
        ("block_dob_last", pa.string()),
        ("block_dob_initials", pa.string()),
        ("wanted", pa.list_(pa.int64())),
    ]
)
assert tuple(SCHEMA.names[: len(COLUMNS)]) == COLUMNS

# Comparisons in the order the model lists them, with the input columns a
# reviewer is shown for each.
COMPARISON_FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "birth_date": ("birth_date",),
    "gender": ("gender",),
    "home": ("address", "zip_code"),
    "school": ("school", "grade"),
    "guardian": ("guardian_name",),
    "state_id": ("state_id",),
}


@dataclass
class TermFrequencies:
    """How often each first and last name occurs in the community's records."""

    first: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    total: int = 0

    def add(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.total += 1
            if row["first"]:
                self.first[row["first"]] = self.first.get(row["first"], 0) + 1
            if row["last"]:
                self.last[row["last"]] = self.last.get(row["last"], 0) + 1

    def lookup(self, column: str, prior: float) -> dict[str, float]:
        """Return each name's frequency, smoothed toward the prior."""
        counts = self.first if column == "first" else self.last
        return {
            value: (count + TF_PSEUDO_RECORDS * prior)
            / (self.total + TF_PSEUDO_RECORDS)
            for value, count in counts.items()
        }


@dataclass
class Level:
    comparison: str
    label: str
    weight: float


@dataclass
class ScoredPair:
    a: int
    b: int
    weight: float
    probability: float
    organization_a: int
    organization_b: int
    values: dict[str, tuple[Any, Any]]
    levels: list[Level]

    @property
    def key(self) -> tuple[int, int]:
        return (self.a, self.b)


class Scorer:
    """Score feature rows against each other with one set of parameters."""

    def __init__(
        self,
        parameters: dict[str, Any],
        *,
        trained_on: int | None = None,
        community: int | None = None,
    ) -> None:
        self.parameters = at_size(parameters, trained_on, community)
        self._db = DuckDBAPI(duckdb.connect())
        self._tables = 0
        self._labels = _level_labels(parameters)

    def use_frequencies(self, frequencies: TermFrequencies) -> None:
        """Score names by how common they are in the community."""
        priors = tf_priors(self.parameters)
        linker: Linker | None = None
        self._tables += 1
        for column in ("first", "last"):
            lookup = frequencies.lookup(column, priors[column])
            table = self._db.register(
                pa.table(
                    {
                        column: pa.array(list(lookup), pa.string()),
                        f"tf_{column}": pa.array(list(lookup.values()), pa.float64()),
                    }
                ),
                table_name=f"braid_tf_{column}_{self._tables}",
            )
            linker = linker or self._linker(table)
            linker.table_management.register_term_frequency_lookup(table, column)

    def within(
        self, rows: Sequence[dict[str, Any]], *, floor: float | None
    ) -> list[ScoredPair]:
        """Score every blocked pair among ``rows``."""
        if len(rows) < 2:
            return []
        table = self._register(rows)
        linker = self._linker(table)
        result = linker.inference.predict_within(
            table, threshold_match_weight=floor, warning_mode="never"
        )
        return self._pairs(result)

    def between(
        self,
        new: Sequence[dict[str, Any]],
        existing: Sequence[dict[str, Any]],
        *,
        floor: float | None,
    ) -> list[ScoredPair]:
        """Score every blocked pair of a new row with an existing one."""
        if not new or not existing:
            return []
        left, right = self._register(new), self._register(existing)
        linker = self._linker(left)
        result = linker.inference.predict_between(
            left, right, threshold_match_weight=floor, warning_mode="never"
        )
        return self._pairs(result)

    def listed(
        self,
        rows: dict[int, dict[str, Any]],
        pairs: Iterable[tuple[int, int]],
    ) -> list[ScoredPair]:
        """Score exactly these pairs, whether blocking finds them or not."""
        wanted: dict[int, list[int]] = {}
        for a, b in pairs:
            wanted.setdefault(a, []).append(b)
        if not wanted:
            return []

        left = [{**rows[a], "wanted": partners} for a, partners in wanted.items()]
        right_ids = {b for partners in wanted.values() for b in partners}
        right = [{**rows[b], "wanted": [b]} for b in right_ids]
        left_table, right_table = self._register(left), self._register(right)
        linker = self._linker(left_table)
        result = linker.inference.predict_between(
            left_table,
            right_table,
            blocking_rules_to_generate_predictions=[
                block_on("wanted", arrays_to_explode=["wanted"])
            ],
            warning_mode="never",
        )
        return self._pairs(result)

    def close(self) -> None:
        self._db._con.close()

    def _register(self, rows: Sequence[dict[str, Any]]) -> Any:
        self._tables += 1
        # Column by column: a roster's candidates are tens of thousands of
        # rows, and copying each into a new dict costs more than the rest.
        data = pa.Table.from_pydict(
            {name: [row.get(name) for row in rows] for name in SCHEMA.names},
            schema=SCHEMA,
        )
        return self._db.register(data, table_name=f"braid_rows_{self._tables}")

    def _linker(self, table: Any) -> Linker:
        return Linker(table, self.parameters, log_level=None, validate_settings=False)

    def _pairs(self, result: Any) -> list[ScoredPair]:
        records = result.as_record_list()
        result.drop_table_from_database_and_remove_from_cache()
        return [self._pair(record) for record in records]

    def _pair(self, record: dict[str, Any]) -> ScoredPair:
        a, b = record["record_id_l"], record["record_id_r"]
        flip = a > b
        levels = []
        for name, labels in self._labels.items():
            gamma = record[f"gamma_{name}"]
            weight = record[f"mw_{name}"] + (record.get(f"mw_tf_adj_{name}") or 0.0)
            levels.append(Level(name, labels.get(gamma, ""), float(weight)))
        columns = ("first", "last", "dob", "gender", "zip", "address", "state_id")
        values = {
            column: _ordered(record.get(f"{column}_l"), record.get(f"{column}_r"), flip)
            for column in columns
        }
        for column in ("first_forms", "last_parts"):
            values[column] = _ordered(
                record.get(f"{column}_l"), record.get(f"{column}_r"), flip
            )
        return ScoredPair(
            a=min(a, b),
            b=max(a, b),
            weight=float(record["match_weight"]),
            probability=float(record["match_probability"]),
            organization_a=record["organization_id_r" if flip else "organization_id_l"],
            organization_b=record["organization_id_l" if flip else "organization_id_r"],
            values=values,
            levels=levels,
        )


def at_size(
    parameters: dict[str, Any], trained_on: int | None, community: int | None
) -> dict[str, Any]:
    """Return the model with its prior scaled to the community's size.

    A child has a few records whatever the community's size, so the chance
    that two records drawn at random are one child falls as the community
    grows: a model trained on a few thousand records would otherwise
    overrate every pair in a community of a million.
    """
    if not trained_on or not community or community <= trained_on:
        return parameters
    prior = parameters["probability_two_random_records_match"]
    return {
        **parameters,
        "probability_two_random_records_match": prior * trained_on / community,
    }


def tf_priors(parameters: dict[str, Any]) -> dict[str, float]:
    """Return the chance two random records share a first or a last name."""
    priors = {}
    for comparison in parameters["comparisons"]:
        name = comparison["output_column_name"]
        if name in ("first_name", "last_name"):
            exact = comparison["comparison_levels"][1]
            priors[name.split("_")[0]] = float(exact.get("u_probability") or 0.002)
    return priors


def _ordered(left: Any, right: Any, flip: bool) -> tuple[Any, Any]:
    return (right, left) if flip else (left, right)


def _level_labels(parameters: dict[str, Any]) -> dict[str, dict[int, str]]:
    """Map each comparison's gamma values to the labels of its levels."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in parameters["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        by_gamma = {-1: "not given"}
        for index, level in enumerate(non_null):
            by_gamma[len(non_null) - 1 - index] = level.get("label_for_charts", "")
        labels[comparison["output_column_name"]] = by_gamma
    return labels
