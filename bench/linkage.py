"""Linkage accuracy on data nobody on the team wrote, through Braid's own path.

Each data set's rosters go through intake as their organizations would send
them; the first roster is linked with the model Braid ships, later ones
incrementally as they commit. Then the community trains its own model
(`braid link train`: u by random sampling, m by EM, no labels) and re-links
everything (`braid link --all`), as a steward would. Pairs of records in one
child are compared with the truth (pairwise precision, recall and F1); for
a single organization's file (FEBRL3) the pairs are the possible duplicates
Braid flags at or above the automatic threshold, since it never merges one
organization's records on its own. Twin pairs are counted when linked into
one child. Beside the figures of what Braid decides on its own, the first
line says how many of the pairs waiting for a person are true pairs, and the
recall once a steward has answered them all correctly.

Intake refuses a whole roster for one impossible value. Where it names the
cell, the value is cleared, as a contributor fixing the file would; a row it
cannot use at all is left out, and its true pairs count as missed.

Each data set runs in a process of its own on a fresh SQLite database, in a
temporary folder (braid-bench-NAME-*) that holds its synthetic children and
is removed when the run ends, failed or not; set BRAID_BENCH_KEEP=1 to keep
it (the run says where it is).

Run: .venv/bin/python bench/linkage.py [NAME ...]
(BRAID_BENCH_THRESHOLDS=AUTO,REVIEW tries other thresholds.)
Names: febrl4 febrl3 wic-1 wic-2 wic-3 demo
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("febrl4", "febrl3", "wic-1", "wic-2", "wic-3", "demo")


def main() -> None:
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(NAMES)
    if len(names) == 1 and os.environ.get("BRAID_BENCH_CHILD"):
        run(names[0])
        return
    for name in names:
        run_apart(name)


def run_apart(name: str) -> None:
    """Run one data set in a process of its own, on a fresh data folder."""
    folder = tempfile.mkdtemp(prefix=f"braid-bench-{name}-")
    env = {**os.environ, "BRAID_BENCH_CHILD": "1", "BRAID_DATA_DIR": folder}
    env.pop("DATABASE_URL", None)
    try:
        subprocess.run([sys.executable, __file__, name], env=env, check=True)
    finally:
        if os.environ.get("BRAID_BENCH_KEEP"):
            print(f"{name}: data kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder)


def load(name: str):
    sys.path.insert(0, str(ROOT))
    from bench import datasets

    if name.startswith("wic-"):
        return datasets.wic(int(name.split("-")[1]))
    return getattr(datasets, name)()


def run(name: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    sys.path.insert(0, str(ROOT))
    dataset = load(name)

    import django

    django.setup()
    import logging

    logging.getLogger("braid").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if thresholds := os.environ.get("BRAID_BENCH_THRESHOLDS"):
        # Trying other thresholds: "AUTO,REVIEW" in match weights.
        auto, review = (float(x) for x in thresholds.split(","))
        call_command("link", "thresholds", "--auto", auto, "--review", review)

    started = time.monotonic()
    left_out = sum(send(roster) for roster in dataset.rosters)
    from braid.linkage import engine, training

    if training_possible():
        training.train()
    plan = engine.plan_relink()
    engine.apply_relink(plan, None)
    seconds = time.monotonic() - started
    report(name, dataset, left_out, seconds)


def training_possible() -> bool:
    from braid.children.models import SourceRecord
    from braid.linkage.training import MINIMUM_RECORDS

    return SourceRecord.objects.count() >= MINIMUM_RECORDS


def send(roster) -> int:
    """Send a roster through intake, mending what it refuses."""
    from braid.community.models import Organization
    from braid.community.services import add_member, add_organization
    from braid.intake import services

    organization = Organization.objects.filter(slug=roster.organization).first()
    if organization is None:
        organization = add_organization(
            slug=roster.organization,
            name=roster.organization.upper(),
            kind="other",
            contributes_roster=True,
        )
        add_member(
            username=f"{roster.organization}-staff",
            organization=organization,
            role="staff",
        )
    user = organization.memberships.get().user
    content, filename = roster.content, roster.filename

    def attempt(data: bytes, dry_run: bool):
        return services.import_roster(
            user=user,
            organization=organization,
            program=None,
            filename=filename,
            content=data,
            date_format=roster.date_format,
            overrides=roster.mapping,
            dry_run=dry_run,
        )

    dropped = 0
    for _ in range(3):
        trial = attempt(content, dry_run=True)
        if trial.preview.ok:
            break
        print(
            f"{roster.filename}: intake refuses "
            + "; ".join(f"{i.code} line {i.line}" for i in trial.preview.errors[:5])
        )
        content, filename, lost = repaired(roster, content, filename, trial.preview)
        dropped += lost
    outcome = attempt(content, dry_run=False)
    if not outcome.committed:
        raise SystemExit(f"{roster.filename}: rejected: {outcome.preview.errors[:3]}")
    return dropped


def repaired(roster, content: bytes, filename: str, preview):
    """Clear the cells intake names, drop the rows it cannot use; as CSV."""
    from bench.datasets import Roster, read_table

    headers, rows = read_table(
        Roster(roster.organization, filename, content, roster.mapping, None)
    )
    line_of = rows_by_line(content, filename, rows)
    clear: dict[int, set[str]] = defaultdict(set)
    drop: set[int] = set()
    for issue in preview.errors:
        lines = [issue.line, *issue.lines] if issue.line else list(issue.lines)
        for line in lines:
            if issue.column and issue.code not in ("duplicate_id", "missing_value"):
                clear[line].add(issue.column)
            else:
                drop.add(line)
    kept = []
    for line, row in line_of.items():
        if line in drop:
            continue
        kept.append(
            [
                "" if headers[i] in clear.get(line, ()) else value
                for i, value in enumerate(row)
            ]
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(kept)
    stem = filename.rsplit(".", 1)[0]
    return out.getvalue().encode(), f"{stem}.csv", len(drop)


def rows_by_line(content: bytes, filename: str, rows):
    """Number data rows as intake does: the header is line 1."""
    if not filename.lower().endswith(".csv"):
        return {index + 2: row for index, row in enumerate(rows)}
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252")
    lines = text.splitlines()
    numbered = [n for n, text in enumerate(lines[1:], 2) if text.strip(", \t;|")]
    return dict(zip(numbered, rows, strict=True))


def report(name: str, dataset, left_out: int, seconds: float) -> None:
    from bench.datasets import true_pairs
    from braid.children.models import SourceRecord
    from braid.linkage.engine import policy
    from braid.linkage.models import ReviewItem

    key_of = {}
    by_child = defaultdict(list)
    for pk, child_id, slug, local_id in SourceRecord.objects.values_list(
        "pk", "child_id", "organization__slug", "local_id"
    ):
        key_of[pk] = (slug, local_id)
        by_child[child_id].append((slug, local_id))

    found = {frozenset(p) for keys in by_child.values() for p in combinations(keys, 2)}
    linked = set(found)
    threshold = policy().auto_link_weight
    # Possible duplicates Braid says look like one child; not those it holds
    # back as possible twins or for two different state IDs.
    flagged = ReviewItem.objects.filter(
        kind=ReviewItem.Kind.DUPLICATE,
        reason=ReviewItem.Reason.DUPLICATE,
        status=ReviewItem.Status.PENDING,
        match_weight__gte=threshold,
    ).values_list("record_a_id", "record_b_id")
    if len({roster.organization for roster in dataset.rosters}) == 1:
        found |= {frozenset((key_of[a], key_of[b])) for a, b in flagged}

    truth = true_pairs(dataset)
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0

    entity_of = dataset.entity
    twins_linked = sum(
        1
        for pair in linked
        if frozenset(entity_of.get(key) for key in pair) in dataset.twins
    )
    pending = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING)
    waiting = {
        frozenset((key_of[a], key_of[b]))
        for a, b in pending.values_list("record_a_id", "record_b_id")
    }
    # What a steward would settle: true pairs among those waiting, and the
    # recall if each of them were answered "same child".
    true_waiting = len((waiting - found) & truth)
    settled = len((found | waiting) & truth) / len(truth) if truth else 0.0
    print(
        f"{name}: {len(key_of)} records, {len(by_child)} children, {left_out} rows "
        f"left out by intake, {len(truth)} true pairs, {len(waiting)} pairs "
        f"waiting for review ({true_waiting} of them true pairs; recall once "
        f"reviewed {settled:.3f})"
    )
    if dataset.twins:
        print(f"{name}: twin pairs linked automatically: {twins_linked}")
    print(
        f"{name} precision={precision:.3f} recall={recall:.3f} f1={f1:.3f} "
        f"seconds={seconds:.1f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
