"""The one interface intake maps new source records to children through.

Intake calls ``map_new_records`` for the records a roster creates, inside
the transaction that commits it, before the records are saved; once they
are, it calls ``record_reviews`` on the summary so that the pairs left for a
person are queued in the same transaction.
"""

from collections.abc import Sequence
from datetime import datetime

from braid.children.models import SourceRecord
from braid.linkage.engine import CHUNK, MappingSummary, link_new

__all__ = ["CHUNK", "MappingSummary", "map_new_records"]


def map_new_records(
    records: Sequence[SourceRecord], *, now: datetime | None = None
) -> MappingSummary:
    """Give each unsaved record its child, creating the children it needs."""
    return link_new(records, now=now)
