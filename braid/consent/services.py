"""Recording consent: form versions, guardians, consents and their endings.

Each change runs in one transaction and says who made it and when. A
consent missing any part the law and the decision point need is refused
with a message naming every missing part, so that the person entering a
paper form can fix them all at once.
"""

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from braid.access.policy import is_steward
from braid.agreements.models import (
    Purpose,
    category_labels,
    kind_labels,
    purpose_labels,
)
from braid.children.models import Child
from braid.community.models import Organization, OrganizationKind
from braid.consent import permissions
from braid.consent.evaluation import adult_on
from braid.consent.models import (
    Consent,
    ConsentEvent,
    ConsentForm,
    ConsentVerification,
    Decision,
    EventKind,
    FormVersion,
    Guardian,
    Method,
    Signer,
)
from braid.consent.status import superseding
from braid.records.models import Category

logger = logging.getLogger(__name__)

SCAN_MAX_BYTES = 10 * 1024 * 1024
# The first bytes of each kind of scan accepted, with its extension and
# content type. A name or a browser's claim is not trusted.
SCAN_SIGNATURES = [
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
]
SCAN_CONTENT_TYPES = {ext: content_type for _, ext, content_type in SCAN_SIGNATURES}
PAPER_METHODS = {Method.PAPER, Method.STAFF_ENTERED}
# How far ahead of this server's clock a moment typed in may be: a second
# computer's clock, or a minute spent on the page.
CLOCK_TOLERANCE = timedelta(minutes=5)
PROVISION_KEYS = {
    "decision",
    "recipients",
    "recipient_kinds",
    "purposes",
    "categories",
    "provisions",
}


class ConsentRefused(ValidationError):
    """A consent that cannot be recorded; each message names one part.

    Each error's ``code`` names the part (``child``, ``form_version``,
    ``signer``, ``authority``, ``recipients``, ``purposes``, ``categories``,
    ``period``, ``signed_at``, ``method``, ``scan``, ``account``,
    ``entered_by``, ``organization``, ``provisions``, ``decision``,
    ``supersedes``).
    """

    def __str__(self) -> str:
        return " ".join(self.messages)


# Form versions


def publish_form_version(
    *,
    form: ConsentForm,
    title_en: str,
    title_es: str,
    text_en: str,
    text_es: str,
    categories: Sequence[str],
    purposes: Sequence[str],
    recipients: Iterable[Organization] = (),
    recipient_kinds: Sequence[str] = (),
    user: User,
    at: datetime | None = None,
) -> FormVersion:
    """Publish the next version of a form; earlier ones stay as they are."""
    if not is_steward(user):
        raise PermissionDenied(_("Only the steward publishes consent forms."))

    recipients = list(recipients)
    problems = _form_problems(
        [title_en, title_es, text_en, text_es],
        categories,
        purposes,
        recipients,
        recipient_kinds,
    )
    if problems:
        raise ValidationError(problems)

    with transaction.atomic():
        ConsentForm.objects.select_for_update().get(pk=form.pk)
        last = form.versions.aggregate(last=Max("number"))["last"] or 0
        version = FormVersion.objects.create(
            form=form,
            number=last + 1,
            title_en=title_en.strip(),
            title_es=title_es.strip(),
            text_en=text_en.strip(),
            text_es=text_es.strip(),
            categories=list(categories),
            purposes=list(purposes),
            recipient_kinds=list(recipient_kinds),
            published_at=at or timezone.now(),
        )
        version.recipients.set(recipients)
    logger.info(
        "consent form %s version %s published by user %s",
        form.pk,
        version.number,
        user.pk,
    )
    return version


def _form_problems(
    texts: list[str],
    categories: Sequence[str],
    purposes: Sequence[str],
    recipients: list[Organization],
    recipient_kinds: Sequence[str],
) -> list[ValidationError]:
    """Return every problem of a form version, each coded by its field."""
    missing_texts = [
        ("title_en", _("The title in English is missing.")),
        ("title_es", _("The title in Spanish is missing.")),
        ("text_en", _("The text in English is missing.")),
        ("text_es", _("The text in Spanish is missing.")),
    ]
    problems = [
        ValidationError(message, code=code)
        for text, (code, message) in zip(texts, missing_texts, strict=True)
        if not text.strip()
    ]
    if not categories or set(categories) - set(Category.values):
        problems.append(
            ValidationError(
                _("A form names the records (categories) it covers."),
                code="categories",
            )
        )
    if not purposes or set(purposes) - set(Purpose.values):
        problems.append(
            ValidationError(_("A form names the purposes it covers."), code="purposes")
        )
    if not (recipients or recipient_kinds) or (
        set(recipient_kinds) - set(OrganizationKind.values)
    ):
        problems.append(
            ValidationError(
                _("A form names who may receive the records."), code="recipients"
            )
        )
    return problems


# Guardians


def add_guardian(
    child: Child,
    name: str,
    relationship: str,
    email: str,
    phone: str,
    user: User,
    *,
    account: User | None = None,
    organization: Organization | None = None,
) -> Guardian:
    """Add a guardian to the child; ``account`` is their portal login.

    ``organization`` is the one of the user's organizations whose records
    name the guardian; it may be left out when the user acts for only one.
    """
    _require(permissions.can_record_consent(user, child))
    if child.merged_into_id is not None:
        raise ValidationError(
            _("This child was merged into another; add the guardian there.")
        )
    adding = recording_organization(user, child, organization)
    name = name.strip()
    if not name:
        raise ValidationError(_("A guardian needs a name."))
    email = email.strip()
    if email:
        validate_email(email)

    with transaction.atomic():
        guardian = Guardian.objects.create(
            child=child,
            name=name,
            relationship=relationship.strip(),
            email=email,
            phone=phone.strip(),
            user=account,
            organization=adding,
        )
    logger.info(
        "guardian %s added to child %s by user %s", guardian.pk, child.pk, user.pk
    )
    return guardian


def recording_organization(
    user: User, child: Child, chosen: Organization | None
) -> Organization:
    """Return which of the user's organizations acts, or refuse the choice."""
    choices = permissions.recording_organizations(user, child)
    if chosen is not None:
        if chosen not in choices:
            raise ValidationError(
                _(
                    "The organization: you do not record consents for this child "
                    "on behalf of %(organization)s."
                )
                % {"organization": chosen.name},
                code="organization",
            )
        return chosen
    if len(choices) != 1:
        raise ValidationError(
            _("Which of your organizations records this is missing."),
            code="organization",
        )
    return choices[0]


def restrict_guardian(
    guardian: Guardian, at: datetime, note: str, user: User
) -> Guardian:
    """Record a court order: from ``at`` on, the guardian's consent is void."""
    _require(permissions.can_restrict_guardian(user, guardian.child))
    note = note.strip()
    if not note:
        raise ValidationError(
            _("Say which court order restricts the guardian, and its date.")
        )

    with transaction.atomic():
        locked = Guardian.objects.select_for_update().get(pk=guardian.pk)
        if locked.restricted_at is not None:
            raise ValidationError(
                _("This guardian is already restricted by a court order.")
            )
        locked.restricted_at = at
        locked.restriction_note = note
        locked.save(update_fields=["restricted_at", "restriction_note"])
    logger.info(
        "guardian %s of child %s restricted from %s by user %s",
        guardian.pk,
        guardian.child_id,
        at.isoformat(),
        user.pk,
    )
    guardian.refresh_from_db()
    return guardian


# Dates of birth


def birth_date(child: Child) -> date | None:
    """Return the earliest date of birth the child's records give, if any.

    Records that disagree are settled toward the older child: rights pass to
    the student no later than any record says they should.
    """
    dates: list[date] = [
        born
        for born in child.source_records.values_list("birth_date", flat=True)
        if born is not None
    ]
    return min(dates, default=None)


def is_adult(child: Child, at: datetime) -> bool | None:
    """Whether the child is 18 at ``at`` (local day); None when unknown."""
    adult = adult_on(birth_date(child))
    if adult is None:
        return None
    return timezone.localdate(at) >= adult


# Scans


def scan_extension(upload: File) -> str:
    """Return the scan's extension, or refuse a file not PDF, PNG or JPEG."""
    if upload.size is not None and upload.size > SCAN_MAX_BYTES:
        raise ValidationError(
            _("The scan is larger than %(megabytes)s MB.")
            % {"megabytes": SCAN_MAX_BYTES // (1024 * 1024)},
            code="scan",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension, _type in SCAN_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise ValidationError(_("The scan must be a PDF, PNG or JPEG file."), code="scan")


def scan_content_type(consent: Consent) -> str:
    extension = (consent.scan.name or "").rsplit(".", 1)[-1].lower()
    return SCAN_CONTENT_TYPES.get(extension, "application/octet-stream")


# Consents


def give_consent(
    *,
    child: Child | None,
    form_version: FormVersion | None,
    signer: str | None,
    guardian: Guardian | None = None,
    recipients: Iterable[int | Organization] = (),
    recipient_kinds: Sequence[str] = (),
    purposes: Sequence[str] = (),
    categories: Sequence[str] = (),
    provisions: Any = (),
    decision: str = Decision.PERMIT,
    valid_from: datetime | None,
    valid_until: datetime | None = None,
    until_event: str = "",
    signed_at: datetime | None,
    method: str | None,
    scan: File | None = None,
    user: User | None,
    supersedes: Consent | None = None,
    organization: Organization | None = None,
) -> Consent:
    """Record a consent, or refuse it naming every part that is missing.

    ``organization`` is the one of the user's organizations that records it;
    it may be left out when the user acts for only one. A guardian's own
    electronic consent is recorded by no organization.
    """
    if child is not None and user is not None:
        _require_recorder(user, child, method)

    terms = _Terms(
        child=child,
        form_version=form_version,
        signer=signer,
        guardian=guardian,
        recipients=[r.pk if isinstance(r, Organization) else r for r in recipients],
        recipient_kinds=list(recipient_kinds),
        purposes=list(purposes),
        categories=list(categories),
        provisions=list(provisions) if isinstance(provisions, tuple) else provisions,
        decision=decision,
        valid_from=valid_from,
        valid_until=valid_until,
        until_event=until_event.strip(),
        signed_at=signed_at,
        method=method,
        scan=scan,
        user=user,
        supersedes=supersedes,
        organization=organization,
    )
    refusals = terms.refusals()
    if refusals:
        raise ConsentRefused(refusals)

    with transaction.atomic():
        if supersedes is not None:
            _lock_unsuperseded(supersedes)
        consent = terms.build()
        stored = _store_scan(consent, scan)
        try:
            consent.save()
        except BaseException:
            if stored:
                consent.scan.delete(save=False)
            raise
    logger.info(
        "consent %s for child %s recorded (%s, supersedes %s) by user %s "
        "for organization %s",
        consent.pk,
        consent.child_id,
        consent.method,
        consent.supersedes_id,
        consent.entered_by_id,
        consent.organization_id,
    )
    return consent


def resign(old: Consent, **terms: Any) -> Consent:
    """Record a new consent for the same child that supersedes ``old``.

    ``old`` is left as it was; it ends when the new consent starts.
    """
    user = terms.get("user")
    if (
        user is not None
        and terms.get("method") != Method.ELECTRONIC
        and not permissions.can_see_consent(user, old)
    ):
        raise PermissionDenied(
            _("Consent %(consent)s was recorded by another organization.")
            % {"consent": old.pk}
        )
    if superseding(old) is not None:
        raise ConsentRefused(
            [
                ValidationError(
                    _(
                        "Consent %(consent)s was already superseded; re-sign the "
                        "newest one."
                    )
                    % {"consent": old.pk},
                    code="supersedes",
                )
            ]
        )
    return give_consent(child=old.child, supersedes=old, **terms)


def revoke(consent: Consent, at: datetime, user: User, note: str = "") -> ConsentEvent:
    """Revoke a consent from ``at`` on; earlier disclosures stay lawful."""
    # A guardian takes back a guardian's consent through their own account;
    # anyone else revokes on the strength of a written request.
    own = consent.signer == Signer.GUARDIAN and (
        permissions.guardian_of(user, consent.child, at) is not None
    )
    if not own:
        _require_keeper(user, consent)
    if at < consent.signed_at:
        raise ValidationError(
            _("A consent cannot be revoked before it was signed."), code="at"
        )
    _refuse_future(at)
    return _end(consent, EventKind.REVOKED, at, user, note)


def record_event(
    consent: Consent, at: datetime, user: User, note: str = ""
) -> ConsentEvent:
    """Record that the event a consent was given until has occurred."""
    _require_keeper(user, consent)
    if not consent.until_event:
        raise ValidationError(
            _("This consent was not given until an event."), code="until_event"
        )
    if at < consent.valid_from:
        raise ValidationError(
            _("The event cannot end a consent before it starts."), code="at"
        )
    _refuse_future(at)
    return _end(consent, EventKind.EVENT_OCCURRED, at, user, note)


def verify(consent: Consent, user: User, note: str = "") -> ConsentVerification:
    """Record that the steward checked the consent against its scan."""
    _require(permissions.can_verify(user))
    if not consent.scan:
        raise ValidationError(
            _("Consent %(consent)s has no scan to verify it against.")
            % {"consent": consent.pk},
            code="scan",
        )

    with transaction.atomic():
        # Locking the consent makes a second verification wait for the first.
        Consent.objects.select_for_update().get(pk=consent.pk)
        if ConsentVerification.objects.filter(consent=consent).exists():
            raise ValidationError(
                _("Consent %(consent)s was already verified.")
                % {"consent": consent.pk},
                code="twice",
            )
        verification = ConsentVerification.objects.create(
            consent=consent,
            verified_by=user,
            verified_at=timezone.now(),
            note=note.strip(),
        )
    logger.info("consent %s verified by user %s", consent.pk, user.pk)
    return verification


def _refuse_future(at: datetime) -> None:
    # A moment still to come would leave the consent in force until then,
    # and refuse the corrected one as a second.
    if at > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError(
            _("That moment is still to come: give when it happened, now or earlier."),
            code="at",
        )


def _end(
    consent: Consent, kind: str, at: datetime, user: User, note: str
) -> ConsentEvent:
    with transaction.atomic():
        # Locking the consent makes a second revocation wait for the first.
        Consent.objects.select_for_update().get(pk=consent.pk)
        if ConsentEvent.objects.filter(consent=consent, kind=kind).exists():
            raise ValidationError(
                _("Consent %(consent)s was already revoked.")
                if kind == EventKind.REVOKED
                else _("The event of consent %(consent)s was already recorded."),
                params={"consent": consent.pk},
                code="twice",
            )
        event = ConsentEvent.objects.create(
            consent=consent, kind=kind, at=at, recorded_by=user, note=note.strip()
        )
    logger.info(
        "consent %s: %s from %s, recorded by user %s",
        consent.pk,
        kind,
        at.isoformat(),
        user.pk,
    )
    return event


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))


def _require_keeper(user: User, consent: Consent) -> None:
    """Refuse all but the organization that recorded it, and the steward."""
    _require(permissions.can_record_consent(user, consent.child))
    if not permissions.can_see_consent(user, consent):
        raise PermissionDenied(
            _("Consent %(consent)s was recorded by another organization.")
            % {"consent": consent.pk}
        )


def _require_recorder(user: User, child: Child, method: str | None) -> None:
    if method == Method.ELECTRONIC:
        if not Guardian.objects.filter(child=child, user_id=user.pk).exists():
            raise PermissionDenied(
                _("Only a guardian of this child signs for them electronically.")
            )
        return
    _require(permissions.can_record_consent(user, child))


def _lock_unsuperseded(old: Consent) -> None:
    Consent.objects.select_for_update().get(pk=old.pk)
    if Consent.objects.filter(supersedes=old).exists():
        raise ConsentRefused(
            [
                ValidationError(
                    _(
                        "Consent %(consent)s was already superseded; re-sign the "
                        "newest one."
                    )
                    % {"consent": old.pk},
                    code="supersedes",
                )
            ]
        )


def _store_scan(consent: Consent, scan: File | None) -> bool:
    """Save the scan under a random name: an upload's may hold a child's."""
    if scan is None or consent.method not in PAPER_METHODS:
        return False
    name = f"{uuid.uuid4().hex}.{scan_extension(scan)}"
    consent.scan.save(name, scan, save=False)
    return True


@dataclass
class _Terms:
    """A consent's parts as given, checked one by one."""

    child: Child | None
    form_version: FormVersion | None
    signer: str | None
    guardian: Guardian | None
    recipients: list[Any]
    recipient_kinds: list[str]
    purposes: list[str]
    categories: list[str]
    provisions: list[Any]
    decision: str
    valid_from: datetime | None
    valid_until: datetime | None
    until_event: str
    signed_at: datetime | None
    method: str | None
    scan: File | None
    user: User | None
    supersedes: Consent | None
    organization: Organization | None = None
    _problems: list[ValidationError] = field(default_factory=list)

    def refusals(self) -> list[ValidationError]:
        self._problems = []
        self._check_child()
        self._check_organization()
        self._check_form_version()
        self._check_signer()
        self._check_decision()
        self._check_recipients()
        self._check_purposes()
        self._check_categories()
        self._check_provisions()
        self._check_period()
        self._check_signed_at()
        self._check_method()
        if self.user is None:
            self._add("entered_by", _("Who recorded the consent is missing."))
        return self._problems

    def build(self) -> Consent:
        assert self.child and self.form_version and self.user
        assert self.valid_from and self.signed_at and self.method and self.signer
        return Consent(
            child=self.child,
            form_version=self.form_version,
            supersedes=self.supersedes,
            signer=self.signer,
            guardian=self.guardian if self.signer == Signer.GUARDIAN else None,
            decision=self.decision,
            recipients=sorted(set(self.recipients)),
            recipient_kinds=self.recipient_kinds,
            purposes=self.purposes,
            categories=self.categories,
            provisions=self.provisions,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            until_event=self.until_event,
            signed_at=self.signed_at,
            method=self.method,
            entered_by=self.user,
            organization=self.organization,
        )

    def _add(self, code: str, message: str) -> None:
        self._problems.append(ValidationError(message, code=code))

    def _check_child(self) -> None:
        if self.child is None:
            self._add("child", _("The child is missing."))
        elif self.child.merged_into_id is not None:
            self._add(
                "child",
                _(
                    "The child: community ID %(id)s was merged into another child; "
                    "record the consent there."
                )
                % {"id": self.child.public_id},
            )
        if (
            self.supersedes is not None
            and self.child is not None
            and self.supersedes.child_id != self.child.pk
        ):
            self._add(
                "supersedes", _("The consent it supersedes is for another child.")
            )

    def _check_organization(self) -> None:
        # A guardian's own electronic consent is recorded by no organization.
        if self.method == Method.ELECTRONIC:
            self.organization = None
            return
        if self.user is None or self.child is None:
            return
        try:
            self.organization = recording_organization(
                self.user, self.child, self.organization
            )
        except ValidationError as error:
            self.organization = None
            self._add("organization", error.messages[0])

    def _check_form_version(self) -> None:
        if self.form_version is None:
            self._add("form_version", _("The form version is missing."))

    def _check_signer(self) -> None:
        if self.signer == Signer.GUARDIAN:
            self._check_guardian()
        elif self.signer == Signer.STUDENT:
            self._check_student()
        else:
            self._add("signer", _("Who signed (a guardian or the student) is missing."))

    def _check_guardian(self) -> None:
        guardian = self.guardian
        if guardian is None:
            self._add(
                "authority",
                _("The signer's authority: which guardian signed is missing."),
            )
            return
        if self.child is not None and guardian.child_id != self.child.pk:
            self._add(
                "authority",
                _(
                    "The signer's authority: guardian %(guardian)s is not a guardian "
                    "of this child."
                )
                % {"guardian": guardian.pk},
            )
        else:
            self._check_guardian_source(guardian)
        restricted = guardian.restricted_at
        if restricted is not None and (
            self.signed_at is None or restricted <= self.signed_at
        ):
            self._add(
                "authority",
                _(
                    "The signer's authority: guardian %(guardian)s was restricted by "
                    "a court order when signing."
                )
                % {"guardian": guardian.pk},
            )
        if self.method == Method.ELECTRONIC and (
            self.user is None or guardian.user_id != self.user.pk
        ):
            self._add(
                "account",
                _(
                    "The signed-in guardian's own account is missing: an electronic "
                    "consent is signed by the guardian through their own account."
                ),
            )

    def _check_guardian_source(self, guardian: Guardian) -> None:
        # Staff name the guardians their own records name; the steward, who
        # administers every consent, may name any guardian of the child.
        recorder = self.organization
        if recorder is None or recorder.is_backbone:
            return
        if guardian.organization_id != recorder.pk:
            self._add(
                "authority",
                _(
                    "The signer's authority: guardian %(guardian)s was not added "
                    "by %(organization)s; add the guardian as your records name "
                    "them."
                )
                % {"guardian": guardian.pk, "organization": recorder.name},
            )

    def _check_student(self) -> None:
        if self.guardian is not None:
            self._add(
                "authority",
                _(
                    "The signer's authority: a consent the student signs names no "
                    "guardian."
                ),
            )
        if self.method == Method.ELECTRONIC:
            self._add(
                "account",
                _(
                    "The signed-in guardian's own account is missing: a student "
                    "signs on paper."
                ),
            )
        if self.child is None or self.signed_at is None:
            return
        adult = is_adult(self.child, self.signed_at)
        if adult is None:
            self._add(
                "authority",
                _(
                    "The signer's authority: the child's date of birth is not known, "
                    "so the student's age at signing cannot be checked."
                ),
            )
        elif not adult:
            self._add(
                "authority",
                _(
                    "The signer's authority: the student was not yet 18 when "
                    "signing; a guardian signs until then."
                ),
            )

    def _check_decision(self) -> None:
        if self.decision not in Decision.values:
            self._add("decision", _("The decision (permit or deny) is missing."))

    def _check_recipients(self) -> None:
        if not (self.recipients or self.recipient_kinds):
            self._add(
                "recipients",
                _(
                    "The recipients (organizations or classes of organizations) "
                    "are missing."
                ),
            )
            return
        unknown_kinds = set(self.recipient_kinds) - set(OrganizationKind.values)
        organizations = Organization.objects.in_bulk(
            [r for r in self.recipients if isinstance(r, int)]
        )
        if unknown_kinds or len(organizations) != len(set(self.recipients)):
            self._add(
                "recipients", _("The recipients include an unknown organization.")
            )
            return
        version = self.form_version
        if version is None:
            return
        allowed_ids = {org.pk for org in version.recipients.all()}
        outside = [
            org
            for org in organizations.values()
            if org.pk not in allowed_ids and org.kind not in version.recipient_kinds
        ]
        outside_kinds = sorted(set(self.recipient_kinds) - set(version.recipient_kinds))
        if outside or outside_kinds:
            self._add(
                "recipients",
                _(
                    "The recipients: %(names)s are not named on form version "
                    "%(version)s."
                )
                % {
                    "names": ", ".join(
                        sorted(
                            [org.name for org in outside] + kind_labels(outside_kinds)
                        )
                    ),
                    "version": version.number,
                },
            )

    def _check_purposes(self) -> None:
        self._check_within(
            "purposes",
            self.purposes,
            Purpose.values,
            self.form_version.purposes if self.form_version else None,
            purpose_labels,
            _("The purposes are missing."),
            _("The purposes: %(values)s are not on form version %(version)s."),
        )

    def _check_categories(self) -> None:
        self._check_within(
            "categories",
            self.categories,
            Category.values,
            self.form_version.categories if self.form_version else None,
            category_labels,
            _("The records (categories) are missing."),
            _(
                "The records (categories): %(values)s are not on form version "
                "%(version)s."
            ),
        )

    def _check_within(
        self,
        code: str,
        given: list[str],
        known: list[str],
        stated: list[str] | None,
        labels: Callable[[list[str]], list[str]],
        missing: str,
        outside: str,
    ) -> None:
        if not given:
            self._add(code, missing)
            return
        allowed = set(known) if stated is None else set(known) & set(stated)
        extra = sorted(set(given) - allowed)
        if extra:
            self._add(
                code,
                outside
                % {
                    "values": ", ".join(labels(extra)),
                    "version": self.form_version.number if self.form_version else "",
                },
            )

    def _check_provisions(self) -> None:
        problem = provision_problem(self.provisions)
        if problem:
            self._add(
                "provisions",
                _("The exceptions: %(problem)s") % {"problem": problem},
            )

    def _check_period(self) -> None:
        if self.valid_from is None:
            self._add(
                "period", _("The period: the moment the consent starts is missing.")
            )
        if self.valid_until is None and not self.until_event:
            self._add(
                "period",
                _("The period: an end date or the event it lasts until is missing."),
            )
        if (
            self.valid_from is not None
            and self.valid_until is not None
            and self.valid_until <= self.valid_from
        ):
            self._add("period", _("The period: it ends before it starts."))
        # Consent speaks from its signature on: it cannot reach back to allow
        # sharing before the parent agreed. Days are compared, as a paper form
        # gives only the day.
        signed = self.signed_at
        if (
            self.valid_from is not None
            and signed is not None
            and signed <= timezone.now()
            and timezone.localdate(self.valid_from) < timezone.localdate(signed)
        ):
            self._add(
                "period", _("The period: it starts before the consent was signed.")
            )

    def _check_signed_at(self) -> None:
        if self.signed_at is None:
            self._add("signed_at", _("When the consent was signed is missing."))
        elif self.signed_at > timezone.now():
            self._add(
                "signed_at", _("When the consent was signed: that is still to come.")
            )
        elif self._signed_before_publication():
            assert self.form_version is not None
            self._add(
                "signed_at",
                _(
                    "When the consent was signed: before form version %(version)s "
                    "was published on %(published)s; the parent signed an earlier "
                    "version."
                )
                % {
                    "version": self.form_version.number,
                    "published": date_format(
                        timezone.localdate(self.form_version.published_at)
                    ),
                },
            )

    def _signed_before_publication(self) -> bool:
        # The first version of a form may have been in use on paper before it
        # was entered into Braid; a later one did not exist before it was
        # published, as the earlier one was what parents were given.
        version = self.form_version
        if version is None or self.signed_at is None or version.number == 1:
            return False
        return timezone.localdate(self.signed_at) < timezone.localdate(
            version.published_at
        )

    def _check_method(self) -> None:
        if self.method not in Method.values:
            self._add(
                "method",
                _(
                    "How the consent was signed (on paper, entered by staff, or "
                    "electronically) is missing."
                ),
            )
        elif self.method in PAPER_METHODS:
            self._check_scan()

    def _check_scan(self) -> None:
        if self.scan is None:
            self._add("scan", _("The scan of the signed form is missing."))
            return
        try:
            scan_extension(self.scan)
        except ValidationError as error:
            self._add("scan", error.messages[0])


def provision_problem(provisions: Any, depth: int = 0) -> str | None:
    """Return what is wrong with a tree of exceptions, or None."""
    if not isinstance(provisions, list):
        return _("they must be a list.")
    if depth > 10:
        return _("they are nested too deeply.")
    for node in provisions:
        problem = _node_problem(node, depth)
        if problem:
            return problem
    return None


def _node_problem(node: Any, depth: int) -> str | None:
    if not isinstance(node, dict):
        return _("each exception must be a set of named parts.")
    unknown = sorted(set(node) - PROVISION_KEYS)
    if unknown:
        return _("unknown part %(part)s.") % {"part": ", ".join(unknown)}
    # A node without a decision flips its parent's, as in FHIR Consent.
    if "decision" in node and node["decision"] not in Decision.values:
        return _("an exception's decision is permit or deny.")
    known = {
        "recipient_kinds": OrganizationKind.values,
        "purposes": Purpose.values,
        "categories": Category.values,
    }
    for key, values in known.items():
        given = node.get(key, [])
        if not isinstance(given, list) or set(given) - set(values):
            return _("unknown value in %(part)s.") % {"part": key}
    ids = node.get("recipients", [])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        return _("recipients must be organization ids.")
    if len(Organization.objects.in_bulk(ids)) != len(set(ids)):
        return _("the recipients include an unknown organization.")
    return provision_problem(node.get("provisions", []), depth + 1)
