"""Children: the community identity, and each organization's record of one."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.community.models import Organization

# Crockford's base 32 without the letters people misread (I, L, O, U).
PUBLIC_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    """Return a random code that reveals nothing about the child."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class Child(models.Model):
    public_id = models.CharField(
        _("community ID"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["public_id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.public_id


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    NONBINARY = "X", _("Nonbinary")
    UNKNOWN = "U", _("Not reported")


class LinkRule(models.TextChoices):
    NEW_CHILD = "new-child", _("No match: a new child")
    EXACT_NAME_DOB = (
        "exact-name-dob",
        _("Same name and date of birth in another organization"),
    )
    HUMAN = "human", _("Decided by a person")


class SourceRecord(models.Model):
    """One organization's record of one child, under that organization's ID."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="source_records"
    )
    local_id = models.CharField(_("local ID"), max_length=64)
    local_id_key = models.CharField(max_length=64, editable=False)
    state_id = models.CharField(_("state student ID"), max_length=64, blank=True)

    first_name = models.CharField(_("first name"), max_length=100)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    first_name_key = models.CharField(max_length=100, editable=False)
    middle_name_key = models.CharField(max_length=100, editable=False, blank=True)
    last_name_key = models.CharField(max_length=100, editable=False)
    birth_date = models.DateField(_("date of birth"))
    gender = models.CharField(
        _("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN
    )

    address = models.CharField(_("address"), max_length=300, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    school = models.CharField(_("school"), max_length=200, blank=True)
    grade = models.CharField(_("grade"), max_length=4, blank=True)
    guardian_name = models.CharField(_("guardian name"), max_length=200, blank=True)
    guardian_phone = models.CharField(_("guardian phone"), max_length=40, blank=True)
    guardian_email = models.EmailField(_("guardian email"), blank=True)

    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="source_records"
    )
    link_rule = models.CharField(
        _("mapped by rule"), max_length=20, choices=LinkRule.choices
    )
    link_score = models.FloatField(_("match score"), null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The person who decided the mapping; empty when a rule did."),
    )
    linked_at = models.DateTimeField(_("mapped at"))

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organization_id", "local_id_key"]
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "local_id_key"], name="one_record_per_local_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["birth_date", "last_name_key", "first_name_key"],
                name="sourcerecord_match_key",
            ),
        ]

    def __str__(self) -> str:
        # Names stay out of string forms, which end up in logs and admin pages.
        return f"{self.organization.slug}:{self.pk}"
