"""Keep each entry's community ID as it was at the release.

SQLite adds a column that may not be null by rebuilding the table, and the
rebuilt table has lost the append-only triggers of 0002: they are created
again after it, both ways. PostgreSQL alters the table in place and keeps
them.
"""

import importlib

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

APPEND_ONLY = importlib.import_module(
    "braid.access.migrations.0002_disclosure_append_only"
)


def guard_again(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in [*APPEND_ONLY.SQLITE_DROP, *APPEND_ONLY.SQLITE_CREATE]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_disclosure_append_only"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, guard_again, elidable=False),
        migrations.AddField(
            model_name="disclosure",
            name="child_public_id",
            field=models.CharField(
                blank=True, max_length=10, verbose_name="community ID"
            ),
        ),
        migrations.RunPython(guard_again, migrations.RunPython.noop, elidable=False),
    ]
