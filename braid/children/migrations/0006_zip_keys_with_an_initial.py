from django.db import migrations

FIELDS = ["block_zip_first", "block_zip_last"]


def fill(apps, schema_editor):
    # The ZIP code and name keys now carry the other name's initial, as
    # braid.linkage.features.blocking_keys makes them.
    SourceRecord = apps.get_model("children", "SourceRecord")
    batch = []
    for record in SourceRecord.objects.exclude(zip_code="").iterator(chunk_size=2000):
        zip5, first, last = (
            record.zip_code[:5],
            record.first_name_key,
            record.last_name_key,
        )
        record.block_zip_first = f"{zip5}|{first[:3]}|{last[:1]}" if first else ""
        record.block_zip_last = f"{zip5}|{last[:3]}|{first[:1]}" if last else ""
        batch.append(record)
        if len(batch) == 2000:
            SourceRecord.objects.bulk_update(batch, FIELDS)
            batch = []
    SourceRecord.objects.bulk_update(batch, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("children", "0005_fill_dob_initial_keys")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
