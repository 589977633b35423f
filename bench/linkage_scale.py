"""Linkage speed and memory on a community index of a million source records.

Builds an index of generated children (1,000,000 source records by default,
about 600,000 children seen by one to three of ten organizations), then
measures, each in a process of its own so that its peak memory is its own:

- linking a new 1,000-row roster against the index (target: under 10 s),
- linking a new 100,000-row roster (target: under 2 minutes),
- a full re-link of every record (target: under 15 minutes).

The rosters go through intake as a contributor's would (parse, preview,
commit); the time of the linking inside the commit is printed beside the
whole commit's. Runs on SQLite, and on PostgreSQL when one answers at
127.0.0.1:5432 (it creates and drops a database of its own,
braid_scale_bench).

Run: .venv/bin/python bench/linkage_scale.py [--records N]
        [--database sqlite|postgresql|both] [--only roster-1k,roster-100k]
"""

import argparse
import csv
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432/braid_scale_bench"
ORGANIZATIONS = 10
ZIP_CODES = [f"{50300 + n:05d}" for n in range(60)]
STREETS = ["Elm", "Oak", "Maple", "Cedar", "Pine", "Lake", "Hill", "River", "Park"]
KINDS = ["St", "Ave", "Rd", "Dr", "Ln", "Ct"]
STEPS = ("build", "roster-1k", "roster-100k", "relink")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--database", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument(
        "--only",
        default=",".join(STEPS),
        help="the steps to run, comma-separated (the build always runs): "
        + ", ".join(STEPS),
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step(args.step, args.records)
        return

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for database in databases:
        if database == "postgresql" and not postgres_answers():
            print("postgresql: no server at 127.0.0.1:5432; skipped")
            continue
        run_on(database, args.records, _steps(args.only))


def _steps(only: str) -> list[str]:
    chosen = {name.strip() for name in only.split(",") if name.strip()}
    unknown = chosen - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown steps: {', '.join(sorted(unknown))}")
    return [name for name in STEPS if name in chosen or name == "build"]


def run_on(database: str, records: int, steps: list[str]) -> None:
    env = {**os.environ, "BRAID_DATA_DIR": tempfile.mkdtemp(prefix="braid-scale-")}
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        env["DATABASE_URL"] = POSTGRES
        psql("DROP DATABASE IF EXISTS braid_scale_bench")
        psql("CREATE DATABASE braid_scale_bench")
    try:
        for name in steps:
            result = subprocess.run(
                [sys.executable, __file__, "--step", name, "--records", str(records)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(
                f"{database} {name}: "
                + " ".join(f"{k}={v}" for k, v in figures.items())
            )
            sys.stdout.flush()
    finally:
        if database == "postgresql":
            psql("DROP DATABASE IF EXISTS braid_scale_bench")


def step(name: str, records: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger("braid").setLevel(logging.WARNING)
    started = time.monotonic()
    figures: dict[str, object] = {}
    if name == "build":
        figures.update(build(records))
    elif name == "relink":
        figures.update(relink())
    else:
        figures.update(send_roster(1_000 if name == "roster-1k" else 100_000))
    figures["seconds"] = round(time.monotonic() - started, 1)
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(figures))


# --- The index ---------------------------------------------------------------


class People:
    """Generated children, and their records as organizations type them."""

    def __init__(self, seed: int) -> None:
        from faker.providers.person.en_US import Provider as English
        from faker.providers.person.es_MX import Provider as Spanish

        self.rng = random.Random(seed)
        self.firsts = sorted(
            {*English.first_names_male, *English.first_names_female}
            | {*Spanish.first_names_male, *Spanish.first_names_female}
        )
        self.lasts = sorted({*English.last_names, *Spanish.last_names})

    def child(self) -> dict[str, object]:
        rng = self.rng
        born = date(2006, 1, 1) + timedelta(days=rng.randrange(18 * 365))
        return {
            "first": rng.choice(self.firsts),
            "last": rng.choice(self.lasts),
            "born": born,
            "gender": rng.choice("FM"),
            "zip": rng.choice(ZIP_CODES),
            "address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)} "
            f"{rng.choice(KINDS)}",
        }

    def record(self, child: dict[str, object]) -> dict[str, object]:
        """Return the child as one organization wrote it, slips and all."""
        rng = self.rng
        first, last, born = child["first"], child["last"], child["born"]
        assert isinstance(first, str) and isinstance(last, str)
        assert isinstance(born, date)
        slip = rng.random()
        if slip < 0.03 and len(first) > 3:
            i = rng.randrange(1, len(first) - 1)
            first = first[:i] + first[i + 1] + first[i] + first[i + 2 :]
        elif slip < 0.05 and born.day <= 12 and born.day != born.month:
            born = date(born.year, born.day, born.month)
        elif slip < 0.06:
            last = f"{last}-{rng.choice(self.lasts)}"
        return {**child, "first": first, "last": last, "born": born}


def build(records: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from braid.children.models import Child, LinkRule, SourceRecord
    from braid.children.normalize import id_key, name_key
    from braid.community.services import add_member, add_organization
    from braid.linkage import features
    from braid.linkage.engine import policy

    call_command("migrate", verbosity=0)
    policy()
    organizations = [
        add_organization(
            slug=f"org-{n}",
            name=f"Organization {n}",
            kind="other",
            contributes_roster=True,
        )
        for n in range(ORGANIZATIONS + 1)
    ]
    for organization in organizations:
        add_member(
            username=f"{organization.slug}-staff",
            organization=organization,
            role="staff",
        )

    people = People(seed=1)
    made = 0
    children = 0
    stamp = timezone.now()
    while made < records:
        batch_children = []
        batch_people = []
        while made < records and len(batch_children) < 5000:
            person = people.child()
            seen_by = people.rng.sample(
                organizations[:ORGANIZATIONS],
                min(people.rng.choice((1, 1, 2, 2, 3)), records - made),
            )
            batch_children.append(Child())
            batch_people.append((person, seen_by))
            made += len(seen_by)
        with transaction.atomic():
            saved = Child.objects.bulk_create(batch_children)
            rows = []
            for child, (person, seen_by) in zip(saved, batch_people, strict=True):
                for organization in seen_by:
                    written = people.record(person)
                    local_id = f"{organization.pk}-{len(rows)}-{child.pk}"
                    record = SourceRecord(
                        organization=organization,
                        local_id=local_id,
                        local_id_key=id_key(local_id),
                        first_name=written["first"],
                        last_name=written["last"],
                        first_name_key=name_key(str(written["first"])),
                        last_name_key=name_key(str(written["last"])),
                        birth_date=written["born"],
                        gender=written["gender"],
                        zip_code=written["zip"],
                        address=written["address"],
                        child=child,
                        link_rule=LinkRule.NEW_CHILD,
                        linked_at=stamp,
                    )
                    features.set_keys(record)
                    rows.append(record)
            SourceRecord.objects.bulk_create(rows, batch_size=2000)
        children += len(saved)
    if connection.vendor == "postgresql":
        # A server's autovacuum gathers the planner's statistics soon after
        # a load this size; the server measured on may have it turned off.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"records": SourceRecord.objects.count(), "children": children}


# --- A new roster ------------------------------------------------------------


def send_roster(size: int) -> dict[str, object]:
    from braid.children.models import SourceRecord
    from braid.community.models import Organization
    from braid.intake import services

    organization = Organization.objects.get(slug=f"org-{ORGANIZATIONS}")
    user = organization.memberships.get().user
    people = People(seed=size)
    existing = list(
        SourceRecord.objects.order_by("?").values(
            "first_name", "last_name", "birth_date", "gender", "zip_code", "address"
        )[: size // 2]
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["ID", "First Name", "Last Name", "DOB", "Gender", "ZIP", "Address"]
    )
    for n in range(size):
        if n < len(existing):
            seen = existing[n]
            person = {
                "first": seen["first_name"],
                "last": seen["last_name"],
                "born": seen["birth_date"],
                "gender": seen["gender"],
                "zip": seen["zip_code"],
                "address": seen["address"],
            }
        else:
            person = people.child()
        row = people.record(person)
        writer.writerow(
            [
                f"new-{size}-{n}",
                row["first"],
                row["last"],
                row["born"],
                row["gender"],
                row["zip"],
                row["address"],
            ]
        )

    started = time.monotonic()
    outcome = services.import_roster(
        user=user,
        organization=organization,
        program=None,
        filename=f"roster-{size}.csv",
        content=out.getvalue().encode(),
    )
    commit = time.monotonic() - started
    if not outcome.committed or outcome.linking is None:
        raise SystemExit(f"roster refused: {outcome.preview.errors[:3]}")
    return {
        "rows": size,
        "index": SourceRecord.objects.count() - size,
        "import_seconds": round(commit, 1),
        "linking_seconds": round(outcome.linking.seconds, 1),
        "linked": outcome.linking.linked,
        "review": outcome.linking.review,
    }


# --- Re-linking everything --------------------------------------------------


def relink() -> dict[str, object]:
    from braid.linkage import engine

    started = time.monotonic()
    plan = engine.plan_relink()
    planned = time.monotonic() - started
    engine.apply_relink(plan, None)
    counts = plan.counts()
    return {
        "records": counts["records"],
        "pairs_scored": counts["pairs_scored"],
        "plan_seconds": round(planned, 1),
        "moved": counts["records_moved"],
    }


def postgres_answers() -> bool:
    result = subprocess.run(
        ["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False
    )
    return result.returncode == 0


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


if __name__ == "__main__":
    main()
