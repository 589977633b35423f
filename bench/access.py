"""Decisions for 10,000 children at once, through the one decision point.

Builds a community on a fresh database (SQLite by default; PostgreSQL when
DATABASE_URL is set): 10,000 children with a record from the school
district and one from an after-school club that serves them too, each with a
parent's consent (some revoked, some denying), an active agreement from the
district to the club, and a club staff member. Then measures, each over the
whole 10,000:

- decide_many for identifiable attendance on the district's records
  (agreement, withholdings, consent and the club's own record of the child
  evaluated for every child),
- the same question at the de-identified level (no consent needed),
- an identifiable export of demographics with its 10,000-ish disclosure
  entries written,

and prints the seconds, the database queries and the peak memory of each.

Run: .venv/bin/python bench/access.py [--children N]
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("BRAID_DATA_DIR", tempfile.mkdtemp(prefix="braid-access-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "braid.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("braid").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    club_staff, records = build(args.children)
    measure(club_staff, records)


def build(how_many: int):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from braid.agreements.models import Agreement, Signature
    from braid.children.models import Child, LinkRule, SourceRecord
    from braid.community.models import Membership, Organization
    from braid.consent.models import Consent, ConsentEvent, ConsentForm, FormVersion
    from braid.records.models import Category

    started = time.monotonic()
    now = timezone.now()
    steward = User.objects.create(username="bench-steward")
    backbone = Organization.objects.create(
        name="Backbone", slug="backbone", kind="other", is_backbone=True
    )
    district = Organization.objects.create(
        name="District", slug="district", kind="school-district"
    )
    club = Organization.objects.create(
        name="Club", slug="club", kind="community-program"
    )
    club_staff = User.objects.create(username="bench-club-staff")
    Membership.objects.create(user=club_staff, organization=club, role="staff")

    agreement = Agreement.objects.create(
        title="District to club",
        categories=list(Category.values),
        purposes=["service-coordination"],
        level="identifiable",
        legal_basis="consent",
        starts_on=date(2024, 1, 1),
        ends_on=date(2099, 1, 1),
        created_by=steward,
    )
    agreement.contributors.set([district])
    agreement.recipients.set([club])
    for party in (backbone, district, club):
        Signature.objects.create(
            agreement=agreement, organization=party, signed_by=steward, signed_at=now
        )

    children = Child.objects.bulk_create(Child() for _ in range(how_many))
    # The club reads the district's records only of the children it serves.
    SourceRecord.objects.bulk_create(
        SourceRecord(
            organization=organization,
            local_id=f"{n:06d}",
            local_id_key=f"{n:06d}",
            first_name=f"Child{n}",
            last_name="Bench",
            first_name_key=f"child{n}",
            last_name_key="bench",
            birth_date=date(2012, 1, 1) + timedelta(days=n % 2000),
            child=child,
            link_rule=LinkRule.NEW_CHILD,
            linked_at=now,
        )
        for organization in (district, club)
        for n, child in enumerate(children)
    )
    form = ConsentForm.objects.create(slug="bench", title="Bench")
    version = FormVersion.objects.create(
        form=form,
        number=1,
        title_en="t",
        title_es="t",
        text_en="t",
        text_es="t",
        published_at=now,
    )
    consents = Consent.objects.bulk_create(
        Consent(
            child=child,
            form_version=version,
            signer="student",
            decision="deny" if n % 10 == 9 else "permit",
            valid_from=now - timedelta(days=30),
            signed_at=now - timedelta(days=30),
            method="paper",
            entered_by=steward,
        )
        for n, child in enumerate(children)
    )
    ConsentEvent.objects.bulk_create(
        ConsentEvent(consent=c, kind="revoked", at=now, recorded_by=steward)
        for c in consents[::7]
    )
    print(f"build: children={how_many} seconds={time.monotonic() - started:.1f}")
    records = list(
        SourceRecord.objects.filter(organization=district).select_related(
            "organization"
        )
    )
    return club_staff, records


def measure(club_staff, records) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from braid.access import release
    from braid.access.decision import ask, decide_many
    from braid.access.models import Disclosure

    for name, level in (
        ("identifiable", "identifiable"),
        ("deidentified", "deidentified"),
    ):
        club_staff.__dict__.pop("_braid_memberships", None)
        question = ask("service-coordination", "attendance", level)
        started = time.monotonic()
        with CaptureQueriesContext(connection) as queries:
            answers = decide_many(club_staff, records, question)
        seconds = time.monotonic() - started
        allowed = sum(1 for a in answers.values() if a)
        print(
            f"decide {name}: children={len(records)} allowed={allowed} "
            f"seconds={seconds:.2f} per_child_us={seconds / len(records) * 1e6:.0f} "
            f"queries={len(queries)} peak_mb={peak_mb()}"
        )

    club_staff.__dict__.pop("_braid_memberships", None)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        _, rows = release.export_rows(
            club_staff,
            "service-coordination",
            ["demographics"],
            "identifiable",
            reference="bench export",
        )
    written = Disclosure.objects.count()
    print(
        f"export identifiable: rows={len(rows)} disclosures={written} "
        f"seconds={time.monotonic() - started:.2f} queries={len(queries)} "
        f"peak_mb={peak_mb()}"
    )


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


if __name__ == "__main__":
    main()
