"""Guardians and consents left on merged children move to the survivor."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("consent", "0003_consent_recording_organization_and_verification")]
AFTER = [("consent", "0004_file_under_children_in_use")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_what_merged_children_held_is_filed_under_the_child_they_lead_to():
    old = migrate(BEFORE)
    Child = old.get_model("children", "Child")
    Guardian = old.get_model("consent", "Guardian")
    Consent = old.get_model("consent", "Consent")
    now = timezone.now()
    survivor = Child.objects.create(public_id="S1")
    merged = Child.objects.create(public_id="M1", merged_into=survivor, merged_at=now)
    deeper = Child.objects.create(public_id="M2", merged_into=merged, merged_at=now)
    alone = Child.objects.create(public_id="A1")
    on_deeper = Guardian.objects.create(child=deeper, name="Pat Example")
    on_alone = Guardian.objects.create(child=alone, name="Sam Example")
    form = old.get_model("consent", "ConsentForm").objects.create(slug="f", title="F")
    version = old.get_model("consent", "FormVersion").objects.create(
        form=form,
        number=1,
        title_en="F",
        title_es="F",
        text_en="F",
        text_es="F",
        published_at=now,
    )
    user = old.get_model("auth", "User").objects.create(username="staff")
    consent = Consent.objects.create(
        child=merged,
        form_version=version,
        signer="guardian",
        valid_from=now,
        signed_at=now,
        method="paper",
        entered_by=user,
    )

    new = migrate(AFTER)

    guardians = dict(
        new.get_model("consent", "Guardian").objects.values_list("pk", "child_id")
    )
    assert guardians == {on_deeper.pk: survivor.pk, on_alone.pk: alone.pk}
    filed = new.get_model("consent", "Consent").objects.get(pk=consent.pk)
    assert filed.child_id == survivor.pk
