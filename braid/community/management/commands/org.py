from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from braid import commands
from braid.community.models import Organization, OrganizationKind
from braid.community.services import add_organization

CONTRIBUTES = ("roster", "direct", "pass-through")


class Command(commands.Command):
    help = "Add and list the community's organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)

        add = actions.add_parser("add", help="add an organization")
        add.add_argument("slug", help="short name used in commands and addresses")
        add.add_argument("--name", required=True)
        add.add_argument("--kind", required=True, choices=OrganizationKind.values)
        add.add_argument("--backbone", action="store_true", help="runs Braid")
        add.add_argument(
            "--contributes",
            action="append",
            default=[],
            choices=CONTRIBUTES,
            help="how it sends data; may be given more than once",
        )
        add.add_argument("--uses-data", action="store_true", help="reads reports")

        actions.add_parser("list", help="list the organizations")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        else:
            self._list()

    def _add(self, options: dict[str, Any]) -> None:
        contributes = set(options["contributes"])
        try:
            organization = add_organization(
                slug=options["slug"],
                name=options["name"],
                kind=options["kind"],
                is_backbone=options["backbone"],
                contributes_roster="roster" in contributes,
                contributes_direct="direct" in contributes,
                contributes_pass_through="pass-through" in contributes,
                uses_data=options["uses_data"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _("Added %(slug)s: %(name)s")
            % {"slug": organization.slug, "name": organization.name}
        )

    def _list(self) -> None:
        for org in Organization.objects.order_by("slug"):
            ways = [
                way
                for way, flag in zip(
                    CONTRIBUTES,
                    (
                        org.contributes_roster,
                        org.contributes_direct,
                        org.contributes_pass_through,
                    ),
                    strict=True,
                )
                if flag
            ]
            traits = [org.kind]
            if org.is_backbone:
                traits.append("backbone")
            if ways:
                traits.append("contributes " + "+".join(ways))
            if org.uses_data:
                traits.append("uses data")
            self.stdout.write(f"{org.slug}\t{org.name}\t{', '.join(traits)}")
