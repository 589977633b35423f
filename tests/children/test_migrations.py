"""Migrations that recompute stored linkage keys give what new records get."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from braid.linkage import features

BEFORE = [("children", "0007_zip_day_key_with_gender")]
AFTER = [("children", "0008_dob_initials_key")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_dob_initials_key_is_filled_as_new_records_get_it():
    old = migrate(BEFORE)
    Organization = old.get_model("community", "Organization")
    Child = old.get_model("children", "Child")
    SourceRecord = old.get_model("children", "SourceRecord")
    organization = Organization.objects.create(slug="school", name="School")
    names = [
        ("ava", "okafor", date(2015, 3, 7)),
        ("zoe", "adams", date(2016, 1, 2)),
        ("émile", "durand", date(2014, 5, 6)),  # an accented initial
        ("", "nguyen", date(2014, 5, 6)),  # no first name: no key
        ("liam", "ortiz", None),  # no date of birth: no key
    ]
    for n, (first, last, born) in enumerate(names):
        keys = features.blocking_keys(first, last, born, "")
        SourceRecord.objects.create(
            organization=organization,
            local_id=str(n),
            local_id_key=str(n),
            first_name_key=first,
            last_name_key=last,
            birth_date=born,
            block_dob_first=keys.dob_first,
            block_dob_last=keys.dob_last,
            child=Child.objects.create(),
            linked_at=timezone.now(),
        )

    new = migrate(AFTER)
    stored = dict(
        new.get_model("children", "SourceRecord").objects.values_list(
            "local_id", "block_dob_initials"
        )
    )
    expected = {
        str(n): features.blocking_keys(first, last, born, "").dob_initials
        for n, (first, last, born) in enumerate(names)
    }
    assert stored == expected
    assert stored["0"] == "20150307|ao"
    assert stored["1"] == "20160102|az"
    assert stored["3"] == ""
