"""Parents' consent: forms in plain language, and each consent given on one.

A consent once given never changes. Re-signing creates a new consent that
supersedes it; revoking, and the event a consent was given until, are
events recorded beside it; expiry needs no record at all. So every
disclosure made under a consent can still be traced to what it said then.

Only the child a consent or a guardian is filed under follows the mapping:
when a change to the mapping takes the records an organization recorded
them from to another child, they go along (``braid.linkage.following``).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.children.models import Child
from braid.community.models import Organization


class ConsentForm(models.Model):
    """A consent form the community uses, in versions."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["title"]
        verbose_name = _("consent form")
        verbose_name_plural = _("consent forms")

    def __str__(self) -> str:
        return self.title

    def current(self) -> "FormVersion | None":
        return self.versions.order_by("-number").first()


class FormVersion(models.Model):
    """One wording of a form, in English and Spanish, as a parent read it.

    FERPA (34 CFR 99.30) asks that the form say which records may be
    disclosed, the purpose, and to whom; ``categories``, ``purposes`` and
    the recipients say so in a form the decision point can read, and the
    texts say so in words.
    """

    form = models.ForeignKey(
        ConsentForm, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_es = models.CharField(_("title (Spanish)"), max_length=200)
    text_en = models.TextField(_("text (English)"))
    text_es = models.TextField(_("text (Spanish)"))
    categories = models.JSONField(_("records (data categories)"), default=list)
    purposes = models.JSONField(_("purposes"), default=list)
    recipients = models.ManyToManyField(
        Organization, blank=True, related_name="+", verbose_name=_("recipients")
    )
    recipient_kinds = models.JSONField(
        _("classes of recipients"), default=list, blank=True
    )
    published_at = models.DateTimeField(_("published"))

    class Meta:
        ordering = ["form", "-number"]
        verbose_name = _("consent form version")
        verbose_name_plural = _("consent form versions")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "number"], name="one_number_per_form_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.number}"

    def text(self, language: str) -> str:
        return self.text_es if language.startswith("es") else self.text_en

    def title(self, language: str) -> str:
        return self.title_es if language.startswith("es") else self.title_en


class Guardian(models.Model):
    """A person with authority for a child, as the child's records name them.

    A court order can restrict a guardian; from then on their consent does
    not count.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="guardians")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guardianships",
        verbose_name=_("portal account"),
    )
    restricted_at = models.DateTimeField(
        _("restricted by a court order from"), null=True, blank=True
    )
    restriction_note = models.TextField(_("court order"), blank=True)
    # Whose records the name came from: only that organization reads it.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by organization"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["child", "name"]
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")

    def __str__(self) -> str:
        return f"{_('Guardian')} {self.pk}"


class Decision(models.TextChoices):
    PERMIT = "permit", _("Permit")
    DENY = "deny", _("Deny")


class Signer(models.TextChoices):
    GUARDIAN = "guardian", _("A guardian")
    STUDENT = "student", _("The student (18 or older)")


class Method(models.TextChoices):
    PAPER = "paper", _("On paper")
    STAFF_ENTERED = "staff-entered", _("Entered by staff, scan attached")
    ELECTRONIC = "electronic", _("Electronically, by the signed-in guardian")


class Consent(models.Model):
    """A consent for one child: a root decision with nested exceptions.

    The root applies to the recipients, purposes and categories given here
    (an empty list meaning any); ``provisions`` holds the exceptions as a
    tree in the manner of HL7 FHIR Consent.provision: each node has a
    ``decision`` and any of ``recipients`` (organization ids),
    ``recipient_kinds``, ``purposes``, ``categories`` and ``provisions``.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="consents")
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="consents"
    )
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    signer = models.CharField(_("signed by"), max_length=20, choices=Signer.choices)
    guardian = models.ForeignKey(
        Guardian,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("guardian"),
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PERMIT
    )
    # Organization ids, kept on the row so that nothing changes them later.
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    recipient_kinds = models.JSONField(
        _("classes of recipients"), default=list, blank=True
    )
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    provisions = models.JSONField(_("exceptions"), default=list, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    until_event = models.CharField(_("until the event"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed"))
    method = models.CharField(
        _("how it was signed"), max_length=20, choices=Method.choices
    )
    scan = models.FileField(
        _("scan of the signed form"), upload_to="consents/", blank=True
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    # The organization the person who entered it acted for; empty for a
    # guardian's own electronic consent and for consents recorded before
    # Braid kept it. It alone sees the consent's terms and scan, and cannot
    # alone vouch for a consent that lets it receive data.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by organization"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{_('Consent')} {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(
                _("A consent once given never changes; re-sign or revoke it.")
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("A consent is never deleted; revoke it."))

    @property
    def version(self) -> int:
        """How many consents this one supersedes, plus one."""
        number, current = 1, self
        while current.supersedes_id is not None:
            number += 1
            current = current.supersedes  # type: ignore[assignment]
        return number


class ConsentVerification(models.Model):
    """The steward's check of a consent against its scan; never changed.

    A consent an organization records naming itself as a recipient counts
    for releases to that organization only from this check on.
    """

    consent = models.OneToOneField(
        Consent,
        on_delete=models.PROTECT,
        related_name="verification",
        verbose_name=_("consent"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("consent verification")
        verbose_name_plural = _("consent verifications")

    def __str__(self) -> str:
        return f"{_('Verification of consent')} {self.consent_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(_("A verification once recorded never changes."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("A verification is never deleted."))


class EventKind(models.TextChoices):
    REVOKED = "revoked", _("Revoked")
    EVENT_OCCURRED = "event-occurred", _("The event it was given until occurred")


class ConsentEvent(models.Model):
    """Something that ended a consent from a moment on."""

    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("takes effect"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
