import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from braid import commands, progress
from braid.access import policy
from braid.community.models import Organization, Program
from braid.intake import services
from braid.intake.models import BatchStatus
from braid.intake.parsing.dates import check_date_format
from braid.intake.parsing.types import IGNORE, Field


class Command(commands.Command):
    help = (
        "Import a roster (CSV or XLSX) for an organization: preview it, then "
        "commit all of it or none. Exit code 0 when the batch committed (or "
        "would, with --dry-run), 1 when it was rejected."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the roster file")
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument(
            "--program", help="the program's slug, if the roster is one's"
        )
        parser.add_argument(
            "--as-of", type=_date, help="the date the roster describes (default: today)"
        )
        parser.add_argument(
            "--date-format",
            type=_date_format,
            help="how dates of birth are written, in strptime codes, e.g. %%d/%%m/%%Y",
        )
        parser.add_argument(
            "--map",
            action="append",
            type=_column_mapping,
            default=[],
            metavar="COLUMN=FIELD",
            help=f"read a column as a field ({', '.join(Field)}), or {IGNORE}",
        )
        parser.add_argument("--dry-run", action="store_true", help="preview only")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--user", help="the Braid user the batch is recorded under (default: you)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self._import(options)
        except CommandError as error:
            # A script reading the JSON gets an object whatever went wrong;
            # the message still goes to the terminal, and the exit code is 1.
            if options["format"] == "json":
                self.stdout.write(json.dumps({"error": str(error)}, ensure_ascii=False))
            raise

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        organization = _organization(options["org"])
        program = _program(organization, options["program"])
        user = _user(options["user"], organization)

        # Progress goes to standard error: standard output stays the report.
        reporter = (
            progress.StreamReporter(self.stderr) if options["verbosity"] else None
        )
        try:
            with progress.reporting(reporter):
                outcome = services.import_roster(
                    user=user,
                    organization=organization,
                    program=program,
                    filename=path.name,
                    content=content,
                    as_of=options["as_of"],
                    date_format=options["date_format"],
                    overrides=dict(options["map"]),
                    dry_run=options["dry_run"],
                )
        except services.IntakeError as error:
            raise CommandError(str(error)) from None

        summary = services.summary(outcome)
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._write_text(summary, dry_run=options["dry_run"])
        if summary["errors"] or outcome.batch.status == BatchStatus.REJECTED:
            raise SystemExit(1)

    def _write_text(self, summary: dict[str, Any], *, dry_run: bool) -> None:
        for issue in summary["errors"]:
            self.stdout.write(
                f"{summary['file']}: error: {_where(issue)}{issue['message']}"
            )
        for issue in summary["warnings"]:
            self.stdout.write(
                f"{summary['file']}: warning: {_where(issue)}{issue['message']}"
            )
        for issue in summary["notices"]:
            self.stdout.write(
                f"{summary['file']}: notice: {_where(issue)}{issue['message']}"
            )

        counts = ", ".join(
            f"{summary[k]} {k}" for k in ("new", "changed", "unchanged", "ended")
        )
        if summary["errors"]:
            verdict = "rejected, nothing changed"
        elif dry_run:
            verdict = "would commit (dry run, nothing changed)"
        else:
            verdict = "committed"
        rows = ngettext("%(count)s row", "%(count)s rows", summary["rows"]) % {
            "count": summary["rows"]
        }
        self.stdout.write(f"batch {summary['batch']}: {rows}: {counts}; {verdict}")
        if linking := summary["linking"]:
            self.stdout.write(f"linking: {services.linking_text(linking)}")


def _where(issue: dict[str, Any]) -> str:
    parts = []
    if issue.get("lines"):
        parts.append("lines " + ", ".join(str(n) for n in issue["lines"]))
    elif issue.get("line"):
        parts.append(f"line {issue['line']}")
    if issue.get("column"):
        parts.append(f"column {issue['column']!r}")
    return ": ".join(parts) + ": " if parts else ""


# The argument types below raise ArgumentTypeError, which argparse turns
# into a usage error naming the option; any other exception raised while the
# arguments are read would end the command in a traceback.


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = _("%(value)s is not a date (YYYY-MM-DD)") % {"value": value}
        raise argparse.ArgumentTypeError(message) from None


def _date_format(value: str) -> str:
    if issue := check_date_format(value):
        raise argparse.ArgumentTypeError(issue.message)
    return value


def _column_mapping(pair: str) -> tuple[str, str]:
    column, sep, name = pair.rpartition("=")
    if not sep or not column.strip():
        message = _("“%(pair)s” should be COLUMN=FIELD") % {"pair": pair}
        raise argparse.ArgumentTypeError(message)
    if name not in set(Field) and name != IGNORE:
        message = _("“%(pair)s”: unknown field “%(field)s”; use one of %(known)s") % {
            "pair": pair,
            "field": name,
            "known": ", ".join([*Field, IGNORE]),
        }
        raise argparse.ArgumentTypeError(message)
    return column, name


def _organization(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise CommandError(f"No organization {slug!r}; see `braid org list`.") from None


def _program(organization: Organization, slug: str | None) -> Program | None:
    if slug is None:
        return None
    try:
        return organization.programs.get(slug=slug)
    except Program.DoesNotExist:
        raise CommandError(
            f"{organization.slug} has no program {slug!r}; see `braid program list`."
        ) from None


def _user(username: str | None, organization: Organization) -> User:
    users = get_user_model().objects
    if username is None:
        return commands.shell_user()

    try:
        user = users.get(username=username)
    except users.model.DoesNotExist:
        raise CommandError(f"No user {username!r}.") from None
    decision = policy.can_upload_roster(user, organization)
    if not decision:
        raise CommandError(" ".join(decision.reasons))
    return user
