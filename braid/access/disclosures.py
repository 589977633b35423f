"""Writing the record of disclosures, in the transaction of the release."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from braid.access.models import (
    GENESIS,
    DisclosedRecord,
    Disclosure,
    disclosed_record_ids,
)
from braid.children.models import Child
from braid.community.models import Organization

# Any constant does: it names the one lock every writer of the chain takes.
CHAIN_LOCK = 4_912_001


@dataclass(frozen=True)
class Entry:
    """One child's part of a release."""

    child_id: int
    categories: tuple[str, ...]
    purpose: str
    legal_basis: str
    level: str
    grounds: list[dict[str, Any]] = field(default_factory=list)


def record_release(
    *,
    user: User,
    organization: Organization,
    release: str,
    reference: str,
    entries: Iterable[Entry],
    at: datetime | None = None,
) -> list[Disclosure]:
    """Append one entry per child released, chained to the entries before.

    Call it inside the transaction that releases the data, so that a
    release and its record stand or fall together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("A release is recorded inside its own transaction.")
    entries = list(entries)
    public_ids = dict(
        Child.objects.filter(pk__in={entry.child_id for entry in entries})
        .order_by()
        .values_list("pk", "public_id")
    )
    _lock_chain()
    last = Disclosure.objects.order_by("-sequence").only("sequence", "hash").first()
    sequence, previous = (last.sequence, last.hash) if last else (0, GENESIS)
    at = at or timezone.now()

    written = []
    for entry in entries:
        sequence += 1
        disclosure = Disclosure(
            sequence=sequence,
            at=at,
            user=user,
            username=user.get_username(),
            organization=organization,
            child_id=entry.child_id,
            child_public_id=public_ids[entry.child_id],
            categories=sorted(entry.categories),
            purpose=entry.purpose,
            legal_basis=entry.legal_basis,
            level=entry.level,
            release=release,
            reference=_without_query(reference)[:300],
            grounds=entry.grounds,
            previous_hash=previous,
        )
        disclosure.hash = previous = disclosure.compute_hash()
        written.append(disclosure)
    Disclosure.objects.bulk_create(written)
    _index_records(written)
    return written


def _index_records(written: list[Disclosure]) -> None:
    """Note which source records each entry released, for finding it later
    by them."""
    ids = {entry.sequence: entry.pk for entry in written}
    if None in ids.values():
        # A database that cannot return the ids of rows inserted in bulk.
        ids = dict(
            Disclosure.objects.filter(sequence__in=list(ids)).values_list(
                "sequence", "pk"
            )
        )
    DisclosedRecord.objects.bulk_create(
        DisclosedRecord(disclosure_id=ids[entry.sequence], source_record_id=record)
        for entry in written
        for record in disclosed_record_ids(entry.grounds)
    )


def _without_query(reference: str) -> str:
    """Return the reference without a query string or fragment.

    A search typed into a page's address may be a child's name; the path
    says what was released.
    """
    return reference.split("?", 1)[0].split("#", 1)[0]


def _lock_chain() -> None:
    # Two releases at once would both read the same last entry and fork the
    # chain. SQLite's write transactions already queue one behind another.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
