"""An index of the source records each disclosure released.

A new table: the record of disclosures itself is not rebuilt, and keeps its
append-only triggers on SQLite as on PostgreSQL.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_disclosure_child_public_id"),
        ("children", "0008_dob_initials_key"),
    ]

    operations = [
        migrations.CreateModel(
            name="DisclosedRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "disclosure",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="access.disclosure",
                    ),
                ),
                (
                    "source_record",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="children.sourcerecord",
                    ),
                ),
            ],
            options={
                "verbose_name": "disclosed record",
                "verbose_name_plural": "disclosed records",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("disclosure", "source_record"),
                        name="one_index_row_per_disclosed_record",
                    )
                ],
            },
        ),
    ]
