"""`braid import-roster`: exit codes, the JSON summary, options."""

import io
import json

import pytest
from django.core.management import call_command

from braid.children.models import SourceRecord
from braid.intake.models import RosterBatch
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
    assert out.strip().endswith(
        "2 rows: 2 new, 0 changed, 0 unchanged, 0 ended; committed"
    )
    assert SourceRecord.objects.count() == 2


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
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not an admin or staff member"):
        run(roster(AVA), "--org", "district", "--user", "club-staff")


def test_it_names_an_unknown_organization(run):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organization 'nowhere'"):
        run(roster(AVA), "--org", "nowhere")


def test_it_refuses_a_mapping_to_an_unknown_field(run):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown field 'nickname'"):
        run(roster(AVA), "--org", "district", "--map", "Name=nickname")
