"""Long work tells its progress: in a file for a page, or on a terminal."""

import io
import logging

import pytest
from django.core.management import call_command

from braid import progress
from tests.intake.rosters import AVA, LEO, MIA, roster


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def test_a_step_with_nobody_listening_goes_nowhere(data_dir):
    progress.step("Reading", 1, 2)

    with progress.reporting(None):
        progress.step("Reading", 1, 2)

    assert not (data_dir / "progress").exists()


def test_the_file_holds_the_latest_step_until_the_work_ends(monkeypatch):
    clock = iter([100.0, 100.2, 100.4, 102.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    reporter = progress.FileReporter("roster-7")

    with progress.reporting(reporter):
        progress.step("Saving the new records", 0, 300)
        # Within a second of the last report of the same step: not written.
        progress.step("Saving the new records", 100, 300)
        # Another step is written at once.
        progress.step("Queuing pairs for review")
        assert progress.read("roster-7")["step"] == "Queuing pairs for review"
        progress.step("Queuing pairs for review", 5)

    report = progress.read("roster-7")
    assert (report["step"], report["done"], report["total"]) == (
        "Queuing pairs for review",
        5,
        None,
    )
    reporter.close()
    assert progress.read("roster-7") is None


def test_the_progress_file_is_for_its_owner_alone(data_dir):
    progress.FileReporter("roster-8")("Reading", None, None)

    assert (data_dir / "progress").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("key", ["../secrets", "Roster 1", ""])
def test_a_key_cannot_leave_the_progress_folder(key):
    with pytest.raises(ValueError, match="not a progress key"):
        progress.path_for(key)


def test_a_damaged_progress_file_reads_as_none(data_dir):
    (data_dir / "progress").mkdir()
    (data_dir / "progress" / "roster-9.json").write_text("{not json")

    assert progress.read("roster-9") is None


def test_the_command_line_prints_each_step_and_its_count():
    out = io.StringIO()
    reporter = progress.StreamReporter(out)

    reporter("Comparing records", None, 1200)
    reporter("Saving the new records", 1000, 1200)

    assert out.getvalue().splitlines() == [
        "Comparing records",
        "Saving the new records: 1,000 / 1,200",
    ]


def test_importing_a_roster_prints_its_progress_on_standard_error(
    community, people, tmp_path
):
    path = tmp_path / "fall.csv"
    path.write_bytes(roster(AVA, MIA, LEO))
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_roster", str(path), "--org", "district", stdout=out, stderr=err
    )

    steps = err.getvalue().splitlines()
    assert steps[0] == "Reading the roster"
    assert "Linking: comparing records" in steps
    assert "Saving the new records: 0 / 3" in steps
    # The last count is printed however soon it follows the first.
    assert "Saving the new records: 3 / 3" in steps
    assert steps[-1] == "Recording enrollments"
    assert "Reading the roster" not in out.getvalue()


def test_a_quiet_import_prints_no_progress(community, people, tmp_path):
    path = tmp_path / "fall.csv"
    path.write_bytes(roster(AVA))
    err = io.StringIO()

    call_command(
        "import_roster",
        str(path),
        "--org",
        "district",
        "--verbosity",
        "0",
        stdout=io.StringIO(),
        stderr=err,
    )

    assert err.getvalue() == ""


def test_a_quiet_command_leaves_out_the_operators_info_lines(
    community, people, tmp_path, caplog
):
    path = tmp_path / "fall.csv"
    path.write_bytes(roster(AVA))
    caplog.set_level(logging.INFO, logger="braid")
    quietly = {"verbosity": 0, "stdout": io.StringIO(), "stderr": io.StringIO()}

    call_command("import_roster", str(path), "--org", "district", **quietly)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("braid")] == []

    # The same command at the usual verbosity says what it did.
    path.write_bytes(roster(AVA, LEO, MIA))
    quietly["verbosity"] = 1
    call_command("import_roster", str(path), "--org", "district", **quietly)
    assert any(r.name == "braid.intake.services" for r in caplog.records)
    assert logging.getLogger("braid").level == logging.INFO


def test_a_full_relink_prints_its_progress_on_standard_error(
    community, people, tmp_path
):
    path = tmp_path / "fall.csv"
    path.write_bytes(roster(AVA, LEO))
    call_command("import_roster", str(path), "--org", "district", verbosity=0)
    err = io.StringIO()

    call_command("link", "--all", "--dry-run", stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "Reading every record",
        "Comparing records",
        "Grouping records into children",
        "Working out what would change",
    ]


def test_a_progress_file_is_readable_by_its_owner_alone(data_dir):
    progress.FileReporter("roster-10")("Reading", None, None)

    assert progress.path_for("roster-10").stat().st_mode & 0o077 == 0
