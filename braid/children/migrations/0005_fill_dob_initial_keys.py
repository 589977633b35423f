from django.db import migrations


def fill(apps, schema_editor):
    # The keys are the date of birth with the first letter of each name, as
    # braid.linkage.features.blocking_keys makes them.
    SourceRecord = apps.get_model("children", "SourceRecord")
    batch = []
    for record in SourceRecord.objects.exclude(birth_date=None).iterator(
        chunk_size=2000
    ):
        born = record.birth_date.strftime("%Y%m%d")
        first, last = record.first_name_key[:1], record.last_name_key[:1]
        record.block_dob_first = f"{born}|{first}" if first else ""
        record.block_dob_last = f"{born}|{last}" if last else ""
        batch.append(record)
        if len(batch) == 2000:
            SourceRecord.objects.bulk_update(
                batch, ["block_dob_first", "block_dob_last"]
            )
            batch = []
    SourceRecord.objects.bulk_update(batch, ["block_dob_first", "block_dob_last"])


class Migration(migrations.Migration):
    dependencies = [("children", "0004_dob_initial_blocking_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
