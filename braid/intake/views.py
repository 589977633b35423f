"""Pages for sending a roster: upload, map its columns, preview, commit."""

from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_tasks.base import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from braid import progress
from braid.access import policy
from braid.children.models import SourceRecord
from braid.http import AuthenticatedRequest
from braid.intake import services
from braid.intake.forms import MappingForm, UploadForm
from braid.intake.labels import FIELD_LABELS
from braid.intake.models import BatchStatus, RosterBatch
from braid.intake.parsing.codes import Code
from braid.intake.parsing.types import Field
from braid.intake.tasks import commit_roster, progress_key

# Rows of each kind listed on the preview page; the counts cover all of them.
PREVIEW_ROWS = 200
ENCODING_NAMES = {
    "utf-8": gettext_lazy("UTF-8"),
    "utf-8-sig": gettext_lazy("UTF-8 with a byte-order mark"),
    "cp1252": gettext_lazy("Windows-1252"),
    "xlsx": gettext_lazy("an Excel workbook"),
}
# A task no worker has taken after this long suggests that none is running.
WORKER_GRACE = timedelta(minutes=1)
# A commit the worker has said nothing of for this long may have stopped;
# its longest silent step (scoring) takes a few minutes.
STALLED_AFTER = timedelta(minutes=10)
FINISHED = {TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED}
# Errors the mapping step fixes, so it opens by itself when one is found.
MAPPING_CODES = {
    Code.MISSING_COLUMN,
    Code.DUPLICATE_COLUMN,
    Code.OVERRIDE_UNKNOWN_COLUMN,
    Code.OVERRIDE_AMBIGUOUS_COLUMN,
    Code.AMBIGUOUS_DATES,
    Code.CONFLICTING_DATE_FORMATS,
    Code.INVALID_DATE_FORMAT,
    Code.TWO_DIGIT_YEAR_FORMAT,
}


class _NotStaged(Exception):
    """A button of a staged roster pressed after the roster moved on."""

    def __init__(self, batch: RosterBatch, message: str) -> None:
        super().__init__(message)
        self.batch = batch


def _staged_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a second click, or a page left open, back to the roster's page.

    Committing, discarding or re-reading a roster that another click already
    decided is no fault of the user's: they are told what became of it.
    """

    @wraps(view)
    def wrapped(request: AuthenticatedRequest, pk: int) -> HttpResponse:
        try:
            return view(request, pk)
        except _NotStaged as moved_on:
            messages.info(request, str(moved_on))
            return redirect("intake:batch", pk=moved_on.batch.pk)

    return wrapped


@login_required
def batch_list(request: AuthenticatedRequest) -> HttpResponse:
    if not (
        policy.is_steward(request.user) or policy.record_organizations(request.user)
    ):
        raise PermissionDenied(
            _("Rosters are seen by the staff who send them and the steward.")
        )
    batches = policy.visible_batches(request.user).select_related(
        "organization", "program", "uploaded_by"
    )
    page = Paginator(batches, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/batch/list.html",
        {"page": page, "can_upload": bool(policy.roster_organizations(request.user))},
    )


@login_required
def upload(request: AuthenticatedRequest) -> HttpResponse:
    organizations = policy.roster_organizations(request.user)
    if not organizations:
        raise PermissionDenied(
            _("You are not on the staff of an organization that contributes rosters.")
        )

    form = UploadForm(
        request.POST or None, request.FILES or None, organizations=organizations
    )
    if request.method == "POST" and form.is_valid():
        batch = _stage(request, form)
        if batch is not None:
            return redirect("intake:batch", pk=batch.pk)
    return render(request, "intake/batch/upload.html", {"form": form})


def _stage(request: AuthenticatedRequest, form: UploadForm) -> RosterBatch | None:
    upload = form.cleaned_data["file"]
    organization = form.cleaned_data["organization"]
    program = form.cleaned_data["program"]
    decision = policy.can_upload_roster(request.user, organization)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))

    # A new upload replaces the person's earlier unfinished one for the roster.
    RosterBatch.objects.filter(
        organization=organization,
        program=program,
        uploaded_by=request.user,
        status=BatchStatus.STAGED,
    ).update(status=BatchStatus.DISCARDED, content=None)
    try:
        return services.stage_roster(
            user=request.user,
            organization=organization,
            program=program,
            filename=upload.name,
            content=upload.read(),
            as_of=form.cleaned_data["as_of"],
            date_format=form.cleaned_data["date_format"] or None,
        )
    except services.IntakeError as error:
        form.add_error("file", str(error))
        return None


@login_required
def batch_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = policy.get_batch(request.user, pk)
    handles = policy.can_handle_batch(request.user, batch)
    context: dict[str, object] = {"batch": batch, "handles": bool(handles)}

    # A commit whose task ended without deciding the batch is settled first.
    committing = _progress_context(batch)
    if batch.status == BatchStatus.COMMITTING:
        context.update(committing)
    elif batch.status == BatchStatus.STAGED:
        # Counts of a staged batch are stored only once it is decided; the
        # steward, who may not see its rows, is shown the preview's counts
        # and issues instead of zeros.
        result = services.preview(batch)
        context.update(_preview_context(result))
        if handles:
            context.update(_rows_context(request, batch, result))
    else:
        if batch.linking:
            context["linking"] = services.linking_text(batch.linking)
        context["errors"] = batch.issues.get("errors", [])
        context["warnings"] = batch.issues.get("warnings", [])
        context["notices"] = batch.issues.get("notices", [])
    return render(request, "intake/batch/detail.html", context)


def _preview_context(result: services.Preview) -> dict[str, object]:
    parsed = result.parsed
    return {
        "preview": result,
        "encoding_name": ENCODING_NAMES.get(parsed.encoding, parsed.encoding),
        "counts": result.counts(),
        "errors": [issue.as_dict() for issue in result.errors],
        "warnings": [issue.as_dict() for issue in result.warnings],
        "notices": [issue.as_dict() for issue in result.notices],
    }


def _rows_context(
    request: AuthenticatedRequest, batch: RosterBatch, result: services.Preview
) -> dict[str, object]:
    """Return what only the organization's own staff see: rows and choices."""
    parsed = result.parsed
    current = {header: field.value for header, field in parsed.mapping.items()}
    mapping_form = MappingForm(
        headers=parsed.headers,
        current=current,
        initial={"date_format": batch.options.get("date_format") or ""},
    )
    return {
        "new_rows": result.new[:PREVIEW_ROWS],
        "changed_rows": [
            (row, record, [FIELD_LABELS[Field(name)] for name in fields])
            for row, record, fields in result.changed[:PREVIEW_ROWS]
        ],
        "ended": _ended_records(request, result),
        "preview_rows": PREVIEW_ROWS,
        "mapping_form": mapping_form,
        "needs_mapping": any(issue.code in MAPPING_CODES for issue in result.errors),
    }


def _ended_records(
    request: AuthenticatedRequest, result: services.Preview
) -> list[SourceRecord]:
    ids = [enrollment.source_record_id for enrollment in result.ended[:PREVIEW_ROWS]]
    records = policy.visible_source_records(request.user).filter(pk__in=ids)
    return sorted(records, key=lambda record: record.local_id_key)


@login_required
@require_POST
@_staged_only
def mapping(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = _handled_batch(request, pk)
    headers = services.preview(batch).parsed.headers
    form = MappingForm(request.POST, headers=headers, current={})
    if form.is_valid():
        services.set_reading_options(
            batch,
            date_format=form.cleaned_data["date_format"] or None,
            overrides=form.overrides(),
        )
        messages.success(request, _("The columns are read as you chose."))
    else:
        messages.error(request, _("Choose a field or “Not used” for every column."))
    return redirect("intake:batch", pk=batch.pk)


@login_required
def batch_progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The part of a committing batch's page that says how far it has come."""
    batch = policy.get_batch(request.user, pk)
    context = _progress_context(batch)
    if batch.status != BatchStatus.COMMITTING:
        # Done: the whole page now shows the outcome.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("intake:batch", args=[batch.pk])
        return response
    if bool(context["stalled_since"]) != (request.GET.get("stalled") == "1"):
        # Stalled, or moving again: the whole page says so, with its button.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "intake/batch/_progress_live.html", context)


def _progress_context(batch: RosterBatch) -> dict[str, object]:
    """Say how far a batch's commit has come, or that it seems to have stopped.

    A batch whose task ended without deciding it is marked failed here.
    """
    if batch.status != BatchStatus.COMMITTING:
        return {}
    task = None
    if batch.task_id:
        with suppress(TaskResultDoesNotExist):
            task = commit_roster.get_result(batch.task_id)
    if (task is None and batch.task_id) or (task and task.status in FINISHED):
        # Its task ended, or its record is gone: nothing will commit it now.
        services.stop_waiting(batch)
        return {}
    report = progress.read(progress_key(batch.pk))
    waiting = report is None and (task is None or task.status == TaskResultStatus.READY)
    queued = task.enqueued_at if task is not None else None
    heard = _last_heard(report, task)
    now = timezone.now()
    return {
        "batch": batch,
        "report": report,
        "waiting": waiting,
        "queued_at": queued,
        "percent": _percent(report),
        "worker_missing": waiting and (queued is None or now - queued > WORKER_GRACE),
        "stalled_since": heard
        if not waiting and heard and now - heard > STALLED_AFTER
        else None,
    }


def _last_heard(report: dict[str, object] | None, task: object) -> datetime | None:
    """Return when the worker last said anything of the commit."""
    updated = report.get("updated") if report else None
    if isinstance(updated, int | float):
        return datetime.fromtimestamp(updated, tz=UTC)
    return getattr(task, "started_at", None)


@login_required
@require_POST
def stop_waiting(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Give up a commit whose worker stopped; nothing it did had been kept."""
    batch = policy.get_batch(request.user, pk)
    decision = policy.can_handle_batch(request.user, batch)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
    context = _progress_context(batch)
    stopped = bool(context.get("stalled_since")) and services.stop_waiting(batch)
    batch.refresh_from_db()
    if stopped:
        messages.info(
            request,
            _("The roster is marked failed; nothing was changed. Send it again."),
        )
    elif batch.status != BatchStatus.COMMITTING:
        messages.info(request, _("The commit has ended; its outcome is below."))
    else:
        messages.error(
            request, _("The roster is still being committed; nothing was stopped.")
        )
    return redirect("intake:batch", pk=batch.pk)


def _percent(report: dict[str, object] | None) -> int | None:
    if not report:
        return None
    done, total = report.get("done"), report.get("total")
    if not isinstance(done, int) or not isinstance(total, int) or total <= 0:
        return None
    return min(100, done * 100 // total)


@login_required
@require_POST
@_staged_only
def commit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = _handled_batch(request, pk)
    try:
        return _commit(request, batch)
    except services.AlreadyDecided:
        # Another click committed it meanwhile.
        messages.info(request, _("This roster has already been decided."))
        return redirect("intake:batch", pk=batch.pk)


def _commit(request: AuthenticatedRequest, batch: RosterBatch) -> HttpResponse:
    if why := services.background(batch):
        services.commit_in_background(batch, request.user)
        if why == services.QUEUED:
            said = _(
                "Another roster is being committed, so this one is committed in "
                "the background after it: this page shows how far it has come. "
                "You may leave it; the outcome stays here."
            )
        else:
            said = _(
                "The roster is large, so it is committed in the background: this "
                "page shows how far it has come. You may leave it; the outcome "
                "stays here."
            )
        messages.info(request, said)
        return redirect("intake:batch", pk=batch.pk)
    outcome = services.commit(batch, request.user)
    if counts := services.linking_counts(outcome.linking):
        messages.success(
            request,
            _("The roster is committed. Linking: %(linking)s.")
            % {"linking": services.linking_text(counts)},
        )
    elif outcome.committed:
        messages.success(request, _("The roster is committed."))
    else:
        messages.error(request, _("The roster was rejected; nothing was changed."))
    return redirect("intake:batch", pk=batch.pk)


@login_required
@require_POST
@_staged_only
def discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    batch = _handled_batch(request, pk)
    services.discard(batch)
    messages.info(request, _("The roster was discarded; nothing was changed."))
    return redirect("intake:list")


def _handled_batch(request: AuthenticatedRequest, pk: int) -> RosterBatch:
    batch = policy.get_batch(request.user, pk)
    decision = policy.can_handle_batch(request.user, batch)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
    if batch.status == BatchStatus.COMMITTING:
        raise _NotStaged(batch, _("This roster is already being committed."))
    if batch.status != BatchStatus.STAGED:
        raise _NotStaged(batch, _("This roster has already been decided."))
    return batch
