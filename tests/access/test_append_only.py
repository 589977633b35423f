"""The record of disclosures only grows: the model and the database refuse
any change or removal, and entries written one after another chain."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from braid.access.disclosures import record_release
from braid.access.management.commands.verify_disclosures import (
    changed_triggers,
    missing_triggers,
)
from braid.access.models import GENESIS, Disclosure
from tests.access.released import release, run_sql, unguarded
from tests.factories import ChildFactory

REFUSAL = "append-only"


@pytest.fixture
def entries(people, community) -> list[Disclosure]:
    children = [ChildFactory(), ChildFactory(), ChildFactory()]
    return release(people.district_staff, community.district, children)


def refused(sql: str, params: list[object] | None = None) -> str:
    """Run the statement and return the database's refusal."""
    # The savepoint keeps PostgreSQL's transaction usable after the error.
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        run_sql(sql, params)
    return str(raised.value)


class TestTheDatabase:
    def test_the_test_database_has_the_triggers(self, db):
        assert missing_triggers() == set()

    def test_it_refuses_an_update_by_sql(self, entries):
        message = refused(
            "UPDATE access_disclosure SET purpose = 'audit' WHERE id = %s",
            [entries[0].pk],
        )

        assert REFUSAL in message
        assert Disclosure.objects.get(pk=entries[0].pk).purpose == entries[0].purpose

    def test_it_refuses_a_delete_by_sql(self, entries):
        message = refused(
            "DELETE FROM access_disclosure WHERE id = %s", [entries[1].pk]
        )

        assert REFUSAL in message
        assert Disclosure.objects.count() == 3

    def test_it_refuses_to_empty_the_table(self, entries):
        statement = "DELETE FROM access_disclosure"
        if connection.vendor == "postgresql":
            # PostgreSQL truncates no table with foreign key checks still
            # pending in the transaction, as the test's inserts left them.
            run_sql("SET CONSTRAINTS ALL IMMEDIATE")
            # The index of disclosed records refers to the entries: a table
            # another refers to is truncated only with it.
            statement = "TRUNCATE access_disclosedrecord, access_disclosure"

        assert REFUSAL in refused(statement)
        assert Disclosure.objects.count() == 3

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite has no TRUNCATE"
    )
    def test_it_lets_an_empty_table_be_truncated_as_the_test_runner_does(self, db):
        run_sql("TRUNCATE access_disclosedrecord, access_disclosure")

        assert Disclosure.objects.count() == 0

    def test_it_refuses_an_update_of_many_entries_by_the_orm(self, entries):
        with pytest.raises(IntegrityError), transaction.atomic():
            Disclosure.objects.update(purpose="audit")

        assert set(Disclosure.objects.values_list("purpose", flat=True)) == {
            "service-coordination"
        }

    def test_it_refuses_a_delete_of_many_entries_by_the_orm(self, entries):
        with pytest.raises(IntegrityError), transaction.atomic():
            Disclosure.objects.all().delete()

        assert Disclosure.objects.count() == 3

    def test_it_takes_new_entries_while_it_refuses_changes(self, entries, people):
        more = release(people.club_staff, entries[0].organization, [entries[0].child])

        assert more[0].sequence == 4

    def test_the_triggers_are_the_ones_the_migration_creates(self, db):
        assert changed_triggers() == set()

    def test_the_reverse_migration_drops_the_triggers(self, db):
        with unguarded():
            assert missing_triggers()

        assert missing_triggers() == set()


# SQLite rebuilds the table to add the community ID's column, which drops
# the triggers; migration 0003 makes them again, going either way.
@pytest.mark.django_db(transaction=True)
def test_the_triggers_outlive_the_migration_that_adds_the_community_id():
    quietly = {"verbosity": 0, "stdout": StringIO()}
    try:
        call_command("migrate", "access", "0002", **quietly)
        assert (missing_triggers(), changed_triggers()) == (set(), set())
    finally:
        call_command("migrate", "access", **quietly)

    assert (missing_triggers(), changed_triggers()) == (set(), set())


class TestTheModel:
    def test_it_refuses_to_save_an_existing_entry(self, entries):
        entry = Disclosure.objects.get(pk=entries[0].pk)
        entry.purpose = "audit"

        with pytest.raises(ValidationError, match=REFUSAL):
            entry.save()
        assert Disclosure.objects.get(pk=entry.pk).purpose == "service-coordination"

    def test_it_refuses_to_delete_an_entry(self, entries):
        with pytest.raises(ValidationError, match=REFUSAL):
            Disclosure.objects.get(pk=entries[0].pk).delete()

        assert Disclosure.objects.count() == 3


class TestWriting:
    def test_two_releases_in_turn_make_one_chain(self, people, community):
        first = release(people.district_staff, community.district, [ChildFactory()])
        second = release(
            people.club_staff, community.club, [ChildFactory(), ChildFactory()]
        )

        chain = list(Disclosure.objects.order_by("sequence"))
        assert [e.sequence for e in chain] == [1, 2, 3]
        assert chain[0].previous_hash == GENESIS
        assert chain[1].previous_hash == first[0].hash
        assert chain[2].previous_hash == second[0].hash
        assert all(e.hash == e.compute_hash() for e in chain)

    def test_it_records_one_entry_per_child_in_one_release(self, people, community):
        children = [ChildFactory(), ChildFactory()]

        written = release(people.district_staff, community.district, children)

        assert [e.child_id for e in written] == [c.pk for c in children]
        assert {e.at for e in written} == {written[0].at}

    def test_each_entry_keeps_the_childs_community_id(self, people, community):
        children = [ChildFactory(), ChildFactory()]

        written = release(people.district_staff, community.district, children)

        stored = Disclosure.objects.order_by("sequence")
        assert [e.child_public_id for e in stored] == [c.public_id for c in children]
        assert [e.child_public_id for e in written] == [c.public_id for c in children]
        assert all(e.hash == e.compute_hash() for e in stored)

    def test_the_hash_covers_the_community_id(self, people, community):
        entry = release(people.district_staff, community.district, [ChildFactory()])[0]

        entry.child_public_id = "Z" * 10

        assert entry.compute_hash() != entry.hash

    @pytest.mark.parametrize(
        "reference,kept",
        [
            (
                "/children/AB12CD34EF/?purpose=service-coordination",
                "/children/AB12CD34EF/",
            ),
            ("/children/?q=Jane+Doe&page=2", "/children/"),
            ("/children/AB12CD34EF/#attendance", "/children/AB12CD34EF/"),
            (
                "export service-coordination,identifiable,attendance",
                "export service-coordination,identifiable,attendance",
            ),
        ],
    )
    def test_the_reference_keeps_the_path_without_its_query_string(
        self, people, community, reference, kept
    ):
        release(
            people.district_staff,
            community.district,
            [ChildFactory()],
            reference=reference,
        )

        assert Disclosure.objects.get().reference == kept

    # Without the test's own transaction: the caller forgot to open one.
    @pytest.mark.django_db(transaction=True)
    def test_it_will_not_record_outside_a_transaction(self, people, community):
        with pytest.raises(RuntimeError, match="transaction"):
            record_release(
                user=people.district_staff,
                organization=community.district,
                release="page",
                reference="/children/1/",
                entries=[],
            )

        assert Disclosure.objects.count() == 0
