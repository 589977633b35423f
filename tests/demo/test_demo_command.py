"""`braid demo`: the synthetic community, set up through intake."""

import dataclasses
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from braid.access import release
from braid.access.models import Disclosure
from braid.children.models import Child, SourceRecord
from braid.community.models import Organization, OrganizationKind
from braid.consent.models import Consent
from braid.demo.generator import build_community
from braid.demo.management.commands import demo
from braid.demo.setup import DEMO_PEOPLE
from braid.intake import services
from braid.intake.models import BatchStatus, RosterBatch


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def logins_of(printed: str) -> dict[str, str]:
    """Return each demo username's password, as the demo printed them."""
    found = {}
    for line in printed.splitlines():
        words = line.split()
        for username, *_ in DEMO_PEOPLE:
            if len(words) >= 2 and words[-2] == username:
                found[username] = words[-1]
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def small_demo(settings, tmp_path, monkeypatch, community):
    """The demo with two of its smaller rosters, for what takes no more."""
    settings.DATA_DIR = tmp_path
    small = dataclasses.replace(community, rosters=community.rosters[2:4])
    monkeypatch.setattr(demo, "build_community", lambda seed: small)
    return small


@pytest.fixture
def served(monkeypatch):
    """Record where the demo would serve instead of serving."""
    addresses = []
    real = demo.call_command

    def call(name, *args, **options):
        if name == "runserver":
            addresses.append(args[0])
            return None
        return real(name, *args, **options)

    @contextmanager
    def worker():
        addresses.append("worker started")
        yield
        addresses.append("worker stopped")

    monkeypatch.setattr(demo, "call_command", call)
    monkeypatch.setattr(demo, "_task_worker", worker)
    return addresses


@pytest.mark.django_db
def test_it_sets_up_the_community_through_intake_and_prints_logins(settings, tmp_path):
    settings.DATA_DIR = tmp_path

    printed = run_demo("--no-serve")

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

    # Sharing: the district's records reach the club under consent, and
    # each such view is a disclosure.
    assert "Data-sharing: 2 agreements" in printed
    club_staff = User.objects.get(username="club-staff")
    consented = Consent.objects.filter(events=None).values_list("child", flat=True)
    shown = [
        release.view_child(club_staff, child, "service-coordination", "test")
        for child in Child.objects.filter(pk__in=list(consented[:10]))
    ]
    crossing = [v for v in shown if v and any(not r.own for r in v.records)]
    assert crossing
    assert Disclosure.objects.count() == len(crossing)

    passwords = logins_of(printed)
    assert sorted(passwords) == sorted(username for username, *_ in DEMO_PEOPLE)
    assert authenticate(username="steward", password=passwords["steward"])
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_running_it_again_keeps_the_community_and_prints_the_same_logins(small_demo):
    first = run_demo("--no-serve")
    children = Child.objects.count()

    again = run_demo("--no-serve")

    assert "already set up" in again
    assert Child.objects.count() == children
    assert RosterBatch.objects.count() == 2
    assert logins_of(again) == logins_of(first)


@pytest.mark.django_db
def test_an_interrupted_import_is_finished_on_the_next_run(small_demo, monkeypatch):
    real_import = services.import_roster

    def killed_on_the_second_roster(**kwargs):
        if RosterBatch.objects.exists():
            # As a kill part-way through the commit leaves it: staged.
            kwargs.pop("dry_run", None)
            services.stage_roster(**kwargs)
            raise KeyboardInterrupt
        return real_import(**kwargs)

    monkeypatch.setattr(services, "import_roster", killed_on_the_second_roster)
    with pytest.raises(KeyboardInterrupt):
        run_demo("--no-serve")
    monkeypatch.setattr(services, "import_roster", real_import)
    assert RosterBatch.objects.filter(status=BatchStatus.STAGED).count() == 1

    printed = run_demo("--no-serve")

    assert "was not finished" in printed
    assert "already set up" not in printed
    statuses = sorted(RosterBatch.objects.values_list("status", flat=True))
    assert statuses == [
        BatchStatus.COMMITTED,
        BatchStatus.COMMITTED,
        BatchStatus.DISCARDED,
    ]
    assert sorted(logins_of(printed)) == sorted(u for u, *_ in DEMO_PEOPLE)
    assert Child.objects.exists()


@pytest.mark.django_db
def test_lost_logins_are_replaced_with_new_passwords(small_demo, tmp_path):
    first = logins_of(run_demo("--no-serve"))
    (tmp_path / "demo-logins.txt").unlink()

    printed = run_demo("--no-serve")

    assert "logins were lost" in printed
    passwords = logins_of(printed)
    assert sorted(passwords) == sorted(first)
    assert passwords["steward"] != first["steward"]
    assert authenticate(username="steward", password=passwords["steward"])
    assert not authenticate(username="steward", password=first["steward"])
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_a_community_that_is_not_the_demo_is_left_alone(small_demo, tmp_path):
    Organization.objects.create(
        slug="real-schools", name="Real Schools", kind=OrganizationKind.SCHOOL
    )

    with pytest.raises(CommandError, match="not the demo's"):
        run_demo("--no-serve")

    assert list(Organization.objects.values_list("slug", flat=True)) == ["real-schools"]
    assert not (tmp_path / "demo-logins.txt").exists()


@pytest.mark.django_db
def test_a_demo_missing_an_organization_says_how_to_start_over(small_demo):
    run_demo("--no-serve")
    Organization.objects.get(slug="riverbend-foundation").delete()

    with pytest.raises(CommandError, match=r"lacks riverbend-foundation.*make clean"):
        run_demo("--no-serve")


@pytest.mark.django_db
def test_it_serves_on_the_address_given_and_says_so(small_demo, served):
    port = free_port()

    printed = run_demo("--address", f"127.0.0.1:{port}")

    assert served == ["worker started", f"127.0.0.1:{port}", "worker stopped"]
    assert f"Sign in at http://127.0.0.1:{port}/ as:" in printed
    assert "8000" not in printed
    assert "steward" in printed


@pytest.mark.django_db
def test_a_busy_port_stops_it_before_anything_is_set_up(small_demo, served):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        with pytest.raises(CommandError, match=f"Port {port} .* already in use"):
            run_demo("--address", f"127.0.0.1:{port}")

    assert served == []
    assert not Organization.objects.exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_serves_on_the_port_given(tmp_path):
    from django.conf import settings

    planned = subprocess.run(
        ["make", "-n", "-C", str(settings.BASE_DIR.parent), "demo", "PORT=8011"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert "braid demo --address 127.0.0.1:8011" in planned


def test_the_task_worker_it_runs_is_a_command_that_exists():
    ran = subprocess.run(
        [*demo.WORKER[:-1], "--help"], capture_output=True, text=True, check=False
    )

    assert ran.returncode == 0, ran.stderr
    assert "--batch" in ran.stdout


WORKER_STANDIN = """
import signal, sys, time
def stop(signum, frame):
    open(sys.argv[1], "w").write(signal.Signals(signum).name)
    sys.exit(0)
signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
open(sys.argv[1], "w").write("started")
time.sleep(60)
"""


def wait_for(path, text):
    for _ in range(100):
        if path.exists() and path.read_text() == text:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never said {text!r}")


@pytest.mark.parametrize("stop", ["served out", "SIGTERM", "SIGHUP"])
def test_the_worker_is_asked_once_to_stop_when_the_demo_stops(
    tmp_path, monkeypatch, stop
):
    said = tmp_path / "worker"
    monkeypatch.setattr(demo, "WORKER", [sys.executable, "-c", WORKER_STANDIN, said])
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}

    ends = pytest.raises(SystemExit) if stop != "served out" else nullcontext()
    with ends, demo._task_worker():
        wait_for(said, "started")
        if stop != "served out":
            os.kill(os.getpid(), getattr(signal, stop))

    # Asked to finish its task and stop (SIGINT), never killed outright.
    assert said.read_text() == "SIGINT"
    assert {s: signal.getsignal(s) for s in before} == before
