import logging
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from braid.community.models import Membership, Organization, Program, Role, Site

logger = logging.getLogger(__name__)

# Roles that read an organization's records of children by name.
RECORD_ROLES = {Role.ORG_ADMIN, Role.STAFF}


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "slug", "zip_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "kind",
        "is_backbone",
        "contributes_roster",
        "uses_data",
    ]
    list_filter = ["kind", "is_backbone", "contributes_roster", "uses_data"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProgramInline, SiteInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "slug"]
    list_filter = ["organization"]
    search_fields = ["name", "slug", "organization__name"]
    filter_horizontal = ["sites"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "zip_code"]
    list_filter = ["organization"]
    search_fields = ["name", "organization__name"]


class MembershipForm(forms.ModelForm):
    """A membership as the admin edits it, refusing one for the editor."""

    # Set on a subclass made for each request, in MembershipAdmin.get_form.
    acting_user: AbstractBaseUser | AnonymousUser | None = None

    class Meta:
        model = Membership
        fields = ["user", "organization", "role"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user = cleaned.get("user")
        if user is not None and _is_self(self.acting_user, user):
            raise forms.ValidationError(
                _(
                    "You may not give yourself a role or change your own: another "
                    "steward, or an operator at the command line "
                    "(`braid member add`), must do it."
                ),
                code="own_membership",
            )
        if cleaned.get("role") in RECORD_ROLES and not _is_superuser(self.acting_user):
            raise forms.ValidationError(
                _(
                    "Roles that read an organization's records of children "
                    "(organization admin, staff) are given by an operator at the "
                    "command line (`braid member add`), not here: a steward who "
                    "could give one to an account of their own making would read "
                    "what stewards must not."
                ),
                code="record_role",
            )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships, which a steward may change for anyone but themselves.

    A role in a contributing organization opens its children's records, so a
    steward who could give themselves one, or give one to an account they
    made, would read what stewards must not: those roles come from the
    command line, and the steward may only take them away.
    """

    form = MembershipForm
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]

    def get_form(
        self,
        request: HttpRequest,
        obj: Membership | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        # A class of its own per request: the admin's form class is shared by
        # every request the process serves.
        return type(form.__name__, (form,), {"acting_user": request.user})

    def has_change_permission(
        self, request: HttpRequest, obj: Membership | None = None
    ) -> bool:
        if obj is not None and _is_self(request.user, obj.user):
            return False
        # Moving a role that reads records to another account is giving it.
        if (
            obj is not None
            and obj.role in RECORD_ROLES
            and not _is_superuser(request.user)
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: Membership | None = None
    ) -> bool:
        if obj is not None and _is_self(request.user, obj.user):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Membership, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        # The admin's own history (LogEntry) records the change too; this line
        # is for the operator's log.
        logger.info(
            "admin: user %s %s membership %s (user %s, role %s in %s)",
            request.user.pk,
            "changed" if change else "added",
            obj.pk,
            obj.user_id,
            obj.role,
            obj.organization.slug,
        )

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        logger.info("admin: user %s deleted membership %s", request.user.pk, pk)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Membership]
    ) -> None:
        pks = sorted(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        logger.info("admin: user %s deleted memberships %s", request.user.pk, pks)


admin.site.unregister(User)


@admin.register(User)
class BraidUserAdmin(UserAdmin):
    """People's accounts, without a way to raise anyone's powers.

    Superuser status comes only from the command line (`braid
    createsuperuser`); staff status, groups and permissions come with a
    steward's role (`braid member add`). A steward may not change a
    superuser's account, which would let them sign in as one, nor the
    account of anyone who reads children's records.
    """

    def get_readonly_fields(
        self, request: HttpRequest, obj: AbstractBaseUser | None = None
    ) -> list[str]:
        fields = [*super().get_readonly_fields(request, obj), "is_superuser"]
        if not request.user.is_superuser:
            fields += ["is_staff", "groups", "user_permissions"]
        return fields

    def has_change_permission(
        self, request: HttpRequest, obj: AbstractBaseUser | None = None
    ) -> bool:
        # A steward who could set the password of someone who reads
        # children's records could sign in as them.
        if (
            obj is not None
            and not request.user.is_superuser
            and (getattr(obj, "is_superuser", False) or _reads_records(obj))
        ):
            return False
        return super().has_change_permission(request, obj)


def _is_superuser(acting: AbstractBaseUser | AnonymousUser | None) -> bool:
    return bool(getattr(acting, "is_superuser", False))


def _reads_records(user: AbstractBaseUser) -> bool:
    return Membership.objects.filter(user_id=user.pk, role__in=RECORD_ROLES).exists()


def _is_self(
    acting: AbstractBaseUser | AnonymousUser | None, user: AbstractBaseUser
) -> bool:
    """Whether a non-superuser is acting on their own account."""
    if acting is None or getattr(acting, "is_superuser", False):
        return False
    return acting.pk == user.pk
