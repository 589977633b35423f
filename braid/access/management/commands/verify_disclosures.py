"""``braid verify-disclosures``: check that no entry was changed or removed."""

import importlib
import re
from collections.abc import Iterator
from typing import Any

from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F

from braid import commands
from braid.access.models import GENESIS, Disclosure

# Read this many entries at a time, so that memory stays the same however
# long the record grows.
CHUNK = 2000
# The triggers of migration access 0002, which refuse changes and removals.
TRIGGERS = {
    "postgresql": {"access_disclosure_no_change", "access_disclosure_no_truncate"},
    "sqlite": {"access_disclosure_no_update", "access_disclosure_no_delete"},
}
APPEND_ONLY = importlib.import_module(
    "braid.access.migrations.0002_disclosure_append_only"
)
TABLE = APPEND_ONLY.TABLE
# PostgreSQL's own rendering (pg_get_triggerdef) of the triggers 0002 creates,
# the table's schema left out.
POSTGRESQL_TRIGGERS = {
    "access_disclosure_no_change": (
        f"CREATE TRIGGER access_disclosure_no_change BEFORE DELETE OR UPDATE "
        f"ON {TABLE} FOR EACH ROW EXECUTE FUNCTION access_disclosure_append_only()"
    ),
    "access_disclosure_no_truncate": (
        f"CREATE TRIGGER access_disclosure_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_disclosure_append_only()"
    ),
}


class Command(commands.Command):
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
        changed = changed_triggers() - missing
        for name in sorted(changed):
            self.stdout.write(
                f"the trigger {name} is not the one the migration creates: its "
                "definition or its function was changed, and the database may "
                "no longer refuse changes to the record"
            )
        if problems:
            raise CommandError(
                f"{count} entries, {problems} broken: the record was changed "
                "behind the application's back."
            )
        if missing or changed:
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
    entries = (
        Disclosure.objects.order_by("sequence")
        .annotate(public_id_now=F("child__public_id"))
        .iterator(chunk_size=CHUNK)
    )
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
    # A merge leaves the child's own row, and so its ID, as it was: only an
    # ID moved to another child differs.
    now = getattr(entry, "public_id_now", entry.child_public_id)
    if entry.child_public_id and entry.child_public_id != now:
        found.append(
            f"its child was {entry.child_public_id} at the release and is {now} "
            "now: community IDs were changed"
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


def changed_triggers() -> set[str]:
    """Return the append-only triggers whose definition is not 0002's."""
    if connection.vendor == "sqlite":
        expected = {
            _trigger_name(statement): _words(statement)
            for statement in APPEND_ONLY.SQLITE_CREATE
        }
        present = _sqlite_triggers()
    elif connection.vendor == "postgresql":
        body = _words(APPEND_ONLY.POSTGRESQL_CREATE[0].split("$$")[1])
        expected = {
            name: f"{definition} {body}"
            for name, definition in POSTGRESQL_TRIGGERS.items()
        }
        present = _postgresql_triggers()
    else:
        return set()
    return {
        name
        for name, definition in present.items()
        if name in expected and definition != expected[name]
    }


def _sqlite_triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = %s",
            [TABLE],
        )
        return {name: _words(sql) for name, sql in cursor.fetchall()}


def _postgresql_triggers() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname, pg_get_triggerdef(t.oid), p.prosrc "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal",
            [TABLE],
        )
        rows = cursor.fetchall()
    # Older servers say PROCEDURE for FUNCTION, and every server names the
    # table with its schema.
    return {
        name: _words(
            re.sub(r" ON \S+\.", " ON ", definition).replace(
                "EXECUTE PROCEDURE", "EXECUTE FUNCTION"
            )
        )
        + " "
        + _words(source)
        for name, definition, source in rows
    }


def _trigger_name(statement: str) -> str:
    return statement.split()[2]


def _words(text: str) -> str:
    return " ".join(text.split())
