from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from braid.access import policy
from braid.agreements.models import Agreement, Signature, Withholding


class ReadOnlyAdmin(admin.ModelAdmin):
    """Agreements as the steward looks them up, never changes them here.

    Every change goes through the agreement pages, whose services check who
    acts and record it; the admin only lists what they wrote.
    """

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return policy.is_steward(request.user) or super().has_view_permission(
            request, obj
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.is_steward(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = [
        "title",
        "state_now",
        "level",
        "legal_basis",
        "starts_on",
        "ends_on",
        "destruction_on",
        "terminated_at",
    ]
    list_filter = ["level", "legal_basis", "starts_on"]
    search_fields = ["title"]
    exclude = ["document"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agreement]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related("contributors", "recipients", "signatures")
        )

    @admin.display(description=_("state"))
    def state_now(self, obj: Agreement) -> str:
        return str(obj.state(timezone.now()).label)


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["agreement", "organization", "signed_by", "signed_at"]
    list_filter = ["organization"]


@admin.register(Withholding)
class WithholdingAdmin(ReadOnlyAdmin):
    list_display = [
        "agreement",
        "contributor",
        "category",
        "recipient",
        "started_at",
        "lifted_at",
    ]
    list_filter = ["contributor", "category"]
