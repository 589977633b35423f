"""Every change to an agreement: drafting, signing, ending, withholding.

Each function checks who is acting, runs in one transaction and records who
did it and when. Terms change only while nobody has signed; after the first
signature an amendment is a new agreement.
"""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from braid.agreements import permissions
from braid.agreements.models import (
    EXCEPTION_BASES,
    Agreement,
    LegalBasis,
    Level,
    Purpose,
    Signature,
    Withholding,
)
from braid.community.models import Organization, OrganizationKind
from braid.records.models import Category

logger = logging.getLogger(__name__)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# Dates outside these are typing slips (a year 0001 or 9999), not terms.
EARLIEST_DATE = date(1990, 1, 1)
LATEST_DATE = date(2100, 12, 31)
LONGEST_TERM_YEARS = 10


class AgreementError(Exception):
    """A change the agreement's state does not allow; for people to read."""


@dataclass
class Terms:
    """What an agreement grants, as the steward drafts it."""

    title: str
    contributors: list[Organization]
    recipients: list[Organization]
    recipient_kinds: list[str]
    categories: list[str]
    level: str
    purposes: list[str]
    legal_basis: str
    starts_on: date
    ends_on: date
    scope: str = ""
    data_list: str = ""
    destruction_on: date | None = None

    def check(self) -> None:
        """Raise a ValidationError naming each term missing or wrong."""
        errors: dict[str, list[str]] = {}
        for name, message in [
            *self._party_errors(),
            *self._choice_errors(),
            *self._date_errors(),
            *self._exception_errors(),
        ]:
            errors.setdefault(name, []).append(message)
        if errors:
            raise ValidationError(errors)

    def _party_errors(self) -> Iterator[tuple[str, str]]:
        if not self.title.strip():
            yield "title", _("Give the agreement a title.")
        if not self.contributors:
            yield "contributors", _("Choose at least one contributing organization.")
        if not self.recipients and not self.recipient_kinds:
            yield (
                "recipients",
                _("Choose at least one recipient organization or class of recipients."),
            )
        unknown = set(self.recipient_kinds) - set(OrganizationKind.values)
        if unknown:
            yield "recipient_kinds", _unknown(unknown)

    def _choice_errors(self) -> Iterator[tuple[str, str]]:
        if not self.categories:
            yield "categories", _("Choose at least one data category.")
        elif unknown := set(self.categories) - set(Category.values):
            yield "categories", _unknown(unknown)
        if not self.purposes:
            yield "purposes", _("Choose at least one purpose.")
        elif unknown := set(self.purposes) - set(Purpose.values):
            yield "purposes", _unknown(unknown)
        if self.level not in Level.values:
            yield "level", _("Choose the level granted.")
        if self.legal_basis not in LegalBasis.values:
            yield "legal_basis", _("Choose the legal basis.")

    def _date_errors(self) -> Iterator[tuple[str, str]]:
        dates = {
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "destruction_on": self.destruction_on,
        }
        wild = [
            name
            for name, day in dates.items()
            if day is not None and not EARLIEST_DATE <= day <= LATEST_DATE
        ]
        for name in wild:
            yield name, _out_of_range()
        if self.ends_on <= self.starts_on:
            yield "ends_on", _("The end date must come after the start date.")
        elif not wild and self.ends_on > _longest_term_from(self.starts_on):
            yield "ends_on", _too_long(self.starts_on)
        if self.destruction_on is not None and self.destruction_on <= self.starts_on:
            yield (
                "destruction_on",
                _("The destruction date must come after the start date."),
            )

    def _exception_errors(self) -> Iterator[tuple[str, str]]:
        return exception_term_errors(
            self.legal_basis, self.scope, self.data_list, self.destruction_on
        )

    def values(self) -> dict[str, object]:
        """Return the agreement's own fields, without the organizations."""
        return {
            "title": self.title.strip(),
            "recipient_kinds": _ordered(self.recipient_kinds, OrganizationKind.values),
            "categories": _ordered(self.categories, Category.values),
            "level": self.level,
            "purposes": _ordered(self.purposes, Purpose.values),
            "legal_basis": self.legal_basis,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            "scope": self.scope.strip(),
            "data_list": self.data_list.strip(),
            "destruction_on": self.destruction_on,
        }


def exception_term_errors(
    legal_basis: str, scope: str, data_list: str, destruction_on: date | None
) -> Iterator[tuple[str, str]]:
    """Name the terms a FERPA exception's written agreement lacks."""
    if legal_basis not in EXCEPTION_BASES:
        return
    basis = LegalBasis(legal_basis).label
    if not scope.strip():
        yield (
            "scope",
            _(
                "Under the %(basis)s the agreement must state its scope: the "
                "purpose and what the study or evaluation covers."
            )
            % {"basis": basis},
        )
    if not data_list.strip():
        yield (
            "data_list",
            _("Under the %(basis)s the agreement must list the data disclosed.")
            % {"basis": basis},
        )
    if destruction_on is None:
        yield (
            "destruction_on",
            _(
                "Under the %(basis)s the agreement must set the date by which "
                "the recipient destroys the data."
            )
            % {"basis": basis},
        )


def _out_of_range() -> str:
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def _longest_term_from(starts_on: date) -> date:
    years = starts_on.year + LONGEST_TERM_YEARS
    try:
        return starts_on.replace(year=years)
    except ValueError:
        # 29 February, in a year that has none.
        return starts_on.replace(year=years, day=28)


def _too_long(starts_on: date) -> str:
    return _(
        "An agreement runs for at most %(years)s years: end it by %(latest)s, "
        "and draft a new one for the time after."
    ) % {
        "years": LONGEST_TERM_YEARS,
        "latest": _longest_term_from(starts_on).isoformat(),
    }


def _unknown(values: Iterable[str]) -> str:
    return _("Unknown choices: %(values)s.") % {"values": ", ".join(sorted(values))}


def _ordered(chosen: Iterable[str], order: list[str]) -> list[str]:
    wanted = set(chosen)
    return [value for value in order if value in wanted]


def _require_steward(user: User) -> None:
    decision = permissions.can_manage_agreements(user)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))


@transaction.atomic
def create_agreement(terms: Terms, user: User) -> Agreement:
    """Draft a new agreement; it grants nothing until every party signs."""
    _require_steward(user)
    terms.check()

    agreement = Agreement.objects.create(created_by=user, **terms.values())
    agreement.contributors.set(terms.contributors)
    agreement.recipients.set(terms.recipients)
    logger.info("agreement %s drafted by user %s", agreement.pk, user.pk)
    return agreement


@transaction.atomic
def update_draft(agreement: Agreement, terms: Terms, user: User) -> Agreement:
    """Change the terms of an agreement nobody has signed yet."""
    _require_steward(user)
    agreement = _locked(agreement)
    _require_unsigned(agreement)
    terms.check()

    for name, value in terms.values().items():
        setattr(agreement, name, value)
    agreement.save()
    agreement.contributors.set(terms.contributors)
    agreement.recipients.set(terms.recipients)
    logger.info("agreement %s draft changed by user %s", agreement.pk, user.pk)
    return agreement


def terms_of(agreement: Agreement) -> Terms:
    """Return an agreement's terms as they stand, to edit them."""
    return Terms(
        title=agreement.title,
        contributors=list(agreement.contributors.all()),
        recipients=list(agreement.recipients.all()),
        recipient_kinds=list(agreement.recipient_kinds),
        categories=list(agreement.categories),
        level=agreement.level,
        purposes=list(agreement.purposes),
        legal_basis=agreement.legal_basis,
        starts_on=agreement.starts_on,
        ends_on=agreement.ends_on,
        scope=agreement.scope,
        data_list=agreement.data_list,
        destruction_on=agreement.destruction_on,
    )


def check_document(upload: UploadedFile) -> None:
    """Raise a ValidationError unless the upload is a PDF, small enough."""
    size = upload.size or 0
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _(
                "The file is %(size)s bytes; the largest document accepted is "
                "%(limit)s bytes (20 MB)."
            )
            % {"size": size, "limit": MAX_DOCUMENT_BYTES},
            code="too_large",
        )
    upload.seek(0)
    start = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    # The name and the browser's content type are the sender's word; the
    # first bytes are the file's own.
    if start != PDF_MAGIC:
        raise ValidationError(
            _("The file is not a PDF. Attach the signed agreement as a PDF."),
            code="not_pdf",
        )


@transaction.atomic
def attach_document(agreement: Agreement, upload: UploadedFile, user: User) -> None:
    """Keep the signed document (a PDF) with the agreement.

    Once a party has signed, the document attached is final: a signed
    agreement is not changed, so replacing it is refused.
    """
    _require_steward(user)
    agreement = _locked(agreement)
    if agreement.terminated_at is not None:
        raise AgreementError(_("This agreement has been terminated."))
    if agreement.document and agreement.signatures.exists():
        raise AgreementError(
            _(
                "A party has signed this agreement, so its signed document is "
                "final. To change it, draft a new agreement."
            )
        )
    check_document(upload)

    replaced = agreement.document.name
    # A name of Braid's own: the sender's file name may carry anything.
    agreement.document.save(f"agreement-{agreement.pk}.pdf", upload, save=True)
    if replaced:
        # Only once the new name is committed: a rollback keeps the old one.
        storage = agreement.document.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    logger.info(
        "agreement %s document %s by user %s (%s bytes)",
        agreement.pk,
        "replaced" if replaced else "attached",
        user.pk,
        upload.size,
    )


@transaction.atomic
def sign(agreement: Agreement, organization: Organization, user: User) -> Signature:
    """Record that the user signed the agreement for a party organization."""
    decision = permissions.can_sign(user, agreement, organization)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
    agreement = _locked(agreement)
    if agreement.terminated_at is not None:
        raise AgreementError(_("This agreement has been terminated."))
    today = timezone.localdate()
    if agreement.ends_on < today:
        raise AgreementError(_("This agreement has ended; it can no longer be signed."))
    if agreement.destroyed_by(today):
        raise AgreementError(
            _("This agreement's destruction date has come; it can no longer be signed.")
        )
    if agreement.signatures.filter(organization=organization).exists():
        raise AgreementError(
            _("%(organization)s has already signed this agreement.")
            % {"organization": organization.name}
        )

    signature = Signature.objects.create(
        agreement=agreement,
        organization=organization,
        signed_by=user,
        signed_at=timezone.now(),
    )
    logger.info(
        "agreement %s signed for organization %s by user %s",
        agreement.pk,
        organization.pk,
        user.pk,
    )
    return signature


@transaction.atomic
def terminate(agreement: Agreement, user: User, reason: str) -> Agreement:
    """End the agreement now: from this moment it grants nothing."""
    decision = permissions.can_terminate(user, agreement)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
    if not reason.strip():
        raise ValidationError(
            {"reason": _("Say why the agreement is terminated.")}, code="required"
        )
    agreement = _locked(agreement)
    if agreement.terminated_at is not None:
        raise AgreementError(_("This agreement has already been terminated."))

    agreement.terminated_at = timezone.now()
    agreement.terminated_by = user
    agreement.termination_reason = reason.strip()
    agreement.save(
        update_fields=["terminated_at", "terminated_by", "termination_reason"]
    )
    logger.info("agreement %s terminated by user %s", agreement.pk, user.pk)
    return agreement


@transaction.atomic
def withhold(
    agreement: Agreement,
    contributor: Organization,
    category: str,
    recipient: Organization | None,
    user: User,
    reason: str = "",
) -> Withholding:
    """Hold a contributor's data back from a category or recipient, or all."""
    decision = permissions.can_withhold(user, agreement, contributor)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
    agreement = _locked(agreement)
    _check_withholding(agreement, contributor, category, recipient)

    withholding = Withholding.objects.create(
        agreement=agreement,
        contributor=contributor,
        category=category,
        recipient=recipient,
        reason=reason.strip(),
        started_at=timezone.now(),
        started_by=user,
    )
    logger.info(
        "agreement %s: organization %s withholds (withholding %s) by user %s",
        agreement.pk,
        contributor.pk,
        withholding.pk,
        user.pk,
    )
    return withholding


def _check_withholding(
    agreement: Agreement,
    contributor: Organization,
    category: str,
    recipient: Organization | None,
) -> None:
    if agreement.terminated_at is not None:
        raise AgreementError(_("This agreement has been terminated."))
    if category and category not in agreement.categories:
        raise ValidationError(
            {"category": _("This agreement does not share that category.")}
        )
    if recipient is not None and not agreement.covers_recipient(recipient):
        raise ValidationError(
            {
                "recipient": _("%(organization)s receives nothing under it.")
                % {"organization": recipient.name}
            }
        )
    already = agreement.withholdings.filter(
        contributor=contributor,
        category=category,
        recipient=recipient,
        lifted_at__isnull=True,
    )
    if already.exists():
        raise AgreementError(_("This is already withheld."))


@transaction.atomic
def lift(withholding: Withholding, user: User) -> Withholding:
    """End a withholding; its row stays as the record."""
    Withholding.objects.select_for_update().values_list("pk").get(pk=withholding.pk)
    withholding.refresh_from_db()
    if not any(
        org.pk == withholding.contributor_id
        for org in permissions.admin_organizations(user)
    ):
        raise PermissionDenied(
            _("Only an admin of %(organization)s lifts what it withholds.")
            % {"organization": withholding.contributor.name}
        )
    if withholding.lifted_at is not None:
        raise AgreementError(_("This withholding has already been lifted."))

    withholding.lifted_at = timezone.now()
    withholding.lifted_by = user
    withholding.save(update_fields=["lifted_at", "lifted_by"])
    logger.info(
        "agreement %s: withholding %s lifted by user %s",
        withholding.agreement_id,
        withholding.pk,
        user.pk,
    )
    return withholding


def _locked(agreement: Agreement) -> Agreement:
    """Lock the agreement's row and bring the caller's copy up to date."""
    Agreement.objects.select_for_update().values_list("pk").get(pk=agreement.pk)
    agreement.refresh_from_db()
    return agreement


def _require_unsigned(agreement: Agreement) -> None:
    if agreement.terminated_at is not None:
        raise AgreementError(_("This agreement has been terminated."))
    if agreement.signatures.exists():
        raise AgreementError(
            _(
                "A party has signed this agreement, so its terms are final. To "
                "change them, draft a new agreement."
            )
        )
