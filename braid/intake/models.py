"""Roster batches: every file a contributor sends, from upload to outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from braid.community.models import Organization, Program


class BatchStatus(models.TextChoices):
    STAGED = "staged", _("Staged for review")
    # Handed to the task worker; it becomes one of the outcomes below.
    COMMITTING = "committing", _("Committing")
    COMMITTED = "committed", _("Committed")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class RosterBatch(models.Model):
    """One roster file and what became of it.

    The file itself is kept only while the batch is staged: it is the staging
    area. Once a batch is committed, rejected or discarded, only its checksum,
    counts and masked messages remain.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="roster_batches"
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roster_batches",
    )
    as_of = models.DateField(_("as of"))
    filename = models.CharField(_("file name"), max_length=255)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    content = models.BinaryField(null=True, editable=False)
    options = models.JSONField(_("reading options"), default=dict, blank=True)

    status = models.CharField(
        _("outcome"),
        max_length=10,
        choices=BatchStatus.choices,
        default=BatchStatus.STAGED,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="roster_batches",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    row_count = models.PositiveIntegerField(_("rows"), default=0)
    new_count = models.PositiveIntegerField(_("new"), default=0)
    changed_count = models.PositiveIntegerField(_("changed"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    ended_count = models.PositiveIntegerField(_("ended"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    issues = models.JSONField(_("errors and notices"), default=dict, blank=True)
    # How the committed records were mapped to children (linking_counts).
    linking = models.JSONField(_("linking"), null=True, blank=True)
    # The task committing the batch, while the status is COMMITTING.
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("roster batch")
        verbose_name_plural = _("roster batches")
        indexes = [
            models.Index(
                fields=["organization", "program", "status"], name="batch_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} ({self.organization.slug})"
