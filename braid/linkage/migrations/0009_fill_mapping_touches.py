from django.db import migrations


def fill(apps, schema_editor):
    # What MappingEvent.save() notes for a new change: the children records
    # moved from or to, retired or revived; the records moved and those
    # whose decisions the change withdrew or restored.
    MappingEvent = apps.get_model("linkage", "MappingEvent")
    TouchedChild = apps.get_model("linkage", "TouchedChild")
    TouchedRecord = apps.get_model("linkage", "TouchedRecord")
    # A few changes at a time: a full re-link's moves are large on their own.
    for event in MappingEvent.objects.order_by("pk").iterator(chunk_size=20):
        children = {c for _record, was, now in event.moves for c in (was, now)}
        children |= {c for pair in [*event.merged, *event.revived] for c in pair}
        records = {record for record, _was, _now in event.moves}
        decided = event.summary.get("decided_pairs", [])
        records |= {record for pair in decided for record in pair}
        TouchedChild.objects.bulk_create(
            [TouchedChild(event=event, child_id=c) for c in children if c is not None],
            batch_size=2000,
        )
        TouchedRecord.objects.bulk_create(
            [TouchedRecord(event=event, record_id=r) for r in records if r is not None],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [("linkage", "0008_mapping_touches")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
