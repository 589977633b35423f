"""`braid import-roster`: exit codes, the JSON summary, options."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from braid.children.models import SourceRecord
from braid.intake import services
from braid.intake.management.commands.import_roster import Command
from braid.intake.models import BatchStatus, RosterBatch
from tests.intake.rosters import AVA, LEO, MIA, roster


@pytest.fixture
def run(community, people, tmp_path):
    def run(content: bytes, *args: str, name: str = "fall.csv"):
        path = tmp_path / name
        path.write_bytes(content)
        out = io.StringIO()
        try:
            call_command("import_roster", str(path), *args, stdout=out)
        except SystemExit as exit:
            return exit.code, out.getvalue()
        return 0, out.getvalue()

    return run


def test_it_commits_and_exits_zero(run):
    code, out = run(roster(AVA, MIA), "--org", "district", "--as-of", "2026-09-01")

    assert code == 0
    counts, linking = out.strip().splitlines()[-2:]
    assert counts.endswith("2 rows: 2 new, 0 changed, 0 unchanged, 0 ended; committed")
    # Ava and Mia Okafor share a birthday: twins, not a duplicate.
    assert linking == (
        "linking: 0 records joined children already known, 2 new children, "
        "0 pairs for review, 0 possible duplicates"
    )
    assert SourceRecord.objects.count() == 2


def test_it_counts_one_row_and_one_child_in_the_singular(run):
    _, out = run(roster(AVA), "--org", "district", "--as-of", "2026-09-01")

    counts, linking = out.strip().splitlines()[-2:]
    assert counts.endswith(": 1 row: 1 new, 0 changed, 0 unchanged, 0 ended; committed")
    assert linking == (
        "linking: 0 records joined children already known, 1 new child, "
        "0 pairs for review, 0 possible duplicates"
    )


def test_it_says_how_many_changed_records_were_linked_again(run):
    district = "Student ID,First Name,Last Name,DOB,ZIP"
    run(
        roster("z1,Zoe,Hartwell,2015-02-02,60630", header=district),
        "--org",
        "district",
        "--as-of",
        "2026-11-01",
    )
    for day, row in [
        ("2026-11-01", "q1,Quinn,Yarrow,2011-09-09,60631"),
        ("2026-11-15", "q1,Zoe,Hartwell,2015-02-02,60630"),
    ]:
        code, out = run(
            roster(row, header=district),
            "--org",
            "club",
            "--as-of",
            day,
            "--format",
            "json",
        )

    assert code == 0
    summary = json.loads(out)
    assert summary["changed"] == 1
    assert summary["linking"]["relinked"] == 1
    assert summary["linking"]["relinked_to_another_child"] == 1
    assert services.linking_text(summary["linking"]) == (
        "0 records joined children already known, 0 new children, 1 changed "
        "record linked again, 1 record moved to another child, 0 pairs for "
        "review, 0 possible duplicates"
    )
    children = SourceRecord.objects.values_list("child_id", flat=True)
    assert len(set(children)) == 1


def test_it_prints_one_json_object_with_counts_and_errors(run):
    code, out = run(
        roster(AVA, "00102,Mia,Okafor,2015-02-31,F,5", LEO),
        "--org",
        "district",
        "--format",
        "json",
    )

    assert code == 1
    summary = json.loads(out)
    assert summary["status"] == "rejected"
    assert {k: summary[k] for k in ("new", "changed", "unchanged", "ended")} == {
        "new": 0,
        "changed": 0,
        "unchanged": 0,
        "ended": 0,
    }
    (error,) = summary["errors"]
    assert (error["line"], error["column"]) == (3, "DOB")
    assert set(error) >= {"line", "column", "code", "message"}
    assert SourceRecord.objects.count() == 0


def test_a_dry_run_exits_zero_when_it_would_commit_and_changes_nothing(run):
    code, out = run(
        roster(AVA, MIA), "--org", "district", "--dry-run", "--format", "json"
    )

    assert code == 0
    assert json.loads(out)["new"] == 2
    assert SourceRecord.objects.count() == 0


def test_the_same_id_for_two_children_names_both_lines(run):
    code, out = run(
        roster(AVA, "00101,Mia,Okafor,2015-03-07,F,5"),
        "--org",
        "district",
        "--format",
        "json",
    )

    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert error["code"] == "duplicate_id"
    assert error["lines"] == [2, 3]


def test_an_unknown_header_can_be_mapped_by_hand(run):
    content = roster(
        "A-1,Ava,Okafor,2015-03-07",
        header="Kid Number,First Name,Last Name,DOB",
    )
    refused, out = run(content, "--org", "district", "--format", "json")
    assert refused == 1
    assert json.loads(out)["errors"][0]["code"] == "missing_column"

    code, _ = run(content, "--org", "district", "--map", "Kid Number=local_id")

    assert code == 0
    assert SourceRecord.objects.get().local_id == "A-1"


def test_a_declared_date_format_reads_day_first_dates(run):
    content = roster(
        "00101,Ava,Okafor,07/03/2015,F,5", "00102,Mia,Okafor,08/04/2015,F,5"
    )

    code, _ = run(content, "--org", "district", "--date-format", "%d/%m/%Y")

    assert code == 0
    assert {str(r.birth_date) for r in SourceRecord.objects.all()} == {
        "2015-03-07",
        "2015-04-08",
    }


def test_a_program_is_named_by_its_slug(run, community):
    code, _ = run(roster(AVA), "--org", "district", "--program", "enrolled")

    assert code == 0
    assert RosterBatch.objects.get().program == community.district_roll


def test_it_records_the_batch_under_a_braid_user_when_asked(run, people):
    code, _ = run(roster(AVA), "--org", "district", "--user", "district-staff")

    assert code == 0
    assert RosterBatch.objects.get().uploaded_by == people.district_staff


def test_it_refuses_a_user_who_is_not_on_the_organizations_staff(run):
    with pytest.raises(CommandError, match="not an admin or staff member"):
        run(roster(AVA), "--org", "district", "--user", "club-staff")


def test_it_names_an_unknown_organization(run):
    with pytest.raises(CommandError, match="No organization 'nowhere'"):
        run(roster(AVA), "--org", "nowhere")


def test_it_refuses_a_mapping_to_an_unknown_field(run):
    with pytest.raises(CommandError, match="unknown field “nickname”"):
        run(roster(AVA), "--org", "district", "--map", "Name=nickname")


def test_the_json_summary_carries_a_notice_for_rows_without_a_date(run):
    code, out = run(
        roster(AVA, "00102,Mia,Okafor,,F,5", LEO, "00104,Noor,Haddad, ,F,4"),
        "--org",
        "district",
        "--dry-run",
        "--format",
        "json",
    )

    assert code == 0
    summary = json.loads(out)
    assert summary["errors"] == []
    assert summary["new"] == 4
    (notice,) = [n for n in summary["notices"] if n["code"] == "no_birth_date"]
    assert notice["column"] == "DOB"
    assert "2 rows have no date of birth (lines 3, 5)" in notice["message"]


def test_a_row_with_neither_name_is_rejected_naming_its_line(run):
    code, out = run(
        roster(AVA, "00102,,,2015-03-07,F,5"), "--org", "district", "--format", "json"
    )

    assert code == 1
    (error,) = json.loads(out)["errors"]
    assert (error["code"], error["line"]) == ("missing_value", 3)
    assert "“First Name”" in error["message"]
    assert "“Last Name”" in error["message"]
    assert SourceRecord.objects.count() == 0


@pytest.fixture
def argv(community, people, tmp_path, capsys):
    """Run the command as the shell does, so that usage errors exit."""

    def argv(content: bytes, *args: str):
        path = tmp_path / "fall.csv"
        path.write_bytes(content)
        with pytest.raises(SystemExit) as exit:
            Command().run_from_argv(["braid", "import_roster", str(path), *args])
        return exit.value.code, capsys.readouterr().err

    return argv


def test_an_as_of_that_is_not_a_date_is_a_usage_error_naming_it(argv):
    code, err = argv(roster(AVA), "--org", "club", "--as-of", "2026-13-01")

    assert code == 2
    assert "--as-of: 2026-13-01 is not a date (YYYY-MM-DD)" in err
    assert "Traceback" not in err
    assert not RosterBatch.objects.exists()


def test_a_malformed_mapping_is_a_usage_error(argv):
    code, err = argv(roster(AVA), "--org", "club", "--map", "Student ID")

    assert code == 2
    assert "--map: “Student ID” should be COLUMN=FIELD" in err


def test_a_date_format_braid_cannot_use_is_a_usage_error(argv):
    code, err = argv(roster(AVA), "--org", "club", "--date-format", "%m/%Y")

    assert code == 2
    assert "--date-format: The date format %m/%Y is not one Braid can use" in err
    assert not RosterBatch.objects.exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--org", "nowhere"], "No organization 'nowhere'; see `braid org list`."),
        (["--org", "clinic"], "not set up to contribute rosters"),
    ],
)
def test_a_command_error_in_json_is_one_object_naming_it_and_exits_one(
    community, people, tmp_path, capsys, monkeypatch, args, error
):
    path = tmp_path / "fall.csv"
    path.write_bytes(roster(AVA))
    # run_from_argv closes every connection as it leaves, which on
    # PostgreSQL would end the test's own transaction.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)

    with pytest.raises(SystemExit) as exit:
        Command().run_from_argv(
            ["braid", "import_roster", str(path), *args, "--format", "json"]
        )

    assert exit.value.code == 1
    out, err = capsys.readouterr()
    assert list(json.loads(out)) == ["error"]
    assert error in json.loads(out)["error"]
    assert err.startswith("CommandError: ")
    assert not RosterBatch.objects.exists()


def test_an_unreadable_file_in_json_is_one_object_naming_it(run, tmp_path):
    out = io.StringIO()
    missing = tmp_path / "missing.csv"

    with pytest.raises(CommandError) as refusal:
        call_command(
            "import_roster",
            str(missing),
            "--org",
            "district",
            "--format",
            "json",
            stdout=out,
        )

    assert json.loads(out.getvalue()) == {"error": str(refusal.value)}
    assert "Cannot read" in str(refusal.value)


def test_an_as_of_still_to_come_is_refused_as_on_the_web(run):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(CommandError, match="A roster cannot describe a day still"):
        run(roster(AVA), "--org", "district", "--as-of", tomorrow.isoformat())

    assert not RosterBatch.objects.exists()


def test_without_a_user_it_refuses_an_organization_not_contributing_rosters(run):
    with pytest.raises(CommandError, match="not set up to contribute rosters"):
        run(roster(AVA), "--org", "clinic")

    assert not RosterBatch.objects.exists()


def test_a_mapped_column_is_found_without_case_or_spaces(run):
    content = roster(
        "A-1,Ava,Okafor,2015-03-07", header="Kid Number,First Name,Last Name,DOB"
    )

    code, _ = run(content, "--org", "district", "--map", "kid number=local_id")

    assert code == 0
    assert SourceRecord.objects.get().local_id == "A-1"


def test_a_mapping_that_could_name_two_columns_says_so(run):
    content = roster(
        "A-1,A-2,Ava,Okafor,2015-03-07",
        header="Kid Number,KID_NUMBER,First Name,Last Name,DOB",
    )

    code, out = run(content, "--org", "district", "--map", "kid number=local_id")

    assert code == 1
    assert "“kid number”, which could be any of “Kid Number”, “KID_NUMBER”" in out
    assert RosterBatch.objects.get().status == BatchStatus.REJECTED


def test_lines_of_conflicting_date_orders_are_printed_in_order(run):
    content = roster(
        "00101,Ava,Okafor,13/04/2015,F,5", "00102,Mia,Okafor,05/26/2014,F,5"
    )

    code, out = run(content, "--org", "district")

    assert code == 1
    assert "error: lines 2, 3: column 'DOB': Some dates of birth" in out


def test_it_prints_a_warning_for_a_roster_ending_most_of_a_program(run):
    rows = [f"{n:05d},Child{n},Family{n},2015-03-07,F,5" for n in range(12)]
    run(roster(*rows), "--org", "district", "--as-of", "2026-09-01")

    code, out = run(roster(AVA), "--org", "district", "--dry-run")

    assert code == 0
    assert "fall.csv: warning: This roster would end 12 of the 12 open" in out
