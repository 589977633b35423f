from django.contrib import admin
from django.http import HttpRequest

from braid.consent.models import (
    Consent,
    ConsentEvent,
    ConsentForm,
    ConsentVerification,
    FormVersion,
    Guardian,
)


class ReadOnly(admin.ModelAdmin):
    """Rows changed only through Braid's services, which check and record.

    A consent never changes and a form version is published, not edited;
    guardians hold personal data and are kept on the child's consent page.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ConsentForm)
class ConsentFormAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["slug", "title"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FormVersion)
class FormVersionAdmin(ReadOnly):
    list_display = ["form", "number", "title_en", "published_at"]
    list_filter = ["form"]
    fields = [
        "form",
        "number",
        "title_en",
        "title_es",
        "text_en",
        "text_es",
        "categories",
        "purposes",
        "recipients",
        "recipient_kinds",
        "published_at",
    ]


@admin.register(Guardian)
class GuardianAdmin(ReadOnly):
    """Guardians by id and child, without their names or contact."""

    list_display = [
        "pk",
        "child",
        "relationship",
        "organization",
        "restricted_at",
        "created_at",
    ]
    search_fields = ["=child__public_id"]
    fields = ["child", "relationship", "organization", "restricted_at", "created_at"]
    list_select_related = ["child", "organization"]


@admin.register(Consent)
class ConsentAdmin(ReadOnly):
    list_display = [
        "pk",
        "child",
        "form_version",
        "signer",
        "decision",
        "method",
        "organization",
        "signed_at",
        "valid_from",
        "valid_until",
    ]
    list_filter = ["method", "signer", "decision"]
    search_fields = ["=child__public_id"]
    exclude = ["scan"]
    list_select_related = ["child", "form_version__form", "organization"]


@admin.register(ConsentVerification)
class ConsentVerificationAdmin(ReadOnly):
    list_display = ["pk", "consent", "verified_by", "verified_at"]
    list_select_related = ["consent", "verified_by"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnly):
    list_display = ["pk", "consent", "kind", "at", "recorded_at"]
    list_filter = ["kind"]
