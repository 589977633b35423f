"""A large roster committed from its page by the task worker, with progress."""

import io
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
from braid.intake.models import BatchStatus
from braid.intake.tasks import progress_key
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
    assert services.background(batch) is background


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
        "args": [batch.pk, people.district_staff.pk],
        "kwargs": {},
    }
    fragment = client.get(reverse("intake:progress", args=[batch.pk]))
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()

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

    page = client.get(reverse("intake:progress", args=[batch.pk])).content.decode()

    assert "Linking: comparing records: 40 of 160" in page
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
    client, settings, people, community, quiet, run_worker
):
    settings.BRAID_BACKGROUND_ROWS = 0
    batch = stage(people, community, AVA)
    commit_page(client, batch)

    again = client.post(reverse("intake:commit", args=[batch.pk]))
    discard = client.post(reverse("intake:discard", args=[batch.pk]))

    assert again.status_code == discard.status_code == 403
    assert quiet.take() == [
        f"django.request: Forbidden (Permission denied): /intake/{batch.pk}/commit/",
        f"django.request: Forbidden (Permission denied): /intake/{batch.pk}/discard/",
    ]
    assert DBTaskResult.objects.count() == 1
    run_worker()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.COMMITTED


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
