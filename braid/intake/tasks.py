"""Roster work that leaves the request and runs in the task worker."""

from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from braid import progress
from braid.access import policy
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch


def progress_key(batch_id: int) -> str:
    return f"roster-{batch_id}"


@task()
def commit_roster(batch_id: int, user_id: int, language: str | None = None) -> str:
    """Commit a batch handed over by ``services.commit_in_background``.

    Messages are written in ``language``, the committer's. Returns the
    batch's outcome; its counts and issues are on the batch.
    """
    batch = RosterBatch.objects.get(pk=batch_id)
    if batch.status != BatchStatus.COMMITTING:
        # Handed over twice, or decided meanwhile: nothing left to do.
        return str(batch.status)
    user = get_user_model().objects.get(pk=user_id)
    if not user.is_active or not policy.can_handle_batch(user, batch):
        # Whoever committed it may no longer act for the organization.
        # Another roster of the organization may hold its lock: wait for it.
        services.stop_waiting(batch, services.NO_LONGER_ALLOWED, nowait=False)
        batch.refresh_from_db()
        return str(batch.status)
    reporter = progress.FileReporter(progress_key(batch_id))
    try:
        with translation.override(language), progress.reporting(reporter):
            services.commit(batch, user)
    except services.AlreadyDecided:
        batch.refresh_from_db()
    finally:
        reporter.close()
    return str(batch.status)
