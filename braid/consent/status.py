"""Where a consent stands at a given moment, from what is recorded beside it.

Nothing here writes. A consent ends at the first of: its revocation, the
event it was given until, the start of the consent that supersedes it, and
the end of its period. Read ``events`` and ``superseded_by`` with
``prefetch_related`` and ``select_related`` when listing many.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.consent.models import Consent, EventKind


class Status(models.TextChoices):
    NOT_YET = "not-yet", _("Not yet in force")
    IN_FORCE = "in-force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    EVENT_OCCURRED = "event-occurred", _("Ended: the event occurred")


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


def status(consent: Consent, at: datetime) -> Status:
    """Return where the consent stands at ``at``."""
    if at < consent.valid_from:
        return Status.NOT_YET
    for ending in endings(consent):
        if ending.at <= at:
            return ending.status
    return Status.IN_FORCE


def in_force(consent: Consent, at: datetime) -> bool:
    return status(consent, at) == Status.IN_FORCE
