"""`braid org add` and `braid org list`."""

import io

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
