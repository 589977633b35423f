"""The ``braid`` console command: Django's management commands, renamed."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, accepting hyphenated names."""
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        # Commands are Python modules, so their names use underscores; people
        # type ``braid import-roster`` as the documentation spells it.
        args[1] = args[1].replace("-", "_")
    args[0] = "braid"

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        # Django would report a bad setting as a traceback from deep inside
        # its own start-up; the message alone says what to fix.
        settings.INSTALLED_APPS  # noqa: B018
    except ImproperlyConfigured as error:
        sys.exit(f"braid: {error}")

    try:
        execute_from_command_line(args)
    except DatabaseError:
        problem = _unreachable_database() or _unmigrated_database()
        if problem is None:
            raise
        sys.exit(f"braid: {problem}")


def _unreachable_database() -> str | None:
    """Say why the database cannot be connected to, else None."""
    from django.db import OperationalError, connection
    from django.utils.translation import gettext as _

    connection.close()
    try:
        connection.ensure_connection()
    except OperationalError as error:
        return _("Cannot connect to the database at %(where)s: %(reason)s.") % {
            "where": _database_description(),
            "reason": _reason(error),
        }
    return None


def _reason(error: Exception) -> str:
    """Return the server's own reason from a failed connection's message."""
    # libpq says where it tried before why it failed ("connection to server
    # at …, port … failed: FATAL:  database "x" does not exist"), and adds
    # hints on further lines; the reason is the part that differs.
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    reason = first_line.rpartition("failed:")[2].strip()
    reason = reason.removeprefix("FATAL:").strip()
    return " ".join(reason.split()).rstrip(".") or type(error).__name__


def _unmigrated_database() -> str | None:
    """Say what to do when the database lacks Braid's tables, else None."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _

    # The failed statement may have left the connection unusable (PostgreSQL
    # refuses everything in an aborted transaction): start a fresh one.
    connection.close()
    try:
        tables = connection.introspection.table_names()
    except DatabaseError:
        return None
    if not tables:
        return _(
            "The database at %(where)s has no tables yet: run `braid migrate` (or "
            "`make demo`), or set BRAID_DATA_DIR (or DATABASE_URL) to the data "
            "you meant, e.g. `export BRAID_DATA_DIR=$PWD/var` for the demo's."
        ) % {"where": _database_description()}

    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        # Whatever stops the migrations from being read, the original error
        # says more than this one would.
        return None
    if not pending:
        return None
    return _(
        "The database at %(where)s lacks the tables of migrations not applied "
        "yet: run `braid migrate`."
    ) % {"where": _database_description()}


def _database_description() -> str:
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(database["NAME"])
    # The user name and password stay out of what is printed.
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{connection.vendor}://{host}{port}/{database['NAME']}"


if __name__ == "__main__":
    main()
