from django.contrib import admin
from django.http import HttpRequest

from braid.intake.models import RosterBatch


@admin.register(RosterBatch)
class RosterBatchAdmin(admin.ModelAdmin):
    """The record of every batch: who, when, checksum, counts, outcome.

    Batches are written only by intake, so the admin shows them read-only and
    never the file itself.
    """

    list_display = [
        "pk",
        "organization",
        "program",
        "as_of",
        "status",
        "uploaded_by",
        "uploaded_at",
        "new_count",
        "changed_count",
        "unchanged_count",
        "ended_count",
        "error_count",
    ]
    list_filter = ["status", "organization", "uploaded_at"]
    search_fields = ["=checksum", "filename", "organization__name"]
    exclude = ["content"]
    date_hierarchy = "uploaded_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
