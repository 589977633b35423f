"""A large roster committed from its page by the task worker, with progress."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from braid import progress
from braid.children.models import SourceRecord
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch
from braid.intake.tasks import commit_roster, progress_key
from tests.factories import PASSWORD
from tests.intake.rosters import AVA, LEO, MIA, roster


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def stage(people, community, *rows: str, content: bytes | None = None):
    return services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=community.district_roll,
        filename="roster.xlsx" if content else "roster.csv",
        content=content or roster(*rows),
    )


def commit_page(client, batch):
    client.login(username="district-staff", password=PASSWORD)
    return client.post(reverse("intake:commit", args=[batch.pk]), follow=True)


@pytest.fixture
def run_worker(monkeypatch):
    """Run the task worker until no task is left, in the test's transaction.

    A worker closes stale database connections between tasks; here that
    would close the connection holding the test's transaction (PostgreSQL).
    """
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


def workbook(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Student ID", "First Name", "Last Name", "DOB", "Gender", "Grade"])
    for number in range(rows):
        sheet.append([f"w{number}", "Ava", "Okafor", "2015-03-07", "F", 5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("limit", "background"), [(2, True), (3, False), (0, True)])
def test_rosters_of_more_rows_than_the_setting_go_to_the_worker(
    settings, people, community, limit, background
):
    settings.BRAID_BACKGROUND_ROWS = limit
    batch = stage(people, community, AVA, MIA, LEO)

    assert services.rows_estimate(batch) == 3
    assert (services.background(batch) == services.LARGE) is background


def test_a_workbooks_rows_are_counted_by_its_used_range(people, community):
    batch = stage(people, community, content=workbook(4))

    assert services.rows_estimate(batch) == 4


def test_a_file_without_a_last_line_break_counts_every_row(people, community):
    batch = stage(people, community, content=b"")
    batch.content = roster(AVA, MIA).rstrip(b"\n")

    assert services.rows_estimate(batch) == 2


def test_a_large_roster_is_committed_by_the_worker_and_the_page_follows_it(
    client, settings, people, community, run_worker
):
    settings.BRAID_BACKGROUND_ROWS = 1
    batch = stage(people, community, AVA, MIA)

    page = commit_page(client, batch).content.decode()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTING
    assert "committed in the background" in page
    assert "Waiting for the task worker since" in page
    assert not SourceRecord.objects.exists()
    task = DBTaskResult.objects.get(pk=batch.task_id)
    assert task.args_kwargs == {
        "args": [batch.pk, people.district_staff.pk, "en"],
        "kwargs": {},
    }
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(reverse("intake:progress", args=[batch.pk]), {"stalled": 0})
    assert fragment.status_code == 200
    # Only the live part comes back: the rest of the page, focus included,
    # stays as it is.
    assert "Waiting for the task worker since" in fragment.content.decode()
    assert "<h2" not in fragment.content.decode()

    run_worker()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert batch.linking["new_children"] == 2
    assert SourceRecord.objects.filter(organization=community.district).count() == 2
    done = client.get(reverse("intake:progress", args=[batch.pk]))
    assert done.status_code == 204
    assert done["HX-Redirect"] == reverse("intake:batch", args=[batch.pk])
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "0 records joined children already known, 2 new children" in page
    assert not progress.path_for(progress_key(batch.pk)).exists()


def test_the_page_shows_the_step_the_worker_reports(
    client, settings, people, community
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)
    reporter = progress.FileReporter(progress_key(batch.pk))
    reporter("Linking: comparing records", 40, 160)

    page = client.get(
        reverse("intake:progress", args=[batch.pk]), {"stalled": 0}
    ).content.decode()

    assert "Linking: comparing records" in page
    assert '<span aria-hidden="true">: 40 of 160</span>' in page
    assert 'value="25" max="100"' in page
    assert "Waiting for the task worker" not in page


def test_a_roster_no_worker_takes_says_that_one_must_be_started(
    client, settings, people, community
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)
    batch.refresh_from_db()
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "No task worker has taken the roster yet" not in page

    DBTaskResult.objects.filter(pk=batch.task_id).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )

    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "No task worker has taken the roster yet" in page
    assert "braid db-worker" in page


def test_a_roster_being_committed_cannot_be_committed_or_discarded_again(
    client, settings, people, community, run_worker
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)
    page = reverse("intake:batch", args=[batch.pk])

    for button in ("intake:commit", "intake:discard", "intake:mapping"):
        again = client.post(reverse(button, args=[batch.pk]), follow=True)
        assert again.redirect_chain == [(page, 302)]
        assert "This roster is already being committed." in again.content.decode()

    assert DBTaskResult.objects.count() == 1
    run_worker()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    again = client.post(reverse("intake:commit", args=[batch.pk]), follow=True)
    assert again.redirect_chain == [(page, 302)]
    assert "This roster has already been decided." in again.content.decode()


def test_a_roster_the_worker_finds_wrong_is_rejected_and_changes_nothing(
    client, settings, people, community, run_worker
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA, "00102,Mia,Okafor,2015-02-30,F,5")
    commit_page(client, batch)

    run_worker()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED
    assert batch.content is None
    assert not SourceRecord.objects.exists()
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "is not a date that exists" in page
    assert "2015-02-30" not in page


def test_small_rosters_are_still_committed_at_once(client, people, community):
    batch = stage(people, community, AVA)

    page = commit_page(client, batch).content.decode()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert "The roster is committed. Linking:" in page
    assert not DBTaskResult.objects.exists()


def test_the_worker_writes_in_the_language_of_whoever_committed(
    client, settings, people, community, run_worker
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA, "00102,Mia,Okafor,2015-02-30,F,5")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    commit_page(client, batch)

    run_worker()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED
    assert batch.issues["errors"][0]["message"] == (
        "“****-**-**” no es una fecha que exista."
    )


def test_two_clicks_at_once_hand_the_roster_over_once(people, community):
    batch = stage(people, community, AVA)
    same = RosterBatch.objects.get(pk=batch.pk)

    services.commit_in_background(batch, people.district_staff)
    with pytest.raises(services.AlreadyDecided):
        services.commit_in_background(same, people.district_staff)

    assert DBTaskResult.objects.count() == 1


def test_a_roster_handed_over_twice_is_committed_once(people, community, run_worker):
    batch = stage(people, community, AVA, LEO)
    services.commit_in_background(batch, people.district_staff)
    # A second task for the same roster, as two workers racing would make.
    commit_roster.enqueue(batch.pk, people.district_staff.pk)

    run_worker()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED
    assert (batch.new_count, batch.unchanged_count) == (2, 0)
    assert SourceRecord.objects.count() == 2
    assert sorted(DBTaskResult.objects.values_list("return_value", flat=True)) == [
        "committed",
        "committed",
    ]


def test_a_worker_stopped_mid_commit_leaves_the_roster_failed_not_waiting(
    client, people, community, monkeypatch, quiet
):
    batch = stage(people, community, AVA)
    services.commit_in_background(batch, people.district_staff)

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "map_new_records", stopped)
    with pytest.raises(KeyboardInterrupt):
        commit_roster.call(batch.pk, people.district_staff.pk)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.issues["errors"][0]["code"] == "commit_stopped"
    assert not SourceRecord.objects.exists()
    assert not progress.path_for(progress_key(batch.pk)).exists()
    assert quiet.take() == [
        f"braid.intake.services: roster batch {batch.pk} stopped; nothing was changed"
    ]
    # The page says why; it counts no rows, for none were read into Braid.
    client.login(username="district-staff", password=PASSWORD)
    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()
    assert "The commit stopped before it ended" in page
    assert "Rows" not in page
    assert 'aria-label="Outcome"' not in page


@pytest.fixture
def stalled(people, community):
    """A roster whose worker was killed mid-commit twenty minutes ago."""
    batch = stage(people, community, AVA)
    services.commit_in_background(batch, people.district_staff)
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(minutes=20)
    )
    progress.FileReporter(progress_key(batch.pk))("Linking: comparing records", 0, 1)
    report = progress.path_for(progress_key(batch.pk))
    stamp = (timezone.now() - timedelta(minutes=20)).timestamp()
    report.write_text(
        re.sub(r'"updated": [^,}]+', f'"updated": {stamp}', report.read_text())
    )
    return batch


def test_a_commit_not_heard_of_for_long_can_be_given_up(client, stalled, quiet):
    client.login(username="district-staff", password=PASSWORD)
    # A page shown before it stalled is told to reload, to show the button.
    going = client.get(reverse("intake:progress", args=[stalled.pk]), {"stalled": 0})
    assert going.status_code == 204 and going["HX-Refresh"] == "true"
    page = client.get(reverse("intake:batch", args=[stalled.pk])).content.decode()
    assert "Nothing has been heard of this commit since" in page
    assert "Stop waiting for this commit" in page

    response = client.post(reverse("intake:stop", args=[stalled.pk]), follow=True)

    stalled.refresh_from_db()
    assert stalled.status == BatchStatus.FAILED
    assert "The roster is marked failed; nothing was changed." in (
        response.content.decode()
    )
    assert "The commit stopped before it ended" in response.content.decode()
    assert not SourceRecord.objects.exists()


def test_a_commit_still_going_cannot_be_given_up(client, settings, people, community):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)
    progress.FileReporter(progress_key(batch.pk))("Linking: comparing records", 0, 1)

    response = client.post(reverse("intake:stop", args=[batch.pk]), follow=True)

    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTING
    assert "still being committed; nothing was stopped" in response.content.decode()


@pytest.mark.parametrize("gone", [False, True])
def test_a_task_that_ended_without_deciding_the_roster_settles_it(
    client, settings, people, community, gone
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)
    batch.refresh_from_db()
    if gone:
        DBTaskResult.objects.filter(pk=batch.task_id).delete()
    else:
        DBTaskResult.objects.filter(pk=batch.task_id).update(status="FAILED")

    page = client.get(reverse("intake:batch", args=[batch.pk])).content.decode()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert "The commit stopped before it ended" in page


def test_a_roster_whose_committer_may_no_longer_send_it_is_not_committed(
    people, community, run_worker
):
    batch = stage(people, community, AVA)
    services.commit_in_background(batch, people.district_staff)
    people.district_staff.is_active = False
    people.district_staff.save()

    run_worker()

    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED
    assert batch.issues["errors"][0]["code"] == "no_longer_allowed"
    assert not SourceRecord.objects.exists()


def test_a_small_roster_waits_for_another_commit_in_the_background(
    client, settings, people, community
):
    settings.BRAID_BACKGROUND_ROWS = 1
    big = stage(people, community, AVA, MIA)
    services.commit_in_background(big, people.district_staff)
    settings.BRAID_BACKGROUND_ROWS = 2000
    small = services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=None,
        filename="other.csv",
        content=roster(LEO),
    )

    page = commit_page(client, small).content.decode()

    small.refresh_from_db()
    assert small.status == BatchStatus.COMMITTING
    assert "Another roster is being committed" in page
    assert DBTaskResult.objects.count() == 2
