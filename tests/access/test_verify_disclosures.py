"""``braid verify-disclosures`` finds entries changed, removed or inserted
behind the application's back."""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from braid.access.models import GENESIS, Disclosure
from braid.children.models import Child
from tests.access.released import MIGRATION, release, remove, run_sql, unguarded
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
            remove("sequence = 2")

        assert verify_broken() == ["entry 3: entry 2 is missing: removed"]

    def test_it_finds_removed_entries_at_the_start(self, chain):
        with unguarded():
            remove("sequence <= 2")

        assert verify_broken() == ["entry 3: entries 1 to 2 are missing: removed"]

    def test_it_finds_an_entry_put_in_the_place_of_another(self, chain):
        with unguarded():
            remove("sequence = 3")
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
            remove("sequence = 4")

        assert verify_broken() == [
            "entry 1: its content does not match its hash: it was changed",
            "entry 5: entry 4 is missing: removed",
        ]


def test_it_fails_when_the_triggers_are_gone(chain):
    out = StringIO()

    with unguarded(), pytest.raises(CommandError, match="unguarded"):
        call_command("verify_disclosures", stdout=out)

    assert "is missing or disabled" in out.getvalue()


def set_public_id(child: Child, public_id: str) -> None:
    # Behind the application's back, as an intruder would.
    run_sql(
        "UPDATE children_child SET public_id = %s WHERE id = %s", [public_id, child.pk]
    )


class TestCommunityIds:
    def test_it_finds_community_ids_swapped_between_two_children(self, chain):
        first, second = chain[0].child, chain[1].child
        set_public_id(first, "SWAPPING00")
        set_public_id(second, first.public_id)
        set_public_id(first, second.public_id)

        assert verify_broken() == [
            f"entry 1: its child was {first.public_id} at the release and is "
            f"{second.public_id} now: community IDs were changed",
            f"entry 2: its child was {second.public_id} at the release and is "
            f"{first.public_id} now: community IDs were changed",
        ]

    def test_it_finds_the_stored_community_id_edited(self, chain):
        with unguarded():
            run_sql(
                "UPDATE access_disclosure SET child_public_id = %s WHERE sequence = 2",
                [chain[0].child_public_id],
            )

        assert verify_broken() == [
            "entry 2: its content does not match its hash: it was changed; its "
            f"child was {chain[0].child_public_id} at the release and is "
            f"{chain[1].child_public_id} now: community IDs were changed"
        ]

    def test_a_merge_since_the_release_is_no_change(self, chain):
        retired = chain[0].child
        retired.merged_into = chain[1].child
        retired.merged_at = timezone.now()
        retired.save()

        assert verify().startswith("5 entries, chain intact\n")

    def test_entries_written_before_the_community_id_was_kept_still_verify(
        self, people, community
    ):
        children = [ChildFactory(), ChildFactory()]
        previous = GENESIS
        for sequence, child in enumerate(children, start=1):
            entry = older_entry(sequence, child, people.district_staff, previous)
            entry.save()
            previous = entry.hash
        later = release(people.club_staff, community.club, [children[0]])

        assert later[0].previous_hash == previous
        assert verify().startswith("3 entries, chain intact\n")


def older_entry(sequence, child, user, previous_hash) -> Disclosure:
    """An entry as Braid wrote it before it kept the community ID."""
    entry = Disclosure(
        sequence=sequence,
        at=timezone.now(),
        user=user,
        username=user.get_username(),
        organization_id=user.memberships.get().organization_id,
        child=child,
        categories=["attendance"],
        purpose="service-coordination",
        legal_basis="consent",
        level="identifiable",
        release="page",
        reference="/children/1/",
        grounds=[],
        previous_hash=previous_hash,
    )
    # The hash as that version computed it, from the fields it had.
    content = {
        "sequence": entry.sequence,
        "at": entry.at.astimezone(UTC).isoformat(),
        "user": entry.user_id,
        "username": entry.username,
        "organization": entry.organization_id,
        "child": entry.child_id,
        "categories": entry.categories,
        "purpose": entry.purpose,
        "legal_basis": entry.legal_basis,
        "level": entry.level,
        "release": entry.release,
        "reference": entry.reference,
        "grounds": entry.grounds,
        "previous_hash": entry.previous_hash,
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    entry.hash = hashlib.sha256(text.encode()).hexdigest()
    return entry


# A trigger that keeps its name and does nothing, as an intruder would leave
# it so that a check of names alone still passes.
NO_OP = {
    "sqlite": [
        "DROP TRIGGER access_disclosure_no_update",
        "CREATE TRIGGER access_disclosure_no_update BEFORE UPDATE ON "
        "access_disclosure WHEN 0 BEGIN SELECT 1; END",
    ],
    "postgresql": [
        "DROP TRIGGER access_disclosure_no_change ON access_disclosure",
        "CREATE TRIGGER access_disclosure_no_change BEFORE UPDATE OR DELETE ON "
        "access_disclosure FOR EACH ROW WHEN (false) "
        "EXECUTE FUNCTION access_disclosure_append_only()",
    ],
}
NO_OP_NAME = {
    "sqlite": "access_disclosure_no_update",
    "postgresql": "access_disclosure_no_change",
}


@contextmanager
def tampered(statements: list[str]) -> Iterator[None]:
    """Run the statements, then put the migration's triggers back."""
    for statement in statements:
        run_sql(statement)
    try:
        yield
    finally:
        for statement in MIGRATION.DROP[connection.vendor]:
            run_sql(statement)
        for statement in MIGRATION.CREATE[connection.vendor]:
            run_sql(statement)


def verify_unguarded() -> list[str]:
    out = StringIO()
    with pytest.raises(CommandError, match="chain intact, but unguarded"):
        call_command("verify_disclosures", stdout=out)
    return out.getvalue().splitlines()


class TestChangedTriggers:
    def test_it_finds_a_trigger_replaced_by_a_same_named_no_op(self, chain):
        with tampered(NO_OP[connection.vendor]):
            out = verify_unguarded()

        assert out == [
            f"the trigger {NO_OP_NAME[connection.vendor]} is not the one the "
            "migration creates: its definition or its function was changed, and "
            "the database may no longer refuse changes to the record"
        ]

    @pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite triggers run no function"
    )
    def test_it_finds_the_triggers_function_replaced(self, chain):
        let_through = (
            "CREATE OR REPLACE FUNCTION access_disclosure_append_only() "
            "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; $$"
        )

        with tampered([let_through]):
            out = verify_unguarded()

        assert [line.split(" is ")[0] for line in out] == [
            "the trigger access_disclosure_no_change",
            "the trigger access_disclosure_no_truncate",
        ]

    def test_triggers_made_again_as_the_migration_makes_them_pass(self, chain):
        with unguarded():
            pass

        assert verify().startswith("5 entries, chain intact\n")

    def test_a_missing_trigger_is_named_once(self, chain):
        name = NO_OP_NAME[connection.vendor]
        drop = NO_OP[connection.vendor][0]

        with tampered([drop]):
            out = verify_unguarded()

        assert out == [
            f"the trigger {name} is missing or disabled: the database no longer "
            "refuses changes to the record"
        ]
