"""Roster intake: stage a file, preview what it would change, commit or reject.

Every change of state here runs in one transaction. A batch commits whole or
not at all; its record (who, when, checksum, counts, outcome) is written
whatever the outcome, outside the transaction that may roll back.
"""

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from braid import progress
from braid.children.models import Gender, SourceRecord
from braid.children.normalize import id_key, name_key
from braid.community.models import Organization, Program
from braid.intake.models import BatchStatus, RosterBatch
from braid.intake.parsing import MAY_BE_BLANK, ParsedRoster, read_roster
from braid.intake.parsing.files import workbook_rows
from braid.intake.parsing.roster import some_lines
from braid.intake.parsing.types import Field, Issue, Row
from braid.linkage import features as linkage_features
from braid.linkage.batches import cycle_collection_paused
from braid.linkage.mapper import CHUNK, MappingSummary, compared, map_new_records
from braid.records.models import Enrollment

logger = logging.getLogger(__name__)

# Fields copied from a roster row onto the source record when their column is
# in the file. The keys used for matching follow the names.
RECORD_FIELDS = [f for f in Field if f != Field.LOCAL_ID]
NAME_KEYS = {
    Field.FIRST_NAME: "first_name_key",
    Field.MIDDLE_NAME: "middle_name_key",
    Field.LAST_NAME: "last_name_key",
}

# A roster that would end more of a program's open enrollments than this
# share, and more than ``MANY_ENDED`` of them, is more likely a partial list
# sent by mistake than the program emptying out.
MOST_ENDED = 0.5
MANY_ENDED = 10

# A staged batch keeps a file of children's personal data. Its preview is
# meant to be acted on in one sitting, and a command line import stages and
# commits in one run; a batch still staged a day later was abandoned (or
# its command killed), and its file should not stay in the database.
STALE_AFTER = timedelta(days=1)


class IntakeError(Exception):
    """A request intake cannot carry out; the message is for the user."""


class AlreadyDecided(IntakeError):
    """The batch was committed, rejected or discarded meanwhile."""


@dataclass
class Change:
    line: int
    fields: list[str]  # the record fields that change; empty for a new record


@dataclass
class Preview:
    """What committing a batch would do, computed without writing anything."""

    parsed: ParsedRoster
    errors: list[Issue] = field(default_factory=list)  # parser's and intake's
    notices: list[Issue] = field(default_factory=list)
    new: list[Row] = field(default_factory=list)
    changed: list[tuple[Row, SourceRecord, list[str]]] = field(default_factory=list)
    rejoined: list[tuple[Row, SourceRecord]] = field(default_factory=list)
    unchanged: list[tuple[Row, SourceRecord]] = field(default_factory=list)
    ended: list[Enrollment] = field(default_factory=list)
    # Rows of records already known that start an enrollment in the roster's
    # program: the rejoined ones and the changed ones not enrolled.
    joining: list[Row] = field(default_factory=list)
    open_enrollments: int = 0  # in the roster's program, before the commit
    # What a person should confirm before committing, though it is allowed.
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            # A known child who joins the roster with the same details is not
            # a change to the record; a notice says that the enrollment starts.
            "unchanged": len(self.unchanged) + len(self.rejoined),
            "ended": len(self.ended),
        }


@dataclass
class Outcome:
    batch: RosterBatch
    preview: Preview
    # How the new records were mapped to children, once committed.
    linking: MappingSummary | None = None

    @property
    def committed(self) -> bool:
        return self.batch.status == BatchStatus.COMMITTED


def stage_roster(
    *,
    user: User,
    organization: Organization,
    program: Program | None,
    filename: str,
    content: bytes,
    as_of: date | None = None,
    date_format: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> RosterBatch:
    """Keep the file in a new staged batch, ready to preview."""
    if not organization.contributes_roster:
        raise IntakeError(
            _("%(organization)s is not set up to contribute rosters; ask the steward.")
            % {"organization": organization.name}
        )
    if program is not None and program.organization_id != organization.pk:
        raise IntakeError(
            _("Program %(program)s does not belong to %(organization)s.")
            % {"program": program.slug, "organization": organization.name}
        )
    if as_of is not None and as_of > timezone.localdate():
        # Committed, such a roster would make every later one look older.
        raise IntakeError(_("A roster cannot describe a day still to come."))
    if len(content) > settings.BRAID_MAX_ROSTER_BYTES:
        raise IntakeError(
            _(
                "The file is %(size)s bytes; the largest roster accepted is "
                "%(limit)s bytes."
            )
            % {"size": len(content), "limit": settings.BRAID_MAX_ROSTER_BYTES}
        )

    discard_stale(organization)
    batch = RosterBatch.objects.create(
        organization=organization,
        program=program,
        as_of=as_of or timezone.localdate(),
        filename=filename[:255],
        checksum=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content=content,
        options={
            "date_format": date_format or None,
            "overrides": dict(overrides or {}),
        },
        uploaded_by=user,
    )
    logger.info(
        "roster batch %s staged for organization %s (%s bytes)",
        batch.pk,
        organization.slug,
        batch.size,
    )
    return batch


def set_reading_options(
    batch: RosterBatch, *, date_format: str | None, overrides: Mapping[str, str]
) -> None:
    """Change how a staged batch's file is read (the mapping step)."""
    _require_staged(batch)
    batch.options = {"date_format": date_format or None, "overrides": dict(overrides)}
    batch.save(update_fields=["options"])


def preview(batch: RosterBatch) -> Preview:
    """Read the staged file and compare it with what the database holds."""
    _require_staged(batch, BatchStatus.COMMITTING)
    parsed = read_roster(
        bytes(batch.content or b""),
        batch.filename,
        overrides=batch.options.get("overrides") or None,
        date_format=batch.options.get("date_format"),
        today=timezone.localdate(),
        as_of=batch.as_of,
    )
    result = Preview(
        parsed=parsed, errors=list(parsed.errors), notices=list(parsed.notices)
    )
    result.errors.extend(_date_errors(batch))
    result.notices.extend(_repeat_notices(batch))
    if result.ok:
        _compare(batch, parsed, result)
        result.notices.extend(_joining_notices(batch, result))
        result.warnings.extend(_ending_warnings(batch, result))
    return result


def commit(batch: RosterBatch, user: User) -> Outcome:
    """Commit a staged batch whole, or record why it was rejected.

    A batch handed to the task worker (``commit_in_background``) is committed
    by the worker through this same function.
    """
    _require_staged(batch, BatchStatus.COMMITTING)
    started = time.monotonic()
    try:
        with cycle_collection_paused(), transaction.atomic():
            # Serialize commits for one organization, so that two rosters
            # cannot both think a record is new.
            # FOR NO KEY UPDATE: rows that merely refer to the organization
            # (an upload, a consent) need not wait for the commit.
            Organization.objects.select_for_update(no_key=True).get(
                pk=batch.organization_id
            )
            # A commit of this same batch (a second click, a second worker)
            # may have ended while this one waited for the lock.
            batch.refresh_from_db()
            _require_staged(batch, BatchStatus.COMMITTING)
            progress.step(_("Reading the roster"))
            result = preview(batch)
            linking = None
            if result.ok:
                linking = _apply(batch, result, user)
                batch.linking = linking_counts(linking)
                _finish(batch, result, BatchStatus.COMMITTED)
    except AlreadyDecided:
        raise
    except BaseException as error:
        # Whatever stopped it, a worker told to stop included, the batch
        # must not be left waiting for a commit that will not come.
        stopped = not isinstance(error, Exception)
        batch.refresh_from_db()
        if batch.status in (BatchStatus.STAGED, BatchStatus.COMMITTING):
            _mark_failed(batch, reason=STOPPED if stopped else None)
        if stopped:
            logger.warning("roster batch %s stopped; nothing was changed", batch.pk)
        else:
            logger.exception("roster batch %s failed; nothing was changed", batch.pk)
        raise

    if not result.ok:
        _finish(batch, result, BatchStatus.REJECTED)
        logger.info(
            "roster batch %s rejected with %s errors", batch.pk, len(result.errors)
        )
    else:
        logger.info(
            "roster batch %s committed: %s new, %s changed, %s unchanged, %s ended "
            "in %.2f s",
            batch.pk,
            *result.counts().values(),
            time.monotonic() - started,
        )
    return Outcome(batch=batch, preview=result, linking=linking)


# Why a roster committed from a page goes to the task worker.
LARGE = "large"
QUEUED = "queued"


def background(batch: RosterBatch) -> str | None:
    """Say why committing the batch from a page should be a task, if it should.

    A large roster, so that the page need not wait for it; or one that
    would wait for another roster's commit: its organization's on
    PostgreSQL, any on SQLite, which writes one thing at a time. The rows
    are counted by the file's lines (a workbook by its used range), before
    it is read: a little over for a text field holding a line break.
    """
    if rows_estimate(batch) > settings.BRAID_BACKGROUND_ROWS:
        return LARGE
    committing = RosterBatch.objects.filter(status=BatchStatus.COMMITTING)
    if connection.vendor != "sqlite":
        committing = committing.filter(organization_id=batch.organization_id)
    return QUEUED if committing.exclude(pk=batch.pk).exists() else None


def rows_estimate(batch: RosterBatch) -> int:
    content = bytes(batch.content or b"")
    if content.startswith(b"PK"):
        return workbook_rows(content, at_most=settings.BRAID_BACKGROUND_ROWS)
    return max(content.count(b"\n") + (not content.endswith(b"\n")) - 1, 0)


def commit_in_background(batch: RosterBatch, user: User) -> None:
    """Hand a staged batch to the task worker, which commits it."""
    from braid.intake.tasks import commit_roster

    _require_staged(batch)
    with transaction.atomic():
        # Only one of two clicks at once hands the batch over.
        claimed = RosterBatch.objects.filter(
            pk=batch.pk, status=BatchStatus.STAGED
        ).update(status=BatchStatus.COMMITTING)
        if not claimed:
            batch.refresh_from_db()
            _require_staged(batch)
        # The worker writes the batch's messages in the language of the
        # person who committed it, as a commit while they wait would.
        result = commit_roster.enqueue(batch.pk, user.pk, translation.get_language())
        RosterBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))
    batch.refresh_from_db(fields=["status", "task_id"])
    logger.info("roster batch %s handed to the task worker", batch.pk)


# Why a handed-over commit did not happen, as the batch records it.
STOPPED = "commit_stopped"
NO_LONGER_ALLOWED = "no_longer_allowed"


def stop_waiting(
    batch: RosterBatch, reason: str = STOPPED, *, nowait: bool = True
) -> bool:
    """Mark failed a batch whose commit will not end; False if it still may.

    For a worker that stopped mid-commit: its transaction was rolled back,
    so nothing changed, but the batch still says Committing. A commit still
    running holds its organization's lock (on SQLite, the database's), and
    then the batch is left alone; with ``nowait`` False (the worker itself
    refusing the batch), it waits for that commit instead.
    """
    try:
        with transaction.atomic():
            Organization.objects.select_for_update(nowait=nowait, no_key=True).get(
                pk=batch.organization_id
            )
            batch.refresh_from_db()
            if batch.status != BatchStatus.COMMITTING:
                return False
            _mark_failed(batch, reason=reason)
    except DatabaseError:
        return False
    logger.info("roster batch %s marked failed: %s", batch.pk, reason)
    return True


def reject(batch: RosterBatch, result: Preview) -> None:
    """Record a staged batch as rejected after a preview found errors."""
    _require_staged(batch)
    _finish(batch, result, BatchStatus.REJECTED)


def discard(batch: RosterBatch) -> None:
    """Drop a staged batch the contributor decided not to commit."""
    _require_staged(batch)
    batch.status = BatchStatus.DISCARDED
    batch.content = None
    batch.decided_at = timezone.now()
    batch.save(update_fields=["status", "content", "decided_at"])


def discard_stale(organization: Organization) -> int:
    """Discard the organization's batches left staged past ``STALE_AFTER``."""
    now = timezone.now()
    notice = Issue(
        code="stale",
        message=_(
            "This roster was left staged, neither committed nor discarded, for "
            "more than a day, so Braid discarded it and removed its file. Send "
            "it again to commit it."
        ),
    )
    count = RosterBatch.objects.filter(
        organization=organization,
        status=BatchStatus.STAGED,
        uploaded_at__lt=now - STALE_AFTER,
    ).update(
        status=BatchStatus.DISCARDED,
        content=None,
        decided_at=now,
        issues={"errors": [], "notices": [notice.as_dict()]},
    )
    if count:
        logger.info(
            "discarded %s stale staged roster batches of organization %s",
            count,
            organization.slug,
        )
    return count


def import_roster(
    *,
    user: User,
    organization: Organization,
    program: Program | None,
    filename: str,
    content: bytes,
    as_of: date | None = None,
    date_format: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
) -> Outcome:
    """Stage, preview and commit in one go, as the command line does."""
    batch = stage_roster(
        user=user,
        organization=organization,
        program=program,
        filename=filename,
        content=content,
        as_of=as_of,
        date_format=date_format,
        overrides=overrides,
    )
    if dry_run:
        result = preview(batch)
        discard(batch)
        _record_counts(batch, result)
        batch.save()
        return Outcome(batch=batch, preview=result)
    return commit(batch, user)


def summary(outcome: Outcome) -> dict[str, Any]:
    """The outcome as the command line prints it in JSON."""
    result = outcome.preview
    return {
        "batch": outcome.batch.pk,
        "status": outcome.batch.status,
        "organization": outcome.batch.organization.slug,
        "program": outcome.batch.program.slug if outcome.batch.program else None,
        "as_of": outcome.batch.as_of.isoformat(),
        "file": outcome.batch.filename,
        "checksum": outcome.batch.checksum,
        "rows": result.parsed.row_count,
        **result.counts(),
        "errors": [issue.as_dict() for issue in result.errors],
        "warnings": [issue.as_dict() for issue in result.warnings],
        "notices": [issue.as_dict() for issue in result.notices],
        "linking": linking_counts(outcome.linking),
    }


def linking_counts(linking: MappingSummary | None) -> dict[str, Any] | None:
    """Return how a committed roster's records were linked, for JSON."""
    if linking is None:
        return None
    return {
        "linked_to_known_children": linking.linked,
        "new_children": linking.new_children,
        "relinked": linking.relinked,
        "relinked_to_another_child": linking.moved,
        "pairs_for_review": linking.review,
        "possible_duplicates": linking.duplicates,
        "seconds": round(linking.seconds, 2),
    }


def linking_text(counts: Mapping[str, Any]) -> str:
    """Say in words what ``linking_counts`` gives in numbers."""
    parts = [
        ngettext(
            "%(count)s record joined a child already known",
            "%(count)s records joined children already known",
            counts["linked_to_known_children"],
        )
        % {"count": counts["linked_to_known_children"]},
        ngettext(
            "%(count)s new child",
            "%(count)s new children",
            counts["new_children"],
        )
        % {"count": counts["new_children"]},
    ]
    if counts["relinked"]:
        moved = counts["relinked_to_another_child"]
        parts += [
            ngettext(
                "%(count)s changed record linked again",
                "%(count)s changed records linked again",
                counts["relinked"],
            )
            % {"count": counts["relinked"]},
            ngettext(
                "%(count)s record moved to another child",
                "%(count)s records moved to other children",
                moved,
            )
            % {"count": moved},
        ]
    parts += [
        ngettext(
            "%(count)s pair for review",
            "%(count)s pairs for review",
            counts["pairs_for_review"],
        )
        % {"count": counts["pairs_for_review"]},
        ngettext(
            "%(count)s possible duplicate",
            "%(count)s possible duplicates",
            counts["possible_duplicates"],
        )
        % {"count": counts["possible_duplicates"]},
    ]
    return ", ".join(parts)


def _require_staged(batch: RosterBatch, *also: BatchStatus) -> None:
    if batch.status != BatchStatus.STAGED and batch.status not in also:
        raise AlreadyDecided(
            _("Batch %(batch)s has already been decided: %(status)s.")
            % {"batch": batch.pk, "status": batch.get_status_display()}
        )


def _date_errors(batch: RosterBatch) -> list[Issue]:
    if batch.as_of > timezone.localdate():
        # Refused when staged; a batch staged before that check is caught here.
        message = _("A roster cannot describe a day still to come.")
        return [Issue(code="future_as_of", message=message)]
    return _order_errors(batch)


def _order_errors(batch: RosterBatch) -> list[Issue]:
    later = (
        _same_roster(batch)
        .filter(status=BatchStatus.COMMITTED, as_of__gt=batch.as_of)
        .order_by("-as_of")
        .first()
    )
    if later is None:
        return []
    return [
        Issue(
            code="out_of_order",
            message=_(
                "A roster as of %(later)s (batch %(batch)s) is already committed; "
                "rosters are committed in date order, so this one, as of "
                "%(as_of)s, cannot be."
            )
            % {"later": later.as_of, "batch": later.pk, "as_of": batch.as_of},
        )
    ]


def _repeat_notices(batch: RosterBatch) -> list[Issue]:
    earlier = (
        _same_roster(batch)
        .filter(status=BatchStatus.COMMITTED, checksum=batch.checksum)
        .order_by("-decided_at")
        .first()
    )
    if earlier is None:
        return []
    return [
        Issue(
            code="same_file",
            message=_(
                "This file is identical to batch %(batch)s, committed on %(when)s."
            )
            % {
                "batch": earlier.pk,
                "when": timezone.localtime(earlier.decided_at).date(),
            },
        )
    ]


def _same_roster(batch: RosterBatch) -> Any:
    return RosterBatch.objects.filter(
        organization_id=batch.organization_id, **_program_of(batch)
    ).exclude(pk=batch.pk)


def _program_of(batch: RosterBatch) -> dict[str, Any]:
    """Look up rows of the batch's program, or of the whole organization."""
    if batch.program_id is None:
        return {"program__isnull": True}
    return {"program_id": batch.program_id}


def _compare(batch: RosterBatch, parsed: ParsedRoster, result: Preview) -> None:
    in_file = set(parsed.mapping.values())
    fields = [f for f in RECORD_FIELDS if f in in_file]
    existing = _existing_records(batch.organization_id, parsed.rows)
    open_enrollments = _open_enrollments(batch)
    enrolled = {enrollment.source_record_id for enrollment in open_enrollments}

    seen: set[int] = set()
    for row in parsed.rows:
        record = existing.get(id_key(str(row.values[Field.LOCAL_ID])))
        if record is None:
            result.new.append(row)
            continue
        seen.add(record.pk)
        if record.pk not in enrolled:
            result.joining.append(row)
        differences = [
            f.value
            for f in fields
            if not _left_blank(row, f) and _stored(row, f) != getattr(record, f.value)
        ]
        if differences:
            result.changed.append((row, record, differences))
        elif record.pk not in enrolled:
            result.rejoined.append((row, record))
        else:
            result.unchanged.append((row, record))

    result.ended = [e for e in open_enrollments if e.source_record_id not in seen]
    result.open_enrollments = len(open_enrollments)


def _left_blank(row: Row, name: Field) -> bool:
    """Tell whether a row leaves blank a value a record keeps when known.

    A roster without a child's first name or date of birth says nothing new
    about them: what an earlier roster gave stays.
    """
    return name in MAY_BE_BLANK and not row.values[name]


def _joining_notices(batch: RosterBatch, result: Preview) -> list[Issue]:
    if not result.joining:
        return []
    lines = [row.line for row in result.joining]
    message = ngettext(
        "%(count)s child already known to %(organization)s joins this roster "
        "(line %(lines)s) and is enrolled from %(day)s. The record counts as "
        "changed only if its details differ.",
        "%(count)s children already known to %(organization)s join this roster "
        "(lines %(lines)s) and are enrolled from %(day)s. Their records count "
        "as changed only if their details differ.",
        len(lines),
    ) % {
        "count": len(lines),
        "organization": batch.organization.name,
        "lines": some_lines(lines),
        "day": batch.as_of.isoformat(),
    }
    return [Issue(code="joined", message=message)]


def _ending_warnings(batch: RosterBatch, result: Preview) -> list[Issue]:
    ended = len(result.ended)
    if ended <= MANY_ENDED or ended <= result.open_enrollments * MOST_ENDED:
        return []
    message = _(
        "This roster would end %(ended)s of the %(open)s open enrollments of "
        "%(program)s. Is it really the full roster of %(program)s? Every child "
        "left out of it is ended as of %(day)s; if the file lists only some of "
        "the children, do not commit it."
    ) % {
        "ended": ended,
        "open": result.open_enrollments,
        "program": batch.program.name if batch.program else batch.organization.name,
        "day": batch.as_of.isoformat(),
    }
    return [Issue(code="ends_most_enrollments", message=message)]


def _stored(row: Row, name: Field) -> Any:
    value = row.values[name]
    if name == Field.GENDER and not value:
        return Gender.UNKNOWN
    return value


def _existing_records(
    organization_id: int, rows: Sequence[Row]
) -> dict[str, SourceRecord]:
    keys = sorted({id_key(str(row.values[Field.LOCAL_ID])) for row in rows})
    found: dict[str, SourceRecord] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        for record in SourceRecord.objects.filter(
            organization_id=organization_id, local_id_key__in=chunk
        ):
            found[record.local_id_key] = record
    return found


def _open_enrollments(batch: RosterBatch) -> list[Enrollment]:
    return list(
        Enrollment.objects.filter(
            organization_id=batch.organization_id,
            end_date__isnull=True,
            **_program_of(batch),
        )
    )


def _apply(batch: RosterBatch, result: Preview, user: User) -> MappingSummary:
    now = timezone.now()
    fields = [f for f in RECORD_FIELDS if f in set(result.parsed.mapping.values())]

    updated: list[SourceRecord] = []
    relink: list[SourceRecord] = []
    for row, record, _differences in result.changed:
        before = compared(record)
        updated.append(_updated_record(record, row, fields))
        if compared(record) != before:
            relink.append(record)
    if updated:
        names = sorted({f.value for f in fields} | _key_fields(fields) | {"updated_at"})
        for record in updated:
            record.updated_at = now
        SourceRecord.objects.bulk_update(updated, names, batch_size=500)

    # The changed records are saved first, so that linking them again reads
    # their new details wherever it reads the database.
    created = [_new_record(batch, row) for row in result.new]
    mapping = map_new_records(
        created, changed=relink, now=now, user=user, batch=batch.pk
    )
    saving = _("Saving the new records")
    for start in range(0, len(created), CHUNK):
        progress.step(saving, start, len(created))
        SourceRecord.objects.bulk_create(created[start : start + CHUNK], batch_size=500)
    if created:
        progress.step(saving, len(created), len(created))
    progress.step(_("Queuing pairs for review"))
    mapping.record_reviews()
    progress.step(_("Recording enrollments"))

    enrolled_ids = {e.source_record_id for e in _open_enrollments(batch)}
    to_enroll = [r for r in created + updated if r.pk not in enrolled_ids]
    to_enroll += [record for _, record in result.rejoined]
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                organization_id=batch.organization_id,
                program_id=batch.program_id,
                source_record=record,
                start_date=batch.as_of,
                started_by=batch,
            )
            for record in to_enroll
        ],
        batch_size=500,
    )
    _end_enrollments(batch, result.ended)
    return mapping


def _new_record(batch: RosterBatch, row: Row) -> SourceRecord:
    record = SourceRecord(
        organization_id=batch.organization_id,
        local_id=str(row.values[Field.LOCAL_ID]),
        local_id_key=id_key(str(row.values[Field.LOCAL_ID])),
    )
    for name in RECORD_FIELDS:
        setattr(record, name.value, _stored(row, name))
    _set_keys(record)
    return record


def _updated_record(
    record: SourceRecord, row: Row, fields: Iterable[Field]
) -> SourceRecord:
    for name in fields:
        if not _left_blank(row, name):
            setattr(record, name.value, _stored(row, name))
    _set_keys(record)
    return record


def _set_keys(record: SourceRecord) -> None:
    for name, key in NAME_KEYS.items():
        setattr(record, key, name_key(getattr(record, name.value)))
    linkage_features.set_keys(record)


def _key_fields(fields: Iterable[Field]) -> set[str]:
    names = {NAME_KEYS[f] for f in fields if f in NAME_KEYS}
    return names | set(linkage_features.KEY_FIELDS)


def _end_enrollments(batch: RosterBatch, ended: Sequence[Enrollment]) -> None:
    ids = [enrollment.pk for enrollment in ended]
    for start in range(0, len(ids), CHUNK):
        Enrollment.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            end_date=batch.as_of, ended_by=batch
        )


def _record_counts(batch: RosterBatch, result: Preview) -> None:
    counts = result.counts()
    batch.row_count = result.parsed.row_count
    batch.new_count = counts["new"]
    batch.changed_count = counts["changed"]
    batch.unchanged_count = counts["unchanged"]
    batch.ended_count = counts["ended"]
    batch.error_count = len(result.errors)
    batch.issues = {
        "errors": [issue.as_dict() for issue in result.errors],
        "warnings": [issue.as_dict() for issue in result.warnings],
        "notices": [issue.as_dict() for issue in result.notices],
    }


def _finish(batch: RosterBatch, result: Preview, status: str) -> None:
    _record_counts(batch, result)
    batch.status = status
    batch.content = None
    batch.decided_at = timezone.now()
    batch.save()


def _mark_failed(batch: RosterBatch, *, reason: str | None = None) -> None:
    messages = {
        STOPPED: _(
            "The commit stopped before it ended (the task worker was stopped), "
            "and nothing was changed. Send the roster again to commit it."
        ),
        NO_LONGER_ALLOWED: _(
            "The person who committed this roster may no longer send the "
            "organization's rosters, so it was not committed and nothing was "
            "changed. Someone on its staff can send it again."
        ),
    }
    message = messages.get(reason or "") or _(
        "Braid failed while committing this roster and changed nothing. "
        "The operator can find the cause in the server log."
    )
    batch.status = BatchStatus.FAILED
    batch.content = None
    batch.decided_at = timezone.now()
    batch.issues = {
        "errors": [
            {
                "line": None,
                "column": None,
                "code": reason or "internal_error",
                "message": message,
            }
        ],
        "notices": [],
    }
    batch.save()
