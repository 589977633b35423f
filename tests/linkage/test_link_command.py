"""`braid link`: re-link, train, thresholds, export, status."""

import csv
import getpass
import io
import json
import random
import sys

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from braid.children.models import Child, SourceRecord
from braid.linkage import decisions, training
from braid.linkage.engine import policy, set_thresholds
from braid.linkage.models import (
    LinkageModel,
    LinkagePolicy,
    MappingEvent,
    PairDecision,
    ReviewItem,
    ThresholdError,
)
from tests.factories import OrganizationFactory, SourceRecordFactory


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("link", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def linked_pair(send, community):
    send(community.district, "D1,,William,Ortiz,2013-08-19,M,,")
    send(community.club, "C1,,Billy,Ortiz,2013-08-19,M,,")
    club = SourceRecord.objects.get(organization=community.club)
    # Pulled apart behind the engine's back: a re-link joins them again.
    SourceRecord.objects.filter(pk=club.pk).update(child=Child.objects.create())
    club.refresh_from_db()
    return club


def test_a_dry_run_says_what_would_change_and_changes_nothing(linked_pair):
    before = linked_pair.child_id

    output = run("--all", "--dry-run")

    assert "  children merged: 1" in output
    linked_pair.refresh_from_db()
    assert linked_pair.child_id == before
    assert not MappingEvent.objects.exists()


def test_a_relink_without_a_terminal_needs_yes(linked_pair):
    with pytest.raises(CommandError, match="--yes"):
        run("--all")


def test_a_relink_with_yes_applies_and_records_the_change(linked_pair, community):
    output = run("--all", "--yes")

    assert "Applied as change" in output
    district = SourceRecord.objects.get(organization=community.district)
    linked_pair.refresh_from_db()
    assert linked_pair.child_id == district.child_id
    event = MappingEvent.objects.get()
    assert event.kind == MappingEvent.Kind.RELINK
    # Recorded under the login of whoever ran it, as a roster import is.
    assert event.created_by.username == f"shell:{getpass.getuser()}"
    assert not event.created_by.is_active


def test_a_relink_that_would_change_nothing_records_nothing(linked_pair):
    run("--all", "--yes")

    output = run("--all", "--yes")

    assert "Nothing to apply" in output
    assert "Applied as change" not in output
    assert MappingEvent.objects.count() == 1


def test_the_json_summary_carries_the_counts(linked_pair):
    summary = json.loads(run("--all", "--dry-run", "--format", "json"))

    assert summary["children_merged"] == 1
    assert summary["records"] == 2
    assert summary["applied"] is False


def only_json(text: str) -> dict:
    """Read standard output that must be one JSON object and nothing else."""
    assert text.endswith("}\n") and text.count("\n") == 1, text
    return json.loads(text)


@pytest.mark.parametrize("verbosity", ["0", "1"])
def test_a_json_relink_with_yes_writes_only_what_was_applied(
    linked_pair, capfd, verbosity
):
    # Written where a terminal's command writes, so that whatever else
    # reached the standard output, from Python or below it, would show.
    call_command("link", "--all", "--yes", "--format", "json", "-v", verbosity)

    out, err = capfd.readouterr()
    summary = only_json(out)
    assert summary["applied"] is True
    assert summary["change"] == MappingEvent.objects.get().pk
    assert summary["children_merged"] == 1
    assert summary["consents_moved"] == summary["guardians_kept"] == 0
    assert "Applied" not in err
    assert bool(err) == (verbosity == "1")


@pytest.mark.parametrize(
    "args",
    [
        ["--all", "--dry-run", "--format", "json"],
        ["--all", "--dry-run", "--format", "json", "-v", "0"],
        ["status", "--format", "json"],
    ],
)
def test_json_that_changes_nothing_is_one_object_on_standard_output(
    linked_pair, capfd, args
):
    call_command("link", *args)

    summary = only_json(capfd.readouterr().out)
    assert summary.get("applied", False) is False
    assert summary.get("change") is None
    assert not MappingEvent.objects.exists()


def test_a_json_relink_without_yes_off_a_terminal_says_nothing_was_applied(
    linked_pair, capfd
):
    with pytest.raises(CommandError, match="Add --yes to apply"):
        call_command("link", "--all", "--format", "json")

    assert only_json(capfd.readouterr().out)["applied"] is False
    assert not MappingEvent.objects.exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("answer", "applied"), [("y\n", True), ("n\n", False), ("", False)]
)
def test_a_json_relink_asks_on_standard_error(
    linked_pair, monkeypatch, answer, applied
):
    # An empty answer is Ctrl-D: the end of the input, and no.
    monkeypatch.setattr(sys, "stdin", Terminal(answer))
    out, err = io.StringIO(), io.StringIO()

    call_command("link", "--all", "--format", "json", stdout=out, stderr=err)

    summary = only_json(out.getvalue())
    assert summary["applied"] is applied
    assert MappingEvent.objects.exists() is applied
    assert "  children merged: 1" in err.getvalue()
    assert "Apply? [y/N]" in err.getvalue()


def test_a_relink_declined_at_a_terminal_says_nothing_changed(linked_pair, monkeypatch):
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    out, err = io.StringIO(), io.StringIO()

    call_command("link", "--all", stdout=out, stderr=err)

    assert "  children merged: 1" in out.getvalue()
    assert out.getvalue().endswith("Nothing changed.\n")
    assert "Apply? [y/N]" in err.getvalue()
    assert not MappingEvent.objects.exists()


def test_the_export_lists_every_record_with_its_child(send, community):
    send(community.district, "00123,,Ava,Okafor,2015-03-07,F,,")

    rows = list(csv.reader(io.StringIO(run("export", "--format", "csv"))))

    record = SourceRecord.objects.select_related("child").get()
    assert rows == [
        ["organization", "local_id", "child_id"],
        ["district", "00123", record.child.public_id],
    ]


def test_thresholds_are_set_and_checked(db):
    output = run("thresholds", "--auto", "8", "--review", "1")

    assert "from match weight 8.0; review from 1.0" in output
    assert (
        "Links already made and pairs already waiting change only at the next "
        "full re-link (`braid link --all`), which reports what it would change "
        "first." in output
    )
    assert "No pair has been decided yet" in output
    current = policy()
    assert (current.auto_link_weight, current.review_weight) == (8.0, 1.0)
    with pytest.raises(CommandError, match="must not be above"):
        run("thresholds", "--auto", "2", "--review", "3")


@pytest.mark.parametrize(
    ("auto", "review", "refusal"),
    [
        ("nan", "-2", "automatic threshold must be a number from -60 to 60, not nan"),
        ("inf", "-inf", "automatic threshold must be a number from -60 to 60, not inf"),
        ("8", "-inf", "review threshold must be a number from -60 to 60, not -inf"),
        ("8", "nan", "review threshold must be a number from -60 to 60, not nan"),
        ("60.5", "1", "automatic threshold must be a number from -60 to 60, not 60.5"),
        ("8", "-61", "review threshold must be a number from -60 to 60, not -61.0"),
    ],
)
def test_thresholds_that_are_not_finite_or_out_of_range_are_refused(
    db, auto, review, refusal
):
    with pytest.raises(CommandError, match=refusal):
        run("thresholds", f"--auto={auto}", f"--review={review}")

    current = policy()
    assert (current.auto_link_weight, current.review_weight) == (2.0, -2.0)


@pytest.mark.parametrize(
    ("auto", "review"), [(float("nan"), -2.0), (float("inf"), 1.0), (61.0, 1.0)]
)
def test_the_policy_cannot_be_saved_with_thresholds_it_cannot_use(db, auto, review):
    with pytest.raises(ThresholdError):
        set_thresholds(auto, review, None)

    current = policy()
    assert (current.auto_link_weight, current.review_weight) == (2.0, -2.0)


def test_the_json_status_is_json_even_with_thresholds_stored_unchecked(db):
    policy()
    # Stored before thresholds were checked, behind the model's back.
    LinkagePolicy.objects.update(
        auto_link_weight=float("inf"), review_weight=float("-inf")
    )

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} is not JSON")

    status = json.loads(run("status", "--format", "json"), parse_constant=refuse)

    assert status["auto_link_weight"] is None
    assert status["review_weight"] is None


def test_status_reports_the_model_and_the_queue(db):
    status = json.loads(run("status", "--format", "json"))

    assert status["model"] == 1
    assert status["model_source"] == LinkageModel.Source.DEFAULT
    assert status["review_waiting"] == 0


def test_thresholds_only_shown_say_nothing_of_a_relink(db):
    output = run("thresholds")

    assert "from match weight 2.0; review from -2.0" in output
    assert "full re-link" not in output


def test_training_refuses_a_community_too_small_to_learn_from(db):
    with pytest.raises(CommandError, match="at least 500 source records"):
        run("train")


@pytest.fixture
def trainable(db):
    """A community of generated records large enough to train on."""
    rng = random.Random(4)
    organizations = [OrganizationFactory() for _ in range(3)]
    firsts = ["Ava", "Mia", "Noah", "Liam", "Sofia", "Mateo", "Zoe", "Ethan"]
    lasts = ["Okafor", "Ruiz", "Kim", "Nguyen", "Park", "Smith", "Garcia", "Cole"]
    for index in range(220):
        first, last = rng.choice(firsts), rng.choice(lasts)
        year, month, day = (
            rng.randint(2010, 2020),
            rng.randint(1, 12),
            rng.randint(1, 28),
        )
        born = f"{year}-{month:02d}-{day:02d}"
        for organization in rng.sample(organizations, 2 + index % 2):
            SourceRecordFactory(
                organization=organization,
                first_name=first,
                last_name=last,
                birth_date=born,
                block_name=f"{first[:2]}|{last[:2]}",
            )
    assert SourceRecord.objects.count() >= training.MINIMUM_RECORDS


def test_training_stores_a_new_version_and_puts_it_in_use(trainable):
    output = run("train")

    model = policy().model
    assert model.version == 2
    assert model.source == LinkageModel.Source.TRAINED
    assert model.training["records"] == SourceRecord.objects.count()
    assert f"Trained model v{model.version}" in output
    for comparison in model.parameters["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert level["m_probability"] >= training.M_FLOOR * 0.5


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        (
            ["--all", "--dry-run", "--auto", "40", "--review", "30"],
            "`link --all` takes no --auto; --auto goes with thresholds",
        ),
        (["--all", "--dry-run", "--format", "csv"], "writes text or json, not"),
        (["--yes"], "Say what to do"),
        (["--dry-run"], "Say what to do"),
        (["status", "--yes"], "`link status` takes no --yes"),
        (["status", "--format", "csv"], "writes text or json, not"),
        (["models", "--format", "json"], "`link models` takes no --format"),
        (["export", "--format", "json"], "writes csv, not --format json"),
        (["train", "--format", "json"], "`link train` takes no --format"),
        (["thresholds", "--dry-run"], "--dry-run goes with --all"),
        (["export", "--user", "nobody"], "`link export` takes no --user"),
        (["train", "--all"], "leave out the action"),
        (["--all", "--dry-run", "--yes"], "leave out --yes"),
        (["status", "--no-activate"], "--no-activate goes with train"),
        (["activate"], "Say which version"),
        (["status", "2"], "`link status` takes no VERSION; VERSION goes with"),
    ],
)
def test_an_option_that_does_not_apply_is_a_usage_error(db, args, refusal):
    with pytest.raises(CommandError, match=refusal) as raised:
        run(*args)

    assert raised.value.returncode == 2
    current = policy()
    assert (current.auto_link_weight, current.review_weight) == (2.0, -2.0)
    assert not MappingEvent.objects.exists()


def test_a_usage_error_exits_with_status_2_from_the_command_line(db, capsys):
    with pytest.raises(SystemExit) as raised:
        ManagementUtility(["braid", "link", "status", "--yes"]).execute()

    assert raised.value.code == 2
    assert "`link status` takes no --yes" in capsys.readouterr().err


def test_status_counts_skipped_pairs_as_waiting_as_the_queue_does(
    send, community, people
):
    send(
        community.district,
        "D1,S101,Noah,Kim,2015-03-07,M,,",
        "D2,S102,Ava,Brennan,2014-06-21,F,,",
        "D3,S103,Leo,Moreau,2013-11-30,M,,",
    )
    send(
        community.club,
        "C1,S901,Noah,Kim,2015-03-07,M,,",
        "C2,S902,Ava,Brennan,2014-06-21,F,,",
        "C3,S903,Leo,Moreau,2013-11-30,M,,",
    )
    items = ReviewItem.objects.filter(kind=ReviewItem.Kind.LINK).order_by("pk")
    assert items.count() == 3
    decisions.decide(items[0], None, people.steward)

    status = json.loads(run("status", "--format", "json"))
    text = run("status")

    assert status["review_waiting"] == 3
    assert status["review_skipped"] == 1
    assert "review waiting: 3 (1 skipped)" in text
    assert "duplicates waiting: 0 (0 skipped)" in text


def test_a_model_trained_without_activating_is_said_to_be_out_of_use(trainable):
    output = run("train", "--no-activate")

    assert policy().model.version == 1
    stored = LinkageModel.objects.get(version=2)
    assert f"It is stored as version {stored.version} and is not in use" in output
    assert "linking still uses model v1" in output
    assert "`braid link activate 2` puts it in use" in output


def test_a_stored_model_is_listed_and_put_in_use_later(trainable):
    run("train", "--no-activate")

    listed = run("models").splitlines()
    assert [line.split()[0] for line in listed] == ["v1", "v2"]
    assert listed[0].endswith("Braid's starting model  (in use)")
    assert f"trained on {SourceRecord.objects.count()} records" in listed[1]

    output = run("activate", "2")

    assert policy().model.version == 2
    assert "Model v2 is now in use" in output
    assert run("models").splitlines()[1].endswith("(in use)")


def test_activating_a_version_that_does_not_exist_changes_nothing(db):
    with pytest.raises(CommandError, match="There is no model version 7"):
        run("activate", "7")

    assert policy().model.version == 1


def test_thresholds_leave_pairs_held_by_a_rule_out_of_automatic_links(
    send, community, people
):
    send(community.district, "D1,S101,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S901,Noah,Kim,2015-03-07,M,,")
    decisions.decide(ReviewItem.objects.get(), False, people.steward)

    output = run("thresholds")

    assert "precision of automatic links n/a, recall n/a" in output
    assert "are not counted as automatic links" in output


def test_training_counts_only_the_same_child_pairs_it_learned_from(trainable):
    first, second, third = SourceRecord.objects.order_by("pk")[:3]
    for other in (second, third):
        PairDecision.objects.create(record_a=first, record_b=other, same=False)

    output = run("train", "--no-activate")
    listed = run("models").splitlines()

    assert "and 0 pairs a person decided are the same child" in output
    assert "(such pairs count once there are 10 or more)" in output
    assert "decisions" not in output
    assert listed[1].endswith("and 0 pairs a person decided are the same child")


def test_a_json_relink_that_cannot_run_still_writes_one_object(db):
    out = io.StringIO()

    with pytest.raises(CommandError, match="nobody"):
        call_command(
            "link",
            "--all",
            "--dry-run",
            "--format",
            "json",
            "--user",
            "nobody",
            stdout=out,
        )

    assert only_json(out.getvalue()) == {"error": "No Braid user is called 'nobody'."}


def test_a_json_usage_error_writes_nothing(db):
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("link", "status", "--yes", "--format", "json", stdout=out)

    assert out.getvalue() == ""
