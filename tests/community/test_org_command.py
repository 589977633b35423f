"""`braid org add` and `braid org list`."""

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from braid.community.models import Organization


def org(*args: str) -> str:
    out = io.StringIO()
    call_command("org", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_adds_an_organization_with_its_kind_and_contributions():
    org(
        "add",
        "heron-club",
        "--name",
        "Heron Club",
        "--kind",
        "community-program",
        "--contributes",
        "roster",
        "--contributes",
        "direct",
    )

    added = Organization.objects.get(slug="heron-club")
    assert (added.name, added.kind) == ("Heron Club", "community-program")
    assert (added.contributes_roster, added.contributes_direct) == (True, True)
    assert not added.contributes_pass_through
    assert not added.uses_data


@pytest.mark.django_db
def test_it_lists_organizations_with_what_they_do():
    org("add", "fund", "--name", "Fund", "--kind", "funder", "--uses-data")
    org("add", "alliance", "--name", "Alliance", "--kind", "other", "--backbone")

    assert org("list").splitlines() == [
        "alliance\tAlliance\tother, backbone",
        "fund\tFund\tfunder, uses data",
    ]


@pytest.mark.django_db
def test_a_second_backbone_is_refused():
    org("add", "alliance", "--name", "Alliance", "--kind", "other", "--backbone")

    with pytest.raises(CommandError, match="already has a backbone"):
        org("add", "other", "--name", "Other", "--kind", "other", "--backbone")


@pytest.mark.django_db
def test_a_taken_slug_is_refused():
    org("add", "fund", "--name", "Fund", "--kind", "funder")

    with pytest.raises(CommandError, match="already exists"):
        org("add", "fund", "--name", "Fund again", "--kind", "funder")


@pytest.mark.django_db
def test_an_unknown_kind_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'church'"):
        org("add", "x", "--name", "X", "--kind", "church")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "refusal"),
    [
        ("", "may not be empty"),
        ("Heron Club", "must be lower-case letters and digits"),
        ("heron club", "must be lower-case letters and digits"),
        ("x" * 61, "longer than 60"),
        ("x--", "single hyphens between them"),
        ("heron--club", "single hyphens between them"),
        ("heron-", "none at the start or the end"),
        ("heron_club", "must be lower-case letters and digits"),
        ("héron", "must be lower-case letters and digits"),
    ],
)
def test_a_slug_that_is_not_one_is_refused(slug, refusal):
    with pytest.raises(CommandError, match=refusal):
        org("add", slug, "--name", "Heron Club", "--kind", "other")

    assert not Organization.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_refused(name):
    with pytest.raises(CommandError, match="The name may not be empty"):
        org("add", "heron", "--name", name, "--kind", "other")

    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_name_is_kept_without_the_spaces_around_it():
    org("add", "heron", "--name", "  Heron Club ", "--kind", "other")

    assert Organization.objects.get().name == "Heron Club"


def test_it_says_in_one_line_when_the_database_has_no_tables_yet(tmp_path):
    env = {**os.environ, "BRAID_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "braid.cli", "org", "list"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert f"The database at {tmp_path / 'braid.sqlite3'} has no tables yet" in (
        result.stderr
    )
    assert "run `braid migrate`" in result.stderr
    assert "BRAID_DATA_DIR" in result.stderr
