import argparse
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from braid import commands
from braid.reporter import render
from braid.reporter.counts import ReportError, parse_dimensions, report

RENDERERS = {"text": render.to_text, "csv": render.to_csv, "json": render.to_json}


class Command(commands.Command):
    help = "Community reports, with small counts suppressed."

    def add_arguments(self, parser: CommandParser) -> None:
        reports = parser.add_subparsers(dest="report", required=True)
        counts = reports.add_parser(
            "counts", help="distinct children served, by one or two dimensions"
        )
        counts.add_argument(
            "--by",
            required=True,
            metavar="DIMENSION[,DIMENSION]",
            help="organization, program, gender, age-band or grade; two for a table",
        )
        counts.add_argument(
            "--on",
            type=_date,
            metavar="YYYY-MM-DD",
            help="the day counted, today or before (default: today)",
        )
        counts.add_argument("--format", choices=list(RENDERERS), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            dimensions = parse_dimensions(options["by"])
        except ReportError as error:
            raise CommandError(str(error)) from None

        on = options["on"] or timezone.localdate()
        table = report(dimensions, on, settings.BRAID_SUPPRESSION_THRESHOLD)
        self.stdout.write(RENDERERS[options["format"]](table), ending="")
        if options["format"] == "csv":
            # The CSV is the table alone; what a reader needs to read it
            # right goes to the terminal, out of the way of a redirection.
            for note in render.notes(table):
                self.stderr.write(note, style_func=None)


# An argument type raises ArgumentTypeError, which argparse turns into a usage
# error naming the option; a CommandError raised there ends in a traceback.


def _date(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date that exists, like 2026-10-01"
        ) from None

    # Children are counted by the enrollments rosters have reported; a day
    # to come would count whoever is enrolled now as if still there then.
    today = timezone.localdate()
    if day > today:
        raise argparse.ArgumentTypeError(
            f"{value} is after today ({today.isoformat()}): a count is of today "
            "or a day before it"
        )
    return day
