"""File each guardian and consent under the child its merged child leads to.

From this version on a merge hands what the retired child held to the child
it leads to; what earlier merges left behind moves there now, so that the
consent pages, which show a child's own, show them all.
"""

from django.db import migrations


def file_under_survivors(apps, schema_editor):
    Child = apps.get_model("children", "Child")
    merged = dict(
        Child.objects.filter(merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )

    def survivor(child_id):
        while child_id in merged:
            child_id = merged[child_id]
        return child_id

    for name in ("Guardian", "Consent"):
        model = apps.get_model("consent", name)
        # Guardians and consents are far fewer than merged children.
        held = model.objects.values_list("pk", "child_id")
        for pk, child_id in list(held.iterator()):
            if child_id in merged:
                model.objects.filter(pk=pk).update(child_id=survivor(child_id))


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0003_consent_recording_organization_and_verification"),
        ("children", "0008_dob_initials_key"),
    ]

    operations = [
        migrations.RunPython(file_under_survivors, migrations.RunPython.noop),
    ]
