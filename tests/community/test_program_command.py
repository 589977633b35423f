"""`braid program add` and `braid program list`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from braid.community.models import Program
from tests.factories import OrganizationFactory


def program(*args: str) -> str:
    out = io.StringIO()
    call_command("program", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def club(db):
    return OrganizationFactory(name="Heron Club", slug="heron-club")


def test_it_adds_a_program_to_an_organization(club):
    printed = program(
        "add", "after-school", "--org", "heron-club", "--name", "After-School Club"
    )

    assert printed == "Added heron-club/after-school: After-School Club\n"
    assert program("list").splitlines() == [
        "heron-club/after-school\tAfter-School Club"
    ]


@pytest.mark.parametrize(
    ("slug", "refusal"),
    [
        ("", "The slug may not be empty"),
        ("Bad Prog", "must be lower-case letters and digits"),
        ("x" * 61, "longer than 60"),
    ],
)
def test_a_slug_that_is_not_one_is_refused(club, slug, refusal):
    with pytest.raises(CommandError, match=refusal):
        program("add", slug, "--org", "heron-club", "--name", "Club")

    assert not Program.objects.exists()


@pytest.mark.parametrize("name", ["", "  "])
def test_an_empty_name_is_refused(club, name):
    with pytest.raises(CommandError, match="The name may not be empty"):
        program("add", "club", "--org", "heron-club", "--name", name)

    assert not Program.objects.exists()


def test_a_taken_slug_is_refused(club):
    program("add", "club", "--org", "heron-club", "--name", "Club")

    with pytest.raises(CommandError, match="already has a program club"):
        program("add", "club", "--org", "heron-club", "--name", "Club again")


def test_an_unknown_organization_is_named(db):
    with pytest.raises(CommandError, match="No organization nowhere"):
        program("add", "club", "--org", "nowhere", "--name", "Club")
