"""Scoring on Spark: the same pairs, weights and levels as on DuckDB."""

import csv
import datetime
import importlib.util
import io
import json
import logging
import shutil

import duckdb
import pytest
from django.core.management import CommandError, call_command

from braid.children.normalize import id_key, name_key
from braid.linkage import comparisons, features
from braid.linkage.scoring import ScoredPair, Scorer, TermFrequencies
from braid.linkage.spark import (
    JARO_WINKLER,
    SparkScorer,
    local_session,
    register_functions,
    spark_parameters,
)

needs_java = pytest.mark.skipif(
    shutil.which("java") is None, reason="no Java runtime: Spark needs one"
)

# Made-up children with the slips real rosters have: nicknames, hyphenated
# and two-part surnames, day and month swapped, names in each other's
# columns, typos, twins, state IDs. The organizations are 1, 2 and 3.
# Barney and Arbney, a letter moved two places, are "nearly the same" to
# DuckDB and jellyfish but not to the jaro_winkler of Splink's Spark jar.
PEOPLE = """\
org,first,last,born,gender,zip,address,school,grade,guardian,state_id
1,Jayden,Cole-Reyes,2015-03-04,M,60601,12 Elm St,Lincoln,4,Rosa Reyes,S100
2,Jaden,Reyes,2015-03-04,M,60601,12 Elm Street,,,Rosa Reyes,
3,J,Cole,2015-04-03,M,60601,,,,,
1,Ava,Okafor,2016-05-06,F,60602,40 Oak Ave,Lincoln,3,Grace Okafor,S101
1,Mia,Okafor,2016-05-06,F,60602,40 Oak Ave,Lincoln,3,Grace Okafor,S102
2,Ava,Okafor,2016-05-06,F,60602,40 Oak Avenue,,,Grace Okafor,
1,Mackenzie,Garcia-Lopez,2014-11-02,F,60603,7 Pine Rd,Washington,6,Luis Garcia,S103
2,Kenzie,Lopez,2014-11-02,F,60603,7 Pine Road,,,Luis Garcia,
3,Makenzie,Garcia Lopez,2014-02-11,F,60603,,,,,
1,William,Ortiz,2013-08-19,M,60604,3 Birch Ln,Washington,7,Ana Ortiz,S104
2,Billy,Ortiz,2013-08-19,M,60604,3 Birch Lane,,,Ana Ortiz,
1,Sofia,Nguyen,2015-07-12,F,60605,88 Cedar Ct,Lincoln,4,Lan Nguyen,S105
3,Sophia,Ngyuen,2015-07-12,F,60605,88 Cedar Court,,,Lan Nguyen,
1,Noah,Smith,2014-02-02,M,60606,5 Maple Dr,Washington,6,,S123
2,Noah,Smith,2014-02-02,M,60606,5 Maple Dr,,,,S987
3,Noah,Smith,2014-02-02,M,60606,,,,,S123
1,Barney,Walsh,2013-01-15,M,60607,9 Ash St,Washington,7,Kate Walsh,S106
2,Arbney,Walsh,2013-01-15,M,60607,9 Ash St,,,Kate Walsh,
1,Lee,Martin,2009-06-09,M,60608,21 Spruce Way,Washington,8,Paul Martin,S107
3,Martin,Lee,2009-06-09,M,60608,21 Spruce Way,,,,
2,Lee,Martin,2010-06-09,M,60608,,,,,
1,Isabella,Garcia,2014-09-21,F,60609,2 Fir St,Lincoln,5,Maria Garcia,S108
2,Isabela,Garcia,2014-09-27,F,60609,2 Fir St,,,Maria Garcia,
3,Bella,Garcia,2014-09-21,,60690,,,,,
1,Lucas,Garcia,2014-09-21,M,60609,2 Fir St,Lincoln,5,Maria Garcia,S109
1,Ethan,Brown,2015-12-01,M,60610,60 Walnut St,Lincoln,4,Amy Brown,S110
3,Ethan,Browne,2015-01-12,M,60610,60 Walnut St,,,Amy Brown,
2,Olivia,Kowalski,2016-10-30,F,,,,,,
3,Olivia,Kowalsky,2016-10-30,F,60611,,,,,
1,Amir,Haddad,2013-04-25,M,60612,14 Linden Pl,Washington,7,Nadia Haddad,S111
2,Amir,Hadad,2013-04-25,M,60612,14 Lindon Pl,,,Nadia Hadad,
3,Zoe,Haddad,2013-04-25,F,60612,14 Linden Pl,,,,
1,Kierra,Ninchich,2012-09-26,F,60613,5 Alder St,Lincoln,8,,S112
2,Ninhcich,Kiera,2012-09-26,F,60613,,,,,
3,Ninchich,Tamsin,2012-09-26,F,60613,,,,,
"""

# Levels the community above must reach, so that each is compared on both
# engines and not only rendered.
LEVELS_COVERED = {
    ("first_name", "same"),
    ("first_name", "swapped with the last name"),
    ("first_name", "swapped with the last name, with slips"),
    ("first_name", "one name in the other column"),
    ("first_name", "nickname or other spelling"),
    ("first_name", "nearly the same"),
    ("first_name", "initial agrees"),
    ("first_name", "different"),
    ("last_name", "same"),
    ("last_name", "swapped with the first name"),
    ("last_name", "swapped with the first name, with slips"),
    ("last_name", "shares a part"),
    ("last_name", "nearly the same"),
    ("birth_date", "same"),
    ("birth_date", "day and month swapped"),
    ("birth_date", "one digit different"),
    ("birth_date", "a year off"),
    ("home", "same address"),
    ("home", "similar address, same ZIP"),
    ("home", "not given"),
    ("school", "same school and grade"),
    ("guardian", "same"),
    ("guardian", "similar"),
    ("state_id", "same"),
    ("state_id", "different"),
}


def model() -> dict:
    parameters = comparisons.settings(1e-4).create_settings_dict("duckdb")
    for comparison in parameters["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        for rank, level in enumerate(non_null):
            # Made up, but a different weight for every level.
            if level.get("m_probability") is None:
                level["m_probability"] = 0.6 * 0.5**rank
            if level.get("u_probability") is None:
                level["u_probability"] = 0.004 * 2**rank
    return parameters


def community() -> list[dict]:
    people = csv.DictReader(io.StringIO(PEOPLE))
    return [
        features.row(
            {
                "pk": pk,
                "organization_id": int(person["org"]),
                "first_name_key": name_key(person["first"]),
                "last_name_key": name_key(person["last"]),
                "birth_date": datetime.date.fromisoformat(person["born"]),
                "gender": person["gender"],
                "zip_code": person["zip"],
                "address": person["address"],
                "school": person["school"],
                "grade": person["grade"],
                "guardian_name": person["guardian"],
                "state_id_key": id_key(person["state_id"]),
            }
        )
        for pk, person in enumerate(people, start=1)
    ]


def frequencies(rows: list[dict]) -> TermFrequencies:
    counts = TermFrequencies()
    counts.add(rows)
    return counts


def by_key(pairs: list[ScoredPair]) -> dict[tuple[int, int], ScoredPair]:
    keyed = {p.key: p for p in pairs}
    assert len(keyed) == len(pairs)
    return keyed


def assert_same(expected: list[ScoredPair], got: list[ScoredPair]) -> None:
    expected_by_key, got_by_key = by_key(expected), by_key(got)
    assert sorted(got_by_key) == sorted(expected_by_key)
    for key, duck in expected_by_key.items():
        spark = got_by_key[key]
        assert spark.weight == pytest.approx(duck.weight, abs=1e-6), key
        assert spark.probability == pytest.approx(duck.probability, abs=1e-9), key
        labels = [(level.comparison, level.label) for level in duck.levels]
        assert [(level.comparison, level.label) for level in spark.levels] == labels
        weights = [level.weight for level in duck.levels]
        assert [level.weight for level in spark.levels] == pytest.approx(
            weights, abs=1e-6
        )
        assert (spark.organization_a, spark.organization_b) == (
            duck.organization_a,
            duck.organization_b,
        )
        assert spark.values == duck.values


@pytest.fixture(scope="module")
def spark():
    session = local_session(quick_start=True)
    yield session
    session.stop()


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return community()


# A model trained on fewer records than the community scores with a smaller
# prior; both engines must scale it alike.
SIZE = {"trained_on": 20, "community": 32}


@pytest.fixture(scope="module")
def duckdb_scorer(rows):
    scorer = Scorer(model(), **SIZE)
    scorer.use_frequencies(frequencies(rows))
    yield scorer
    scorer.close()


@pytest.fixture(scope="module")
def spark_scorer(spark, rows):
    scorer = SparkScorer(model(), spark=spark, **SIZE)
    scorer.use_frequencies(frequencies(rows))
    yield scorer
    scorer.close()


@needs_java
def test_spark_finds_the_same_pairs_with_the_same_weights_and_levels(
    duckdb_scorer, spark_scorer, rows
):
    expected = duckdb_scorer.within(rows, floor=None)

    got = spark_scorer.within(rows, floor=None)

    assert_same(expected, got)
    reached = {(level.comparison, level.label) for p in got for level in p.levels}
    assert not LEVELS_COVERED - reached
    barney = next(p for p in got if p.values["first"] == ("barney", "arbney"))
    assert barney.levels[0].label == "nearly the same"


@needs_java
def test_listed_pairs_score_the_same_whether_blocked_or_not(
    duckdb_scorer, spark_scorer, rows
):
    by_id = {row["record_id"]: row for row in rows}
    # Ava and Mia are twins; Jayden and Noah, or Jaden and Amir, share
    # nothing that would bring them together.
    pairs = [(4, 5), (1, 14), (2, 30), (7, 9)]

    expected = duckdb_scorer.listed(by_id, pairs)
    got = spark_scorer.listed(by_id, pairs)

    assert_same(expected, got)
    assert sorted(p.key for p in got) == sorted(pairs)


@needs_java
def test_a_new_roster_scores_the_same_against_the_existing_records(
    duckdb_scorer, spark_scorer, rows
):
    new, existing = rows[:10], rows[10:]

    expected = duckdb_scorer.between(new, existing, floor=None)
    got = spark_scorer.between(new, existing, floor=None)

    assert_same(expected, got)
    assert got


@needs_java
def test_a_large_community_goes_through_parquet_above_the_floor(
    spark, duckdb_scorer, rows, tmp_path, caplog
):
    scorer = SparkScorer(
        model(), spark=spark, parquet_above=10, work_dir=tmp_path, **SIZE
    )
    scorer.use_frequencies(frequencies(rows))
    try:
        with caplog.at_level(logging.INFO, logger="braid.linkage.spark"):
            got = scorer.within(rows, floor=10.0)
    finally:
        scorer.close()

    expected = duckdb_scorer.within(rows, floor=10.0)
    assert_same(expected, got)
    assert 0 < len(got) < len(duckdb_scorer.within(rows, floor=None))
    assert "on Spark through Parquet" in caplog.text
    assert list(tmp_path.iterdir()) == []


@needs_java
def test_jaro_winkler_on_spark_is_duckdbs(spark):
    names = ["barney", "arbney", "albert", "balert", "jayden", "jaden", "martha"]
    pairs = [(a, b) for a in names for b in names] + [("kenzie", None)]
    register_functions(spark)

    spark.createDataFrame(pairs, "a string, b string").createOrReplaceTempView("n")
    query = f"select a, b, {JARO_WINKLER}(a, b) as similarity from n"
    got = {(r.a, r.b): r.similarity for r in spark.sql(query).collect()}

    with duckdb.connect() as con:
        for (a, b), similarity in got.items():
            expected = con.execute(
                "select jaro_winkler_similarity(?, ?)", [a, b]
            ).fetchone()
            assert similarity == pytest.approx(expected[0], abs=1e-12), (a, b)


def test_every_level_is_rewritten_in_spark_sql():
    parameters = spark_parameters(model())

    conditions = [
        level["sql_condition"]
        for comparison in parameters["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    rules = [
        r["blocking_rule"] for r in parameters["blocking_rules_to_generate_predictions"]
    ]

    for sql in conditions + rules:
        # Double quotes are string literals in Spark SQL.
        assert '"' not in sql
        assert "jaro_winkler_similarity" not in sql.lower()
        assert "list_intersect" not in sql.lower()
    assert any(JARO_WINKLER in sql.lower() for sql in conditions)
    assert parameters["sql_dialect"] == "spark"


def test_a_function_without_a_known_spark_meaning_is_refused():
    parameters = model()
    parameters["comparisons"][0]["comparison_levels"][4]["sql_condition"] = (
        'jaccard("first_l", "first_r") >= 0.9'
    )

    with pytest.raises(ValueError, match="No Spark translation for DuckDB's jaccard"):
        spark_parameters(parameters)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("link", *args, stdout=out)
    return out.getvalue()


def test_spark_is_only_for_a_full_relink():
    with pytest.raises(CommandError, match="--spark goes with --all"):
        run("status", "--spark")


def test_a_relink_on_spark_without_java_says_so(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)

    with pytest.raises(CommandError, match="needs a Java runtime"):
        run("--all", "--spark", "--dry-run")


def test_a_relink_on_spark_without_pyspark_says_so(monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pyspark" else find_spec(name, *args),
    )

    with pytest.raises(CommandError, match="needs PySpark") as raised:
        run("--all", "--spark", "--dry-run")

    # The package called braid on PyPI is another project: Braid's extra is
    # installed from its checkout, as the README says.
    assert "pip install -e '.[spark]'" in str(raised.value)
    assert "braid[" not in str(raised.value)


@needs_java
@pytest.mark.django_db
def test_a_dry_run_on_spark_says_what_one_on_duckdb_says(spark, send, community):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,3 Birch Ln,60604")
    send(community.district, "D2,,Ava,Okafor,2016-05-06,F,40 Oak Ave,60602")
    send(community.district, "D3,,Mia,Okafor,2016-05-06,F,40 Oak Ave,60602")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,3 Birch Lane,60604")
    send(community.club, "C2,,Ava,Okafor,2016-06-05,F,,60602")

    on_duckdb = json.loads(run("--all", "--dry-run", "--format", "json"))
    on_spark = json.loads(run("--all", "--spark", "--dry-run", "--format", "json"))

    assert on_spark == on_duckdb
    assert on_spark["records"] == 5
