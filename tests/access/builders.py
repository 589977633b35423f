"""Agreements and consents for the access tests, made directly."""

from datetime import date, datetime

from django.contrib.auth.models import User
from django.utils import timezone

from braid.agreements.models import Agreement, LegalBasis, Level, Signature
from braid.children.models import Child
from braid.community.models import Organization
from braid.consent.models import Consent, ConsentForm, FormVersion, Guardian
from braid.records.models import Category

EVERY_CATEGORY = list(Category.values)


def moment(
    year: int, month: int, day: int, hour: int = 12, minute: int = 0
) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def agreement(
    *,
    by: User,
    contributors: list[Organization],
    recipients: list[Organization] = (),  # type: ignore[assignment]
    recipient_kinds: list[str] = (),  # type: ignore[assignment]
    categories: list[str] | None = None,
    purposes: list[str] = ("service-coordination",),  # type: ignore[assignment]
    level: str = Level.IDENTIFIABLE,
    legal_basis: str = LegalBasis.CONSENT,
    starts_on: date = date(2024, 1, 1),
    ends_on: date = date(2030, 12, 31),
    signed_at: datetime | None = None,
    signed: bool = True,
    **terms: object,
) -> Agreement:
    made = Agreement.objects.create(
        title=f"Agreement {Agreement.objects.count() + 1}",
        recipient_kinds=list(recipient_kinds),
        categories=EVERY_CATEGORY if categories is None else categories,
        purposes=list(purposes),
        level=level,
        legal_basis=legal_basis,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
        **terms,
    )
    made.contributors.set(contributors)
    made.recipients.set(recipients)
    if signed:
        for party in made.parties():
            Signature.objects.create(
                agreement=made,
                organization=party,
                signed_by=by,
                signed_at=signed_at or moment(2023, 12, 1),
            )
    return made


def form_version() -> FormVersion:
    form, _ = ConsentForm.objects.get_or_create(
        slug="test-sharing", defaults={"title": "Sharing"}
    )
    version, _ = FormVersion.objects.get_or_create(
        form=form,
        number=1,
        defaults={
            "title_en": "Sharing",
            "title_es": "Compartir",
            "text_en": "May we share?",
            "text_es": "¿Podemos compartir?",
            "categories": EVERY_CATEGORY,
            "purposes": ["service-coordination", "program-evaluation"],
            "published_at": moment(2023, 1, 1),
        },
    )
    return version


def guardian(child: Child, **fields: object) -> Guardian:
    return Guardian.objects.create(child=child, name="A. Guardian", **fields)


def consent(child: Child, *, by: User, **fields: object) -> Consent:
    values: dict[str, object] = {
        "signer": "guardian",
        "decision": "permit",
        "purposes": [],
        "categories": [],
        "valid_from": moment(2024, 1, 1),
        "signed_at": moment(2024, 1, 1),
        "method": "paper",
        **fields,
    }
    if values["signer"] == "guardian" and "guardian" not in values:
        values["guardian"] = guardian(child)
    return Consent.objects.create(
        child=child, form_version=form_version(), entered_by=by, **values
    )
