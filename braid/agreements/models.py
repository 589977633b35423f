"""Data-sharing agreements: who may receive which children's data, and why.

An agreement grants nothing until every party has signed it and its start
date has come; it stops granting when it ends, when its destruction date
passes, or when it is terminated. Once signed by anyone its terms do not
change: an amendment is a new agreement.
"""

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from braid.community.models import Organization, OrganizationKind
from braid.records.models import Category


class Level(models.TextChoices):
    """How much of a child's data a recipient sees, from least to most."""

    AGGREGATE = "aggregate", _("Aggregate (suppressed counts)")
    DEIDENTIFIED = "deidentified", _("De-identified child-level")
    IDENTIFIABLE = "identifiable", _("Identifiable child-level")


LEVEL_ORDER = {Level.AGGREGATE: 0, Level.DEIDENTIFIED: 1, Level.IDENTIFIABLE: 2}


class Purpose(models.TextChoices):
    SERVICE_COORDINATION = "service-coordination", _("Service coordination")
    PROGRAM_EVALUATION = "program-evaluation", _("Program evaluation")
    RESEARCH_STUDY = "research-study", _("Research study")
    AUDIT = "audit", _("Audit")
    FUNDER_REPORTING = "funder-reporting", _("Funder reporting")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Parent consent (FERPA 34 CFR 99.30)")
    FERPA_STUDIES = "ferpa-studies", _("FERPA studies exception (99.31(a)(6))")
    FERPA_AUDIT = (
        "ferpa-audit",
        _("FERPA audit or evaluation exception (99.31(a)(3), 99.35)"),
    )
    DIRECTORY = "directory", _("Directory information (99.31(a)(11), 99.37)")


# The FERPA exceptions are written agreements whose terms the law lists.
EXCEPTION_BASES = {LegalBasis.FERPA_STUDIES, LegalBasis.FERPA_AUDIT}


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed, not yet started")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Agreement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    contributors = models.ManyToManyField(
        Organization,
        related_name="agreements_contributing",
        verbose_name=_("contributing organizations"),
    )
    recipients = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="agreements_receiving",
        verbose_name=_("recipient organizations"),
    )
    # A class of recipients (every funder, say) rather than named ones; such
    # recipients do not sign.
    recipient_kinds = models.JSONField(
        _("classes of recipients"), default=list, blank=True
    )
    categories = models.JSONField(_("data categories"), default=list)
    level = models.CharField(_("level granted"), max_length=20, choices=Level.choices)
    purposes = models.JSONField(_("purposes"), default=list)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    scope = models.TextField(_("scope"), blank=True)
    data_list = models.TextField(_("data list"), blank=True)
    destruction_on = models.DateField(
        _("destruction date"),
        null=True,
        blank=True,
        help_text=_("The recipient's access ends by itself on this day."),
    )
    document = models.FileField(
        _("signed document (PDF)"), upload_to="agreements/", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    terminated_at = models.DateTimeField(_("terminated"), null=True, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    termination_reason = models.TextField(_("reason for termination"), blank=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title

    def parties(self) -> list[Organization]:
        """Return the signing parties: backbone, contributors, recipients."""
        found = {org.pk: org for org in self.contributors.all()}
        found.update({org.pk: org for org in self.recipients.all()})
        backbone = Organization.objects.filter(is_backbone=True).first()
        if backbone is not None:
            found[backbone.pk] = backbone
        return sorted(found.values(), key=lambda org: org.name)

    def state(self, at: datetime | None = None) -> AgreementState:
        at = at or timezone.now()
        if self.terminated_at is not None and self.terminated_at <= at:
            return AgreementState.TERMINATED
        today = timezone.localdate(at)
        # Past its end a draft is over too: nobody can sign it any more.
        if today > self.ends_on or self.destroyed_by(today):
            return AgreementState.EXPIRED
        signed = {s.organization_id for s in self.signatures.all() if s.signed_at <= at}
        if not {org.pk for org in self.parties()} <= signed:
            return AgreementState.DRAFT
        if today < self.starts_on:
            return AgreementState.SIGNED
        return AgreementState.ACTIVE

    def destroyed_by(self, day: date) -> bool:
        return self.destruction_on is not None and day >= self.destruction_on

    def covers_recipient(self, organization: Organization) -> bool:
        return organization in self.recipients.all() or (
            organization.kind in self.recipient_kinds
        )

    def get_recipient_kinds_display(self) -> list[str]:
        return kind_labels(self.recipient_kinds)

    def get_categories_display(self) -> list[str]:
        return category_labels(self.categories)

    def get_purposes_display(self) -> list[str]:
        return purpose_labels(self.purposes)


def _labels(choices: list[tuple[str, Any]], values: list[str]) -> list[str]:
    """Return the readable labels of stored choice values, in their order."""
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values]


def category_labels(values: list[str]) -> list[str]:
    return _labels(Category.choices, values)


def purpose_labels(values: list[str]) -> list[str]:
    return _labels(Purpose.choices, values)


def kind_labels(values: list[str]) -> list[str]:
    return _labels(OrganizationKind.choices, values)


class Signature(models.Model):
    """One party's signature on an agreement: who signed for it, and when."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="signatures"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"))

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organization"], name="one_signature_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.signed_at:%Y-%m-%d})"


class Withholding(models.Model):
    """A contributor holding back its data inside an agreement it signed.

    A blank category withholds every category, and no recipient every
    recipient: both blank is the contributor's authorization withdrawn.
    Lifting it sets ``lifted_at``; the row stays as the record.
    """

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="withholdings"
    )
    contributor = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True
    )
    recipient = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    reason = models.TextField(_("reason"), blank=True)
    started_at = models.DateTimeField(_("from"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("withholding")
        verbose_name_plural = _("withholdings")

    def __str__(self) -> str:
        return f"{self.contributor} withholds in {self.agreement}"

    def in_force(self, at: datetime) -> bool:
        return self.started_at <= at and (self.lifted_at is None or self.lifted_at > at)

    def covers(self, category: str, recipient: Organization) -> bool:
        return self.category in ("", category) and self.recipient_id in (
            None,
            recipient.pk,
        )
