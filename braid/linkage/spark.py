"""Scoring pairs with the same model on Apache Spark, for a state-scale run.

``SparkScorer`` takes the parameters ``Scorer`` takes, a Splink settings
dictionary trained and saved from DuckDB, and gives the same pairs with the
same weights. The model's SQL is translated once, here, when the scorer is
made (see ``spark_parameters``): ``comparisons.py`` and every stored model
version stay the one source of the settings.

Two functions are replaced on the way:

- DuckDB's ``jaro_winkler_similarity``, like ``jellyfish``, counts
  transpositions in whole numbers: three letters out of place make one. The
  ``jaro_winkler`` in Splink's Spark jar makes them one and a half, so on a
  letter moved two places (``barney`` and ``arbney``) it gives 0.917 where
  DuckDB gives 0.944, and the pair drops below the 0.92 level. Spark calls
  ``jellyfish`` instead, through a Python UDF.
- ``list_intersect`` is DuckDB's name for Spark's ``array_intersect``.

A function outside ``SAME_ON_BOTH`` stops the translation with an error
rather than scoring with a meaning nobody has checked.

``braid link --all --spark`` starts a local session (``local[2]``), bound to
the loopback address, with no web UI. A state-scale run would build
``SparkScorer`` with a cluster's session instead (``spark=``, ``work_dir=``)
and the data would flow like this:

1. The re-link builds the feature rows as it does for DuckDB; ``within``
   writes them to Parquet, ``EXPORT_CHUNK`` rows a file, once there are more
   than ``parquet_above`` of them.
2. Spark reads that directory, blocks and scores in parallel, and keeps only
   the pairs at or above the review threshold (the floor), which it writes
   to Parquet in turn.
3. The predictions are read back in Arrow batches and become ``ScoredPair``
   objects, so clustering and the rules see what DuckDB would have given.
   The few pairs clustering asks for later (``listed``) go through the
   driver.

The working directory must then be on storage every executor can read and,
since the files hold children's names and dates of birth, that only Braid's
service account can. The rows and the pairs above the floor still pass
through the process running the command, so its memory bounds the run; run
locally, Spark's driver needs more than its default gigabyte past a few
hundred thousand records (``SPARK_DRIVER_MEMORY=8g``, say).
Intermediate tables are persisted in the executors' memory and local disk;
Splink's ``break_lineage_method="parquet"`` with a checkpoint directory is
the alternative when they do not fit. Spark spends a few seconds planning
each query, whatever the size of the data.
"""

import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from copy import deepcopy
from pathlib import Path
from typing import Any

import jellyfish
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import sqlglot
from pyspark.sql import SparkSession
from pyspark.sql.functions import udf
from splink import Linker
from splink.backends.spark import SparkAPI, similarity_jar_location
from sqlglot import exp

from braid.linkage.scoring import (
    SCHEMA,
    ScoredPair,
    Scorer,
    TermFrequencies,
    _level_labels,
    at_size,
    tf_priors,
)

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
MASTER = "local[2]"
# Two partitions a core: enough to keep both busy, few enough that a small
# community is not split into hundreds of empty tasks.
SHUFFLE_PARTITIONS = 4
# Above this many rows, rows and pairs go through Parquet files. Rows made
# into a DataFrame in memory are carried inside the query plan, which Spark
# copies as it optimizes: fifty thousand of them exhaust the driver.
PARQUET_ABOVE = 5_000
EXPORT_CHUNK = 100_000
# Half the start-up time of the JVM, for the price of its top speed on long
# jobs: right for tests and small runs, wrong for a state.
QUICK_START_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1"

JARO_WINKLER = "braid_jaro_winkler"
# Functions checked to give the same result on both engines for the values a
# feature row holds. sqlglot renders each in Spark's terms.
SAME_ON_BOTH = (
    exp.Abs,
    exp.And,
    exp.ArrayIntersect,
    exp.ArraySize,
    exp.Length,
    exp.Levenshtein,
    exp.Or,
    exp.Substring,
)


def local_session(*, quick_start: bool = False) -> SparkSession:
    """Return the running Spark session, or start a local one."""
    active = SparkSession.getActiveSession()
    if active is not None:
        return active

    # The JVM Spark starts reads these from its environment; its Python
    # workers must be this interpreter, which has jellyfish installed.
    os.environ["SPARK_LOCAL_IP"] = LOOPBACK
    os.environ["PYSPARK_PYTHON"] = sys.executable
    started = time.monotonic()

    builder = (
        SparkSession.builder.master(MASTER)
        .appName("braid-linkage")
        .config("spark.driver.host", LOOPBACK)
        .config("spark.driver.bindAddress", LOOPBACK)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
        .config(
            "spark.sql.warehouse.dir",
            str(Path(tempfile.gettempdir()) / "braid-spark-warehouse"),
        )
    )
    if quick_start:
        builder = builder.config(
            "spark.driver.extraJavaOptions", QUICK_START_JAVA_OPTIONS
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")

    logger.info("Spark session ready in %.1f s", time.monotonic() - started)
    return session


def spark_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    """Return a model's settings with its DuckDB SQL rewritten for Spark."""
    translated = deepcopy(parameters)
    translated["sql_dialect"] = "spark"
    for comparison in translated["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level["sql_condition"] != "ELSE":
                level["sql_condition"] = to_spark_sql(level["sql_condition"])

    rules = []
    for rule in translated["blocking_rules_to_generate_predictions"]:
        if isinstance(rule, str):
            rule = {"blocking_rule": rule}
        rules.append(
            {
                **rule,
                "blocking_rule": to_spark_sql(rule["blocking_rule"]),
                "sql_dialect": "spark",
            }
        )
    translated["blocking_rules_to_generate_predictions"] = rules
    return translated


def to_spark_sql(sql: str) -> str:
    """Return a DuckDB condition as Spark SQL that means the same."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    return tree.transform(_spark_function).sql(dialect="spark")


def _spark_function(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(
            this=JARO_WINKLER, expressions=[node.this, node.expression]
        )
    if isinstance(node, exp.Anonymous) and node.name.lower() == "list_intersect":
        return exp.ArrayIntersect(expressions=node.expressions)
    if isinstance(node, exp.Func) and not isinstance(node, SAME_ON_BOTH):
        name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
        raise ValueError(f"No Spark translation for DuckDB's {name.lower()}()")
    return node


def register_functions(session: SparkSession) -> None:
    """Give a session the functions the translated model calls."""

    # Defined here rather than at module level so that it is sent to the
    # Python workers by value: importing this module there would import
    # Django's models without settings.
    def jaro_winkler(a: str | None, b: str | None) -> float | None:
        if a is None or b is None:
            return None
        return jellyfish.jaro_winkler_similarity(a, b)

    function = udf(jaro_winkler, "double", useArrow=True)
    session.udf.register(JARO_WINKLER, function)


class SparkScorer(Scorer):
    """Score feature rows with one set of parameters, on Spark."""

    def __init__(
        self,
        parameters: dict[str, Any],
        *,
        trained_on: int | None = None,
        community: int | None = None,
        spark: SparkSession | None = None,
        parquet_above: int = PARQUET_ABOVE,
        work_dir: Path | None = None,
    ) -> None:
        # Scorer.__init__ is not called: it would open a DuckDB database.
        self.parameters = spark_parameters(at_size(parameters, trained_on, community))
        self.parquet_above = parquet_above
        self._tables = 0
        self._labels = _level_labels(parameters)

        # A session started here is stopped by close(); one handed in, or
        # already running, belongs to whoever started it.
        self._owns_session = spark is None and SparkSession.getActiveSession() is None
        self._base = spark or local_session()
        # A session of its own keeps this scorer's tables and functions apart
        # from any other scorer's on the same Spark context.
        self._spark = self._base.newSession()
        register_functions(self._spark)
        self._spark_db = SparkAPI(
            spark_session=self._spark,
            break_lineage_method="persist",
            num_partitions_on_repartition=SHUFFLE_PARTITIONS,
        )
        self._work = Path(tempfile.mkdtemp(prefix="braid-spark-", dir=work_dir))

    def use_frequencies(self, frequencies: TermFrequencies) -> None:
        """Score names by how common they are in the community."""
        priors = tf_priors(self.parameters)
        linker: Linker | None = None
        self._tables += 1
        for column in ("first", "last"):
            lookup = frequencies.lookup(column, priors[column])
            table = self._spark_db.register(
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
        """Score every blocked pair among ``rows``, through Parquet if many."""
        if len(rows) <= self.parquet_above:
            return super().within(rows, floor=floor)

        started = time.monotonic()
        table = self._register(rows)
        result = self._linker(table).inference.predict_within(
            table, threshold_match_weight=floor, warning_mode="never"
        )
        predictions = self._work / f"predictions_{self._tables}"
        self._spark.table(result.physical_name).write.parquet(str(predictions))
        result.drop_table_from_database_and_remove_from_cache()

        pairs = [
            self._pair(record)
            for batch in ds.dataset(predictions, format="parquet").to_batches()
            for record in batch.to_pylist()
        ]
        logger.info(
            "Scored %s records on Spark through Parquet: %s pairs in %.1f s",
            len(rows),
            len(pairs),
            time.monotonic() - started,
        )
        return pairs

    def close(self) -> None:
        """Release what this scorer holds, and the session if it started it."""
        shutil.rmtree(self._work, ignore_errors=True)
        if self._owns_session:
            self._base.stop()
            return

        # This scorer's views go with its session, but the data persisted
        # under them is held by the Spark context, which keeps no record of
        # who persisted what: all of it is let go, to be recomputed if asked.
        self._spark.catalog.clearCache()

    def _register(self, rows: Sequence[dict[str, Any]]) -> Any:
        self._tables += 1
        name = f"braid_rows_{self._tables}"
        if len(rows) <= self.parquet_above:
            return self._spark_db.register(_arrow(rows), table_name=name)

        directory = self._work / name
        directory.mkdir()
        for index, start in enumerate(range(0, len(rows), EXPORT_CHUNK)):
            chunk = _arrow(rows[start : start + EXPORT_CHUNK])
            pq.write_table(chunk, directory / f"part-{index:05d}.parquet")
        frame = self._spark.read.parquet(str(directory))
        return self._spark_db.register(frame, table_name=name)


def _arrow(rows: Sequence[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(
        [{"wanted": None, **row} for row in rows], schema=SCHEMA
    )
