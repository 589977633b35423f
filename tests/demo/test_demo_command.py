"""`braid demo`: the synthetic community, set up through intake."""

import io

import pytest
from django.core.management import call_command

from braid.children.models import Child, SourceRecord
from braid.community.models import Organization
from braid.demo.generator import build_community
from braid.demo.setup import DEMO_PEOPLE
from braid.intake.models import BatchStatus, RosterBatch


@pytest.mark.django_db
def test_it_sets_up_the_community_through_intake_and_prints_logins(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = io.StringIO()

    call_command("demo", "--no-serve", stdout=out)

    kinds = sorted(Organization.objects.values_list("kind", flat=True))
    programs = ["community-program"] * 3
    assert kinds == sorted(
        ["other", "school-district", "city-service", "funder", *programs]
    )
    assert Organization.objects.get(is_backbone=True).slug == "riverbend-alliance"
    assert set(RosterBatch.objects.values_list("status", flat=True)) == {
        BatchStatus.COMMITTED
    }
    assert RosterBatch.objects.count() == 6
    # Exact mapping misses nicknames and typos, so it finds at least as many
    # children as were generated, and never fewer.
    children = Child.objects.count()
    people = build_community(2026).people
    assert people <= children <= people * 1.2
    # Some children are known to several organizations: that is the mapping.
    assert SourceRecord.objects.count() > children

    printed = out.getvalue()
    for username, *_ in DEMO_PEOPLE:
        assert username in printed
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_running_it_again_keeps_the_community(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    call_command("demo", "--no-serve", stdout=io.StringIO())
    children = Child.objects.count()

    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)

    assert "already set up" in out.getvalue()
    assert Child.objects.count() == children
