"""``braid verify-disclosures`` finds entries changed, removed or inserted
behind the application's back."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from braid.access.models import Disclosure
from tests.access.released import release, run_sql, unguarded
from tests.factories import ChildFactory


@pytest.fixture
def chain(people, community) -> list[Disclosure]:
    """Five entries over two releases."""
    first = release(
        people.district_staff, community.district, [ChildFactory(), ChildFactory()]
    )
    second = release(
        people.club_staff,
        community.club,
        [ChildFactory(), ChildFactory(), ChildFactory()],
        release="export",
    )
    return first + second


def verify() -> str:
    out = StringIO()
    call_command("verify_disclosures", stdout=out)
    return out.getvalue()


def verify_broken() -> list[str]:
    out = StringIO()
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_disclosures", stdout=out)
    return out.getvalue().splitlines()


def copy_of(entry: Disclosure, **changes: object) -> Disclosure:
    """An entry as an intruder would write it: hash computed, chain ignored."""
    forged = Disclosure(
        **{
            field.attname: getattr(entry, field.attname)
            for field in Disclosure._meta.concrete_fields
            if field.attname != "id"
        }
    )
    for name, value in changes.items():
        setattr(forged, name, value)
    forged.hash = forged.compute_hash()
    return forged


def insert(entry: Disclosure) -> None:
    # The triggers let additions through: they guard changes and removals.
    entry.save()


class TestAnIntactRecord:
    def test_it_says_the_chain_is_intact(self, chain):
        out = verify()

        assert out.splitlines() == [
            "5 entries, chain intact",
            f"last entry 5, hash {chain[-1].hash}",
        ]

    def test_it_says_so_of_an_empty_record(self, db):
        assert verify() == "0 entries, chain intact\n"

    def test_it_reads_the_record_a_chunk_at_a_time(self, chain, monkeypatch):
        monkeypatch.setattr(
            "braid.access.management.commands.verify_disclosures.CHUNK", 2
        )

        assert verify().startswith("5 entries, chain intact\n")

    def test_it_is_reachable_as_braid_verify_disclosures(self, chain, capsys):
        from braid.cli import main

        main(["braid", "verify-disclosures"])

        assert "5 entries, chain intact" in capsys.readouterr().out


class TestTampering:
    def test_it_finds_an_edited_entry(self, chain):
        with unguarded():
            run_sql("UPDATE access_disclosure SET purpose = 'audit' WHERE sequence = 3")

        assert verify_broken() == [
            "entry 3: its content does not match its hash: it was changed"
        ]

    def test_it_finds_an_edit_whose_hash_was_recomputed(self, chain):
        edited = copy_of(chain[2], purpose="audit")
        with unguarded():
            run_sql(
                "UPDATE access_disclosure SET purpose = 'audit', hash = %s "
                "WHERE sequence = 3",
                [edited.hash],
            )

        assert verify_broken() == [
            "entry 4: it does not follow entry 3: an entry before it was "
            "removed, changed or inserted"
        ]

    def test_it_finds_a_removed_entry(self, chain):
        with unguarded():
            run_sql("DELETE FROM access_disclosure WHERE sequence = 2")

        assert verify_broken() == ["entry 3: entry 2 is missing: removed"]

    def test_it_finds_removed_entries_at_the_start(self, chain):
        with unguarded():
            run_sql("DELETE FROM access_disclosure WHERE sequence <= 2")

        assert verify_broken() == ["entry 3: entries 1 to 2 are missing: removed"]

    def test_it_finds_an_entry_put_in_the_place_of_another(self, chain):
        with unguarded():
            run_sql("DELETE FROM access_disclosure WHERE sequence = 3")
            insert(copy_of(chain[2], reference="/children/forged/"))

        assert verify_broken() == [
            "entry 4: it does not follow entry 3: an entry before it was "
            "removed, changed or inserted"
        ]

    def test_it_finds_an_entry_added_with_a_made_up_hash(self, chain):
        forged = copy_of(chain[4], sequence=6)
        forged.hash = "f" * 64
        insert(forged)

        assert verify_broken() == [
            "entry 6: its content does not match its hash: it was changed; "
            "it does not follow entry 5: an entry before it was removed, "
            "changed or inserted"
        ]

    def test_it_finds_an_entry_added_beyond_the_end(self, chain):
        insert(copy_of(chain[4], sequence=8, previous_hash=chain[4].hash))

        assert verify_broken() == ["entry 8: entries 6 to 7 are missing: removed"]

    def test_it_lists_every_broken_entry(self, chain):
        with unguarded():
            run_sql(
                "UPDATE access_disclosure SET level = 'aggregate' WHERE sequence = 1"
            )
            run_sql("DELETE FROM access_disclosure WHERE sequence = 4")

        assert verify_broken() == [
            "entry 1: its content does not match its hash: it was changed",
            "entry 5: entry 4 is missing: removed",
        ]


def test_it_fails_when_the_triggers_are_gone(chain):
    out = StringIO()

    with unguarded(), pytest.raises(CommandError, match="unguarded"):
        call_command("verify_disclosures", stdout=out)

    assert "is missing or disabled" in out.getvalue()
