"""A district child with a guardian, and the community's consent form."""

from datetime import timedelta

import pytest
from django.core import signals
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections
from django.utils import timezone

from braid.consent import services
from braid.consent.models import FormVersion, Guardian
from tests.factories import SourceRecordFactory

PDF = b"%PDF-1.4\n% a synthetic scan\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def close_quietly(response) -> None:
    """Close a file response without ending the test's database connection.

    Closing a response signals the request's end, and Django then closes
    the connection, which on PostgreSQL is the test's own transaction; the
    test client itself disconnects that handler while a request runs.
    """
    signals.request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        signals.request_finished.connect(close_old_connections)


def upload(content: bytes = PDF, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "documents"
    return settings.MEDIA_ROOT


@pytest.fixture
def child(community):
    return SourceRecordFactory(organization=community.district).child


@pytest.fixture
def guardian(child, people) -> Guardian:
    return services.add_guardian(
        child, "Pat Example", "mother", "", "", people.district_staff
    )


@pytest.fixture
def version(db) -> FormVersion:
    return FormVersion.objects.get(form__slug="sharing", number=1)


@pytest.fixture
def terms(child, version, guardian, people):
    """Return a complete paper consent's parts, with the given ones changed."""

    def make(**changes):
        now = timezone.now()
        parts = {
            "child": child,
            "form_version": version,
            "signer": "guardian",
            "guardian": guardian,
            "recipient_kinds": ["city-service"],
            "purposes": ["program-evaluation"],
            "categories": ["attendance"],
            "valid_from": now - timedelta(days=1),
            "valid_until": now + timedelta(days=365),
            "signed_at": now - timedelta(days=1),
            "method": "paper",
            "scan": upload(),
            "user": people.district_staff,
        }
        parts.update(changes)
        return parts

    return make


@pytest.fixture
def consent(terms):
    return services.give_consent(**terms())
