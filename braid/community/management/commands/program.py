from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from braid import commands
from braid.community.models import Organization, Program
from braid.community.services import add_program


class Command(commands.Command):
    help = "Add and list organizations' programs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a program to an organization")
        add.add_argument("slug")
        add.add_argument("--org", required=True, help="the organization's slug")
        add.add_argument("--name", required=True)
        listing = actions.add_parser("list", help="list programs")
        listing.add_argument("--org", help="only this organization's")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            organization = _organization(options["org"])
            try:
                program = add_program(
                    organization, slug=options["slug"], name=options["name"]
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(
                _("Added %(organization)s/%(slug)s: %(name)s")
                % {
                    "organization": organization.slug,
                    "slug": program.slug,
                    "name": program.name,
                }
            )
            return

        programs = Program.objects.select_related("organization").order_by(
            "organization__slug", "slug"
        )
        if options["org"]:
            programs = programs.filter(organization=_organization(options["org"]))
        for program in programs:
            self.stdout.write(
                f"{program.organization.slug}/{program.slug}\t{program.name}"
            )


def _organization(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise CommandError(
            _("No organization %(slug)s; see `braid org list`.") % {"slug": slug}
        ) from None
