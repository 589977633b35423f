import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from braid.community.models import Membership, Organization, Role
from braid.community.services import add_member


class Command(BaseCommand):
    help = "Give people roles in organizations."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="give a user (created if new) a role")
        add.add_argument("username")
        add.add_argument("--org", required=True, help="the organization's slug")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--email", default="")
        add.add_argument(
            "--password-stdin",
            action="store_true",
            help="read a new user's password from standard input",
        )
        actions.add_parser("list", help="list memberships")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for m in Membership.objects.select_related("user", "organization"):
                self.stdout.write(
                    f"{m.user.get_username()}\t{m.organization.slug}\t{m.role}"
                )
            return

        try:
            organization = Organization.objects.get(slug=options["org"])
        except Organization.DoesNotExist:
            raise CommandError(f"No organization {options['org']!r}.") from None
        password = None
        if options["password_stdin"]:
            password = (
                getpass.getpass("Password: ")
                if sys.stdin.isatty()
                else input().rstrip("\n")
            )
        try:
            user = add_member(
                username=options["username"],
                organization=organization,
                role=options["role"],
                password=password,
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"{user.get_username()} is {options['role']} of {organization.slug}"
        )
