from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Collate, Concat, Substr


def fill(apps, schema_editor):
    # The date of birth with both initials in alphabetical order, as
    # braid.linkage.features.blocking_keys makes it. Initials may carry
    # accents: they are ordered by code point, as Python orders them, which
    # PostgreSQL does under the "C" collation and SQLite does by default.
    SourceRecord = apps.get_model("children", "SourceRecord")
    first = Substr("block_dob_first", 10)
    last = Substr("block_dob_last", 10)
    if schema_editor.connection.vendor == "postgresql":
        first, last = Collate(first, "C"), Collate(last, "C")
    records = SourceRecord.objects.exclude(block_dob_first="").exclude(
        block_dob_last=""
    )
    records = records.annotate(first_initial=first, last_initial=last)
    records.filter(first_initial__lte=F("last_initial")).update(
        block_dob_initials=Concat("block_dob_first", last)
    )
    records.filter(first_initial__gt=F("last_initial")).update(
        block_dob_initials=Concat("block_dob_last", first)
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0007_zip_day_key_with_gender")]

    operations = [
        migrations.AddField(
            model_name="sourcerecord",
            name="block_dob_initials",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
        migrations.AddIndex(
            model_name="sourcerecord",
            index=models.Index(
                fields=["block_dob_initials"], name="sourcerecord_block_di"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
