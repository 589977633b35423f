"""The community: organizations, their programs and sites, and their people."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    SCHOOL_DISTRICT = "school-district", _("School district")
    SCHOOL = "school", _("School")
    COMMUNITY_PROGRAM = "community-program", _("Community program")
    CITY_SERVICE = "city-service", _("City or county service")
    HEALTH = "health", _("Health provider")
    FUNDER = "funder", _("Funder")
    OTHER = "other", _("Other")


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    is_backbone = models.BooleanField(
        _("backbone"),
        default=False,
        help_text=_("The organization that runs Braid for the community."),
    )
    contributes_direct = models.BooleanField(
        _("contributes by direct entry"), default=False
    )
    contributes_pass_through = models.BooleanField(
        _("contributes by pass-through"), default=False
    )
    contributes_roster = models.BooleanField(_("contributes rosters"), default=False)
    uses_data = models.BooleanField(_("uses data"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_backbone"],
                condition=Q(is_backbone=True),
                name="one_backbone_per_community",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The constraint alone would refuse a second backbone by its own name,
        # which says nothing to the person filling the form in.
        if not self.is_backbone:
            return
        other = Organization.objects.filter(is_backbone=True).exclude(pk=self.pk)
        backbone = other.first()
        if backbone is not None:
            raise ValidationError(
                {
                    "is_backbone": _(
                        "There is already a backbone organization: %(name)s."
                    )
                    % {"name": backbone.name}
                }
            )

    @property
    def contributes(self) -> bool:
        return (
            self.contributes_direct
            or self.contributes_pass_through
            or self.contributes_roster
        )


class Site(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)
    address = models.CharField(_("address"), max_length=300, blank=True)
    zip_code = models.CharField(_("ZIP code"), max_length=10, blank=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="site_slug_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    sites = models.ManyToManyField(Site, blank=True, related_name="programs")

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"], name="program_slug_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization.name}: {self.name}"


class Role(models.TextChoices):
    STEWARD = "steward", _("Steward (backbone)")
    ORG_ADMIN = "org-admin", _("Organization admin")
    STAFF = "staff", _("Staff")
    ANALYST = "analyst", _("Analyst (reports)")
    EVALUATOR = "evaluator", _("Evaluator")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Staff who work in some programs see the records of those programs'
    # children; staff assigned none (a registrar, say) see the whole
    # organization's.
    programs = models.ManyToManyField(
        Program,
        blank=True,
        related_name="staff_memberships",
        verbose_name=_("programs"),
        help_text=_("For staff: the programs whose children they work with."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="one_role_once_per_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organization})"
