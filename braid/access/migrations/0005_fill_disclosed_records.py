from django.db import migrations


def fill(apps, schema_editor):
    # Each item of an entry's grounds names the record it released, as
    # braid.access.decision.Answer.grounds writes it.
    Disclosure = apps.get_model("access", "Disclosure")
    DisclosedRecord = apps.get_model("access", "DisclosedRecord")
    entries = Disclosure.objects.order_by("sequence").only("pk", "grounds")
    batch = []
    for entry in entries.iterator(chunk_size=2000):
        seen = set()
        for item in entry.grounds if isinstance(entry.grounds, list) else []:
            record = item.get("record") if isinstance(item, dict) else None
            if type(record) is int and record not in seen:
                seen.add(record)
                batch.append(
                    DisclosedRecord(disclosure_id=entry.pk, source_record_id=record)
                )
        if len(batch) >= 2000:
            DisclosedRecord.objects.bulk_create(batch)
            batch = []
    DisclosedRecord.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("access", "0004_disclosed_record")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
