"""The demo's data-sharing: two agreements and parents' consents.

So that the demo shows what sharing looks like: the school district shares
with the after-school club for service coordination, under parents'
consent; the district, the club and the literacy program share
de-identified data with the backbone's evaluator under the FERPA audit or
evaluation exception. About two in three children the district and the club
both know have a guardian's consent on file; a few of those were revoked,
and a few deny assessments to funders.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from braid.agreements.models import Agreement, LegalBasis, Level, Signature
from braid.children.models import SourceRecord
from braid.community.models import Organization
from braid.consent.evaluation import adult_on
from braid.consent.models import (
    Consent,
    ConsentEvent,
    ConsentForm,
    Guardian,
)
from braid.records.models import Category

DISTRICT, CLUB, LITERACY = "riverbend-schools", "heron-youth-club", "open-book-literacy"
# A placeholder standing for the scan of a signed paper form.
PLACEHOLDER_SCAN = b"%PDF-1.4\n% Braid demo: stands for a signed paper form.\n%%EOF\n"


def is_set_up() -> bool:
    return Agreement.objects.exists()


@transaction.atomic
def set_up_sharing(seed: int) -> tuple[int, int]:
    """Create the demo's agreements and consents; return how many of each."""
    steward = User.objects.get(username="steward")
    orgs = {org.slug: org for org in Organization.objects.all()}
    backbone = next(org for org in orgs.values() if org.is_backbone)
    today = timezone.localdate()
    start = date(today.year - 1, 8, 1)

    coordination = _agreement(
        steward,
        title="Service coordination: Riverbend Schools and Heron Youth Club",
        contributors=[orgs[DISTRICT]],
        recipients=[orgs[CLUB]],
        categories=[
            Category.DEMOGRAPHICS,
            Category.ENROLLMENT,
            Category.ATTENDANCE,
            Category.ASSESSMENTS,
            Category.GUARDIAN_CONTACT,
        ],
        level=Level.IDENTIFIABLE,
        purposes=["service-coordination"],
        legal_basis=LegalBasis.CONSENT,
        starts_on=start,
        ends_on=start + timedelta(days=3 * 365),
    )
    _agreement(
        steward,
        title="Outcome evaluation of out-of-school time programs",
        contributors=[orgs[DISTRICT], orgs[CLUB], orgs[LITERACY]],
        recipients=[backbone],
        categories=[Category.DEMOGRAPHICS, Category.ENROLLMENT, Category.ATTENDANCE],
        level=Level.DEIDENTIFIED,
        purposes=["program-evaluation"],
        legal_basis=LegalBasis.FERPA_AUDIT,
        starts_on=start,
        ends_on=start + timedelta(days=2 * 365),
        scope="Whether attending after-school and literacy programs relates to "
        "school attendance, for the programs' funders.",
        data_list="Year of birth, gender, grade, program enrollment, attendance.",
        destruction_on=start + timedelta(days=2 * 365 + 90),
    )
    consents = _consents(orgs, coordination, random.Random(seed), today)
    return Agreement.objects.count(), consents


def _agreement(
    steward: User,
    contributors: list[Organization],
    recipients: list[Organization],
    **terms: Any,
) -> Agreement:
    agreement = Agreement.objects.create(created_by=steward, **terms)
    agreement.contributors.set(contributors)
    agreement.recipients.set(recipients)
    signed = _midnight(agreement.starts_on - timedelta(days=14))
    for party in agreement.parties():
        Signature.objects.create(
            agreement=agreement, organization=party, signed_by=steward, signed_at=signed
        )
    return agreement


def _consents(
    orgs: dict[str, Organization],
    coordination: Agreement,
    rng: random.Random,
    today: date,
) -> int:
    form = ConsentForm.objects.get(slug="sharing").current()
    assert form is not None, "the sharing form comes with the migrations"
    shared = set(
        SourceRecord.objects.filter(organization=orgs[CLUB]).values_list(
            "child_id", flat=True
        )
    )
    district_records = (
        SourceRecord.objects.filter(organization=orgs[DISTRICT], child_id__in=shared)
        .exclude(guardian_name="")
        .order_by("pk")
    )
    signed_on = _midnight(coordination.starts_on)
    # The district's staff enter the paper forms its schools collect: a
    # consent recorded by an organization other than its recipient (the
    # club) counts without the steward's check.
    district_staff = User.objects.get(username="district-staff")
    made = 0
    for record in district_records:
        if rng.random() > 0.66:
            continue
        guardian = Guardian.objects.create(
            child_id=record.child_id,
            name=record.guardian_name,
            relationship="parent",
            phone=record.guardian_phone,
            email=record.guardian_email,
            organization=orgs[DISTRICT],
        )
        # A student of 18 signs for themselves.
        adult = adult_on(record.birth_date)
        by_student = adult is not None and adult <= coordination.starts_on
        denies_funders = rng.random() < 0.1
        consent = Consent(
            child_id=record.child_id,
            form_version=form,
            signer="student" if by_student else "guardian",
            guardian=None if by_student else guardian,
            decision="permit",
            recipients=[orgs[CLUB].pk],
            purposes=["service-coordination"],
            categories=list(coordination.categories),
            provisions=(
                [
                    {
                        "decision": "deny",
                        "recipient_kinds": ["funder"],
                        "categories": ["assessments"],
                    }
                ]
                if denies_funders
                else []
            ),
            valid_from=signed_on,
            valid_until=signed_on + timedelta(days=2 * 365),
            signed_at=signed_on,
            method="staff-entered",
            entered_by=district_staff,
            organization=orgs[DISTRICT],
        )
        scan = ContentFile(PLACEHOLDER_SCAN)
        consent.scan.save(f"demo-{record.child_id}.pdf", scan, save=False)
        consent.save()
        made += 1
        if rng.random() < 0.05:
            ConsentEvent.objects.create(
                consent=consent,
                kind="revoked",
                at=signed_on + timedelta(days=rng.randrange(30, 300)),
                recorded_by=district_staff,
                note="Letter from the parent (demo).",
            )
    return made


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
