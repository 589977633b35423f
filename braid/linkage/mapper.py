"""The one interface intake maps new source records to children through.

Intake calls ``map_new_records`` for the records a roster creates, inside
the transaction that commits it, before the records are saved, together
with the saved records whose compared details (``compared``) the roster
changed; once the new records are saved, it calls ``record_reviews`` on the
summary so that the pairs left for a person are queued in the same
transaction.
"""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User

from braid.children.models import SourceRecord
from braid.linkage.batches import CHUNK
from braid.linkage.engine import MappingSummary, compared, link_new

__all__ = ["CHUNK", "MappingSummary", "compared", "map_new_records"]


def map_new_records(
    records: Sequence[SourceRecord],
    *,
    changed: Sequence[SourceRecord] = (),
    now: datetime | None = None,
    user: User | None = None,
    batch: int | None = None,
) -> MappingSummary:
    """Give each unsaved record its child, and link changed records again."""
    return link_new(records, changed=changed, now=now, user=user, batch=batch)
