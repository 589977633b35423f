from django.contrib import admin
from django.http import HttpRequest

from braid.access.models import Disclosure


@admin.register(Disclosure)
class DisclosureAdmin(admin.ModelAdmin):
    """The record of disclosures, to read only: entries are never changed.

    Children appear by community ID, as on the steward's own page.
    """

    list_display = [
        "sequence",
        "at",
        "child",
        "username",
        "organization",
        "purpose",
        "legal_basis",
        "level",
        "release",
    ]
    list_filter = ["release", "purpose", "legal_basis", "level", "organization"]
    list_select_related = ["child", "organization"]
    search_fields = ["=child__public_id", "=username", "=sequence"]
    date_hierarchy = "at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
