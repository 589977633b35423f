"""Agreements among the test community, and the admins who sign them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from braid.agreements.models import Agreement, LegalBasis, Level, Purpose, Signature
from braid.records.models import Category

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def documents(settings, tmp_path):
    """Keep each test's uploaded documents in a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "documents"
    return settings.MEDIA_ROOT


def today() -> datetime.date:
    return timezone.localdate()


def noon(day: datetime.date) -> datetime.datetime:
    """Return midday of a day in the community's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def make_agreement(community, created_by, **terms) -> Agreement:
    """Store a draft between the district and the club, for the funder.

    Made directly, without the service, so that a test can set any terms.
    """
    contributors = terms.pop("contributors", [community.district, community.club])
    recipients = terms.pop("recipients", [community.funder])
    values = {
        "title": "Program evaluation 2026",
        "categories": [Category.ATTENDANCE, Category.ASSESSMENTS],
        "level": Level.DEIDENTIFIED,
        "purposes": [Purpose.PROGRAM_EVALUATION],
        "legal_basis": LegalBasis.FERPA_AUDIT,
        "starts_on": today() - days(30),
        "ends_on": today() + days(300),
        "scope": "Outcomes of the after-school programs.",
        "data_list": "Attendance rates; reading and math scores.",
        "destruction_on": today() + days(330),
        "created_by": created_by,
        **terms,
    }
    agreement = Agreement.objects.create(**values)
    agreement.contributors.set(contributors)
    agreement.recipients.set(recipients)
    return agreement


def sign_all(agreement: Agreement, by, at: datetime.datetime | None = None) -> None:
    """Record every party's signature at once, as a test's shortcut."""
    for organization in agreement.parties():
        Signature.objects.create(
            agreement=agreement,
            organization=organization,
            signed_by=by,
            signed_at=at or timezone.now(),
        )


def pdf_upload(content: bytes = PDF, name: str = "signed.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def agreement(community, people) -> Agreement:
    return make_agreement(community, people.steward)


@pytest.fixture
def active(community, people) -> Agreement:
    agreement = make_agreement(community, people.steward, title="Active evaluation")
    sign_all(agreement, people.steward, timezone.now() - days(1))
    return agreement
