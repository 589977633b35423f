"""The record of disclosures (34 CFR 99.32): every identifiable release.

Entries are only ever added. Each carries the hash of the one before it, so
that an entry changed or removed behind the application's back breaks the
chain, and ``braid verify-disclosures`` finds where.
"""

import hashlib
import json
from datetime import UTC
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.agreements.models import LegalBasis, Level, Purpose
from braid.children.models import PUBLIC_ID_LENGTH, Child, SourceRecord
from braid.community.models import Organization

GENESIS = "0" * 64


class Release(models.TextChoices):
    PAGE = "page", _("Page")
    EXPORT = "export", _("Export")
    API = "api", _("API response")


class AppendOnly(models.Model):
    """A row of the record of disclosures: written once, never changed."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError(_("The record of disclosures is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValidationError(_("The record of disclosures is append-only."))


class Disclosure(AppendOnly):
    """One child's data released once to one user, and on what grounds.

    ``grounds`` lists, for each contributor whose records were shown, the
    categories released, the agreement and the consent (with its version)
    that allowed it.
    """

    sequence = models.PositiveBigIntegerField(_("entry"), unique=True)
    at = models.DateTimeField(_("when"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recipient organization"),
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="+", verbose_name=_("child")
    )
    # The child's community ID at the release, so that an ID moved from one
    # child to another later shows. Blank in entries older than the field.
    child_public_id = models.CharField(
        _("community ID"), max_length=PUBLIC_ID_LENGTH, blank=True
    )
    categories = models.JSONField(_("categories"))
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    legal_basis = models.CharField(
        _("legal basis"), max_length=20, choices=LegalBasis.choices
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    release = models.CharField(_("release"), max_length=10, choices=Release.choices)
    reference = models.CharField(_("what was released"), max_length=300)
    grounds = models.JSONField(_("grounds"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-sequence"]
        verbose_name = _("disclosure")
        verbose_name_plural = _("record of disclosures")

    def __str__(self) -> str:
        return f"{_('Disclosure')} {self.sequence}"

    def content(self) -> dict[str, Any]:
        """Return what the hash covers, the same on every database."""
        content = {
            "sequence": self.sequence,
            "at": self.at.astimezone(UTC).isoformat(),
            "user": self.user_id,
            "username": self.username,
            "organization": self.organization_id,
            "child": self.child_id,
            "categories": sorted(self.categories),
            "purpose": self.purpose,
            "legal_basis": self.legal_basis,
            "level": self.level,
            "release": self.release,
            "reference": self.reference,
            "grounds": self.grounds,
            "previous_hash": self.previous_hash,
        }
        # Entries written before the community ID was kept hashed without
        # it, and still must verify.
        if self.child_public_id:
            content["child_public_id"] = self.child_public_id
        return content

    def compute_hash(self) -> str:
        text = json.dumps(self.content(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


class DisclosedRecord(AppendOnly):
    """One source record an entry of the record of disclosures released.

    An index of the records each entry's grounds name, written with the
    entry and never changed. The entry keeps the child as it was known at
    the release; the index lets a child's entries be found by the records
    they released, wherever the mapping has put those records since. It
    adds nothing the entry's hash does not cover: the grounds name the same
    records.
    """

    disclosure = models.ForeignKey(
        Disclosure, on_delete=models.PROTECT, related_name="records"
    )
    # No database constraint: the index must never stand in the way of a
    # release, and an entry may name a record that no longer exists.
    source_record = models.ForeignKey(
        SourceRecord,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("disclosed record")
        verbose_name_plural = _("disclosed records")
        constraints = [
            models.UniqueConstraint(
                fields=["disclosure", "source_record"],
                name="one_index_row_per_disclosed_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.disclosure_id}:{self.source_record_id}"


def disclosed_record_ids(grounds: Any) -> list[int]:
    """Return the ids of the source records an entry's grounds name."""
    found: dict[int, None] = {}
    for item in grounds if isinstance(grounds, list) else []:
        record = item.get("record") if isinstance(item, dict) else None
        if type(record) is int:
            found[record] = None
    return list(found)
