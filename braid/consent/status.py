"""Where a consent stands at a given moment, from what is recorded beside it.

Nothing here writes. A consent ends at the first of: its revocation, the
event it was given until, the start of the consent that supersedes it, and
the end of its period. A parent's consent that has not ended still stops
counting once a court order restricts the guardian, or once the student is
18, as the decision point has it. Read ``events``, ``guardian`` and
``superseded_by`` with ``prefetch_related`` and ``select_related`` when
listing many.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from braid.consent.models import Consent, EventKind, Signer


class Status(models.TextChoices):
    NOT_YET = "not-yet", _("Not yet in force")
    IN_FORCE = "in-force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    EVENT_OCCURRED = "event-occurred", _("Ended: the event occurred")
    GUARDIAN_RESTRICTED = (
        "guardian-restricted",
        _("No longer counts: the guardian is restricted by a court order"),
    )
    STUDENT_ADULT = "student-adult", _("No longer counts: the student is 18")


@dataclass(frozen=True)
class Ending:
    status: Status
    at: datetime


def endings(consent: Consent) -> list[Ending]:
    """Return each moment the consent ends or is set to end, earliest first."""
    found: list[Ending] = []
    for event in consent.events.all():
        if event.kind == EventKind.REVOKED:
            found.append(Ending(Status.REVOKED, event.at))
        elif event.kind == EventKind.EVENT_OCCURRED:
            found.append(Ending(Status.EVENT_OCCURRED, event.at))
    newer = superseding(consent)
    if newer is not None:
        found.append(Ending(Status.SUPERSEDED, newer.valid_from))
    if consent.valid_until is not None:
        found.append(Ending(Status.EXPIRED, consent.valid_until))
    return sorted(found, key=lambda ending: ending.at)


def superseding(consent: Consent) -> Consent | None:
    try:
        newer: Consent = consent.superseded_by
    except ObjectDoesNotExist:
        return None
    return newer


def status(consent: Consent, at: datetime, adult: date | None = None) -> Status:
    """Return where the consent stands at ``at``.

    ``adult`` is the child's 18th birthday, from the earliest date of birth
    the child's records give (see ``evaluation.adult_on``), if known.
    """
    if at < consent.valid_from:
        return Status.NOT_YET
    for ending in endings(consent):
        if ending.at <= at:
            return ending.status
    return lapse(consent, at, adult) or Status.IN_FORCE


def lapse(consent: Consent, at: datetime, adult: date | None) -> Status | None:
    """Return why a parent's consent no longer counts at ``at``, or None."""
    if consent.signer != Signer.GUARDIAN:
        return None
    restricted = consent.guardian.restricted_at if consent.guardian else None
    if restricted is not None and restricted <= at:
        return Status.GUARDIAN_RESTRICTED
    if adult is not None and timezone.localdate(at) >= adult:
        return Status.STUDENT_ADULT
    return None


def in_force(consent: Consent, at: datetime) -> bool:
    return status(consent, at) == Status.IN_FORCE
