"""Sending a roster in the browser: upload, preview, map columns, commit."""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Locator, Page, expect

from braid import progress
from braid.children.models import SourceRecord
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch
from braid.intake.tasks import progress_key
from braid.records.models import Enrollment
from tests.browser.conftest import assert_accessible, sign_in
from tests.intake.rosters import AVA, HEADER, LEO, MIA, roster

pytestmark = pytest.mark.browser

ENROLLED = "Riverbend Schools: Enrolled"
ZARA_BAD_DOB = "00104,Zara,Quillfeather,2015-02-30,F,4"


def write_roster(tmp_path: Path, name: str, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_bytes(roster(*rows, header=header))
    return path


def send_roster(page: Page, path: Path, program: str | None = None) -> None:
    """Open "Send a roster" from the main navigation and preview a file."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Send a roster"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send a roster")
    if program:
        page.get_by_label("Program").select_option(label=program)
    page.get_by_label("Roster file").set_input_files(path)
    page.get_by_role("button", name="Preview").click()
    page.wait_for_url("**/intake/*/")


def expect_counts(
    region: Locator, *, new: int, changed: int, unchanged: int, ended: int
) -> None:
    """Check the four numbers a person reads on a preview or an outcome."""
    expect(region.locator("article")).to_have_text(
        [
            f"{new} new",
            f"{changed} changed",
            f"{unchanged} unchanged",
            f"{ended} ended",
        ],
        use_inner_text=True,
    )


def preview_counts(page: Page) -> Locator:
    return page.get_by_role("region", name="What committing would change")


def outcome_counts(page: Page) -> Locator:
    return page.get_by_role("region", name="Outcome")


def commit(page: Page) -> None:
    page.get_by_role("button", name="Commit the roster").click()
    expect(page.get_by_role("status")).to_contain_text("The roster is committed.")


def test_staff_preview_a_roster_commit_it_and_end_a_child_missing_from_the_next(
    page, community, people, tmp_path
):
    sign_in(page, "district-staff")

    send_roster(page, write_roster(tmp_path, "fall.csv", AVA, MIA, LEO), ENROLLED)
    expect_counts(preview_counts(page), new=3, changed=0, unchanged=0, ended=0)
    expect(page.get_by_text("The file has 3 rows.")).to_be_visible()
    assert_accessible(page)
    commit(page)

    expect_counts(outcome_counts(page), new=3, changed=0, unchanged=0, ended=0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("fall.csv")
    expect(page.locator("hgroup")).to_contain_text("Committed")
    assert_accessible(page)
    records = SourceRecord.objects.filter(organization=community.district)
    assert sorted(records.values_list("local_id", flat=True)) == [
        "00101",
        "00102",
        "00103",
    ]
    assert Enrollment.objects.filter(end_date=None).count() == 3

    send_roster(page, write_roster(tmp_path, "winter.csv", AVA, MIA), ENROLLED)
    expect_counts(preview_counts(page), new=0, changed=0, unchanged=2, ended=1)
    page.get_by_text("1 child no longer on the roster").click()
    expect(page.get_by_text("00103: Leo Brennan")).to_be_visible()
    commit(page)

    expect_counts(outcome_counts(page), new=0, changed=0, unchanged=2, ended=1)
    ended = Enrollment.objects.exclude(end_date=None).get()
    assert ended.source_record.local_id == "00103"
    assert RosterBatch.objects.filter(status=BatchStatus.COMMITTED).count() == 2


def test_a_bad_row_is_listed_masked_and_the_roster_cannot_be_committed(
    page, community, people, tmp_path
):
    sign_in(page, "district-staff")

    send_roster(page, write_roster(tmp_path, "bad.csv", AVA, ZARA_BAD_DOB))

    problems = page.get_by_role("region", name="1 problem to fix")
    row = problems.get_by_role("row").nth(1)
    expect(row.get_by_role("cell")).to_have_text(
        ["3", "DOB", "“****-**-**” is not a date that exists.", "impossible_date"]
    )
    page_text = page.locator("main").inner_text()
    assert "Quillfeather" not in page_text
    assert "2015-02-30" not in page_text
    expect(page.get_by_role("button", name="Commit the roster")).to_have_count(0)
    expect(page.get_by_text("Nothing can be committed")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Discard").click()

    page.wait_for_url("**/intake/")
    expect(page.get_by_role("status")).to_have_text(
        "The roster was discarded; nothing was changed."
    )
    assert RosterBatch.objects.get().status == BatchStatus.DISCARDED
    assert not SourceRecord.objects.exists()


def test_staff_map_an_unknown_id_column_on_the_page_and_then_commit(
    page, community, people, tmp_path
):
    sign_in(page, "district-staff")
    kid_numbers = write_roster(
        tmp_path,
        "export.csv",
        "K-17,Ava,Okafor,2015-03-07",
        "K-18,Mia,Okafor,2015-03-07",
        header="Kid Number,First Name,Last Name,DOB",
    )

    send_roster(page, kid_numbers)

    problems = page.get_by_role("region", name="1 problem to fix")
    expect(problems).to_contain_text("No column holds the local ID")
    expect(problems).to_contain_text("missing_column")
    expect(page.get_by_role("button", name="Commit the roster")).to_have_count(0)
    # The mapping is open already, since only it can fix this roster.
    page.get_by_label("Kid Number").select_option(label="ID (the organization's own)")
    page.get_by_role("button", name="Read the file again").click()

    expect(page.get_by_role("status")).to_have_text(
        "The columns are read as you chose."
    )
    expect(page.get_by_role("region", name="1 problem to fix")).to_have_count(0)
    expect_counts(preview_counts(page), new=2, changed=0, unchanged=0, ended=0)
    commit(page)
    assert sorted(SourceRecord.objects.values_list("local_id", flat=True)) == [
        "K-17",
        "K-18",
    ]


def test_a_large_roster_commits_in_the_background_and_the_page_follows_it(
    page, community, people, tmp_path, settings
):
    settings.BRAID_BACKGROUND_ROWS = 2
    sign_in(page, "district-staff")
    send_roster(page, write_roster(tmp_path, "big.csv", AVA, MIA, LEO), ENROLLED)

    page.get_by_role("button", name="Commit the roster").click()

    progress = page.get_by_role("region", name="Committing")
    expect(progress).to_contain_text("Waiting for the task worker since")
    expect(page.locator("hgroup")).to_contain_text("Committing")
    expect(page.get_by_role("button", name="Commit the roster")).to_have_count(0)
    assert_accessible(page)
    assert not SourceRecord.objects.exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    # The page asks every two seconds, and shows the outcome once it is done.
    expect(page.locator("hgroup")).to_contain_text("Committed", timeout=10_000)
    expect_counts(outcome_counts(page), new=3, changed=0, unchanged=0, ended=0)
    expect(page.locator("#linking")).to_contain_text("3 new children")
    assert SourceRecord.objects.filter(organization=community.district).count() == 3


def test_the_stop_waiting_button_keeps_focus_while_the_page_asks_again(
    page, community, people, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    batch = services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="big.csv",
        content=roster(AVA),
    )
    services.commit_in_background(batch, people.district_staff)
    long_ago = timezone.now() - timedelta(minutes=20)
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status="RUNNING", started_at=long_ago
    )
    progress.FileReporter(progress_key(batch.pk))("Linking: comparing records", 0, 1)
    report = progress.path_for(progress_key(batch.pk))
    report.write_text(
        json.dumps({**json.loads(report.read_text()), "updated": long_ago.timestamp()})
    )
    sign_in(page, "district-staff")
    page.goto(f"/intake/{batch.pk}/")

    button = page.get_by_role("button", name="Stop waiting for this commit")
    button.focus()
    # Two rounds of asking again.
    page.wait_for_timeout(4500)

    expect(button).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(page.locator("hgroup")).to_contain_text("Failed")
