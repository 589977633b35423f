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
    """A child of the community, known by a code that never changes meaning.

    A child merged into another keeps its row and its code, which from then
    on points to the survivor, so that an ID quoted anywhere still leads to
    the child.
    """

    public_id = models.CharField(
        _("community ID"),
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_children",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["public_id"]
        verbose_name = _("child")
        verbose_name_plural = _("children")

    def __str__(self) -> str:
        return self.public_id

    def survivor(self) -> "Child":
        """Return the child this one now stands for, following merges."""
        child = self
        while child.merged_into_id is not None:
            child = Child.objects.get(pk=child.merged_into_id)
        return child


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
    MODEL = "model", _("Matched by the linkage model")
    HUMAN = "human", _("Decided by a person")


class SourceRecord(models.Model):
    """One organization's record of one child, under that organization's ID."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="source_records"
    )
    local_id = models.CharField(_("local ID"), max_length=64)
    local_id_key = models.CharField(max_length=64, editable=False)
    state_id = models.CharField(_("state student ID"), max_length=64, blank=True)
    state_id_key = models.CharField(max_length=64, editable=False, blank=True)

    # A contributor may not know every name or the date of birth of a child it
    # serves; such a record is kept and linked on what it does have.
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    suffix = models.CharField(_("suffix"), max_length=20, blank=True)
    first_name_key = models.CharField(max_length=100, editable=False, blank=True)
    middle_name_key = models.CharField(max_length=100, editable=False, blank=True)
    last_name_key = models.CharField(max_length=100, editable=False, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
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
    link_score = models.FloatField(
        _("match probability"),
        null=True,
        blank=True,
        help_text=_("The model's probability that the record is this child's."),
    )
    link_weight = models.FloatField(
        _("match weight"),
        null=True,
        blank=True,
        help_text=_(
            "The model's evidence, in bits, for the record being this child's."
        ),
    )
    link_model = models.ForeignKey(
        "linkage.LinkageModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("linkage model"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The person who decided the mapping; empty when a rule did."),
    )
    linked_at = models.DateTimeField(_("mapped at"))

    # Keys the linkage looks candidates up by, kept here so that a new roster
    # is compared with the few records that could be the same children rather
    # than with the whole community. See braid.linkage.features.
    block_name = models.CharField(max_length=64, editable=False, blank=True)
    block_zip_first = models.CharField(max_length=24, editable=False, blank=True)
    block_zip_last = models.CharField(max_length=24, editable=False, blank=True)
    block_zip_day = models.CharField(max_length=24, editable=False, blank=True)
    block_dob_first = models.CharField(max_length=16, editable=False, blank=True)
    block_dob_last = models.CharField(max_length=16, editable=False, blank=True)
    block_dob_initials = models.CharField(max_length=16, editable=False, blank=True)

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
            models.Index(fields=["state_id_key"], name="sourcerecord_state_id"),
            models.Index(fields=["block_name"], name="sourcerecord_block_name"),
            models.Index(fields=["block_zip_first"], name="sourcerecord_block_zf"),
            models.Index(fields=["block_zip_last"], name="sourcerecord_block_zl"),
            models.Index(fields=["block_zip_day"], name="sourcerecord_block_zd"),
            models.Index(fields=["block_dob_first"], name="sourcerecord_block_df"),
            models.Index(fields=["block_dob_last"], name="sourcerecord_block_dl"),
            models.Index(fields=["block_dob_initials"], name="sourcerecord_block_di"),
            models.Index(fields=["first_name_key"], name="sourcerecord_first_name"),
            models.Index(fields=["last_name_key"], name="sourcerecord_last_name"),
        ]

    def __str__(self) -> str:
        # Names stay out of string forms, which end up in logs and admin pages.
        return f"{self.organization.slug}:{self.pk}"
