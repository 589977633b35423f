import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from braid import commands
from braid.community.models import Membership, Organization, Role
from braid.community.services import add_member


class Command(commands.Command):
    help = (
        "Give people roles in organizations. A password is set only for a new "
        "user; change an existing user's with `braid changepassword`."
    )

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
        self._add(options)

    def _add(self, options: dict[str, Any]) -> None:
        username, role = options["username"], options["role"]
        try:
            organization = Organization.objects.get(slug=options["org"])
        except Organization.DoesNotExist:
            raise CommandError(
                _("No organization %(slug)s; see `braid org list`.")
                % {"slug": options["org"]}
            ) from None

        # Asked before the password is read, so that nobody types one in vain.
        existing = get_user_model().objects.filter(username=username).first()
        if existing is not None and options["password_stdin"]:
            raise CommandError(
                _(
                    "The user %(username)s already exists: nothing was changed and "
                    "their password stays as it was. Leave out --password-stdin to "
                    "give them this role; change a password with "
                    "`braid changepassword %(username)s`."
                )
                % {"username": username}
            )
        had_role = (
            existing is not None
            and Membership.objects.filter(
                user=existing, organization=organization, role=role
            ).exists()
        )
        password = self._read_password() if options["password_stdin"] else None

        try:
            add_member(
                username=username,
                organization=organization,
                role=role,
                password=password,
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            self._outcome(existing is not None, had_role, password is not None)
            % {"username": username, "role": role, "organization": organization.slug}
        )

    def _read_password(self) -> str:
        if not sys.stdin.isatty():
            # A script pipes one line; its line ending is not part of it.
            return sys.stdin.readline().rstrip("\r\n")
        password = getpass.getpass(_("Password: "))
        if getpass.getpass(_("Password (again): ")) != password:
            raise CommandError(_("The two passwords differ; nothing was changed."))
        return password

    def _outcome(self, existed: bool, had_role: bool, with_password: bool) -> str:
        if had_role:
            return _(
                "%(username)s was already %(role)s of %(organization)s; nothing "
                "changed."
            )
        if existed:
            return _(
                "%(username)s, an existing user whose password was not changed, "
                "is now %(role)s of %(organization)s."
            )
        if with_password:
            return _(
                "Added the user %(username)s, with the password given, as %(role)s "
                "of %(organization)s."
            )
        return _(
            "Added the user %(username)s as %(role)s of %(organization)s. They "
            "cannot sign in until a password is set: `braid changepassword "
            "%(username)s`."
        )
