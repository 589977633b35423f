from django.db import migrations
from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat


def fill(apps, schema_editor):
    # The ZIP code and birthday key now ends with the gender, as
    # braid.linkage.features.blocking_keys makes it ("" when not reported).
    SourceRecord = apps.get_model("children", "SourceRecord")
    sex = Case(When(gender="U", then=Value("")), default=F("gender"))
    SourceRecord.objects.exclude(block_zip_day="").update(
        block_zip_day=Concat(F("block_zip_day"), Value("|"), sex)
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0006_zip_keys_with_an_initial")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
