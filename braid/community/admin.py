from django.contrib import admin

from braid.community.models import Membership, Organization, Program, Site


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["user"]
