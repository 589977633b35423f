from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from braid.children.models import Child, SourceRecord


@admin.register(Child)
class ChildAdmin(admin.ModelAdmin):
    """Children by community ID only: names and dates of birth stay out.

    Reading a child's identifiable data goes through Braid's access rules,
    which the admin does not apply, so the admin shows none of it.
    """

    list_display = ["public_id", "created_at", "records"]
    search_fields = ["=public_id"]
    fields = ["public_id", "created_at"]
    readonly_fields = ["public_id", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Child]:
        return (
            super().get_queryset(request).annotate(record_count=Count("source_records"))
        )

    @admin.display(description="source records", ordering="record_count")
    def records(self, child: Child) -> int:
        return child.record_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin):
    """How records are mapped, without the personal data they hold."""

    list_display = [
        "pk",
        "organization",
        "child",
        "link_rule",
        "linked_at",
        "updated_at",
    ]
    list_filter = ["organization", "link_rule"]
    search_fields = ["=child__public_id"]
    readonly_fields = [
        "organization",
        "child",
        "link_rule",
        "link_score",
        "linked_by",
        "linked_at",
    ]
    fields = tuple(readonly_fields)
    list_select_related = ["organization", "child"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
