"""``braid verify-disclosures``: check that no entry was changed or removed."""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from braid.access.models import GENESIS, Disclosure

# Read this many entries at a time, so that memory stays the same however
# long the record grows.
CHUNK = 2000
# The triggers of migration access 0002, which refuse changes and removals.
TRIGGERS = {
    "postgresql": {"access_disclosure_no_change", "access_disclosure_no_truncate"},
    "sqlite": {"access_disclosure_no_update", "access_disclosure_no_delete"},
}


class Command(BaseCommand):
    help = (
        "Walk the record of disclosures in order, recompute each entry's hash "
        "and check each link to the entry before; report what was changed, "
        "removed or inserted."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        problems = 0
        last: Disclosure | None = None
        for entry, problem in check_chain():
            count += 1
            if problem:
                problems += 1
                self.stdout.write(f"entry {entry.sequence}: {problem}")
            last = entry

        missing = missing_triggers()
        for name in sorted(missing):
            self.stdout.write(
                f"the trigger {name} is missing or disabled: the database no "
                "longer refuses changes to the record"
            )
        if problems:
            raise CommandError(
                f"{count} entries, {problems} broken: the record was changed "
                "behind the application's back."
            )
        if missing:
            raise CommandError(f"{count} entries, chain intact, but unguarded.")

        noun = "entry" if count == 1 else "entries"
        self.stdout.write(f"{count} {noun}, chain intact")
        if last is not None:
            # Removing the newest entries leaves a chain that still holds;
            # a copy of its end kept elsewhere shows that.
            self.stdout.write(f"last entry {last.sequence}, hash {last.hash}")


def check_chain() -> Iterator[tuple[Disclosure, str]]:
    """Yield each entry in order with what is wrong with it, or ''."""
    expected_sequence, expected_previous = 1, GENESIS
    entries = Disclosure.objects.order_by("sequence").iterator(chunk_size=CHUNK)
    for entry in entries:
        yield entry, _problem(entry, expected_sequence, expected_previous)
        expected_sequence, expected_previous = entry.sequence + 1, entry.hash


def _problem(entry: Disclosure, sequence: int, previous: str) -> str:
    found = []
    if entry.compute_hash() != entry.hash:
        found.append("its content does not match its hash: it was changed")
    if entry.sequence > sequence:
        missing = (
            f"entry {sequence} is"
            if entry.sequence == sequence + 1
            else f"entries {sequence} to {entry.sequence - 1} are"
        )
        found.append(f"{missing} missing: removed")
    elif entry.previous_hash != previous:
        before = "the start of the chain" if sequence == 1 else f"entry {sequence - 1}"
        found.append(
            f"it does not follow {before}: an entry before it was removed, "
            "changed or inserted"
        )
    return "; ".join(found)


def missing_triggers() -> set[str]:
    """Return the append-only triggers the database lacks or has disabled."""
    wanted = TRIGGERS.get(connection.vendor)
    if wanted is None:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'access_disclosure'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger "
                "WHERE tgrelid = 'access_disclosure'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {row[0] for row in cursor.fetchall()}
    return wanted - present
