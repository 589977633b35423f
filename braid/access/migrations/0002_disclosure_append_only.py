"""Triggers that refuse any change to the record of disclosures but additions.

The model already refuses ``save()`` of an existing entry and ``delete()``;
these triggers hold the same line in the database itself, against bulk
updates and deletes, raw SQL and other programs. The SQL lives here rather
than in the app so that the migration keeps doing what it did when it ran.

On SQLite a table rebuilt by a later migration loses its triggers (SQLite
drops them with the old table): such a migration must create them again.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

MESSAGE = "the record of disclosures is append-only"
TABLE = "access_disclosure"

# Integrity constraint violation (SQLSTATE 23000), so that Django raises an
# IntegrityError on PostgreSQL as it does for SQLite's RAISE(ABORT).
POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION access_disclosure_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Emptying an empty table loses nothing; the test runner flushes
        -- every table between transactional tests this way.
        IF TG_OP = 'TRUNCATE' AND NOT EXISTS (SELECT 1 FROM {TABLE}) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$
    """,
    f"""
    CREATE TRIGGER access_disclosure_no_change
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION access_disclosure_append_only()
    """,
    f"""
    CREATE TRIGGER access_disclosure_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION access_disclosure_append_only()
    """,
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS access_disclosure_no_truncate ON {TABLE}",
    f"DROP TRIGGER IF EXISTS access_disclosure_no_change ON {TABLE}",
    "DROP FUNCTION IF EXISTS access_disclosure_append_only()",
]

# SQLite has no TRUNCATE: a DELETE without WHERE is still a DELETE, and a
# table with a delete trigger is never emptied the quick way.
SQLITE_CREATE = [
    f"""
    CREATE TRIGGER access_disclosure_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER access_disclosure_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS access_disclosure_no_delete",
    "DROP TRIGGER IF EXISTS access_disclosure_no_update",
]

CREATE = {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE}
DROP = {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP}


def create_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in CREATE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def drop_triggers(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
