from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from braid.reporter import render
from braid.reporter.counts import ReportError, parse_dimensions, report

RENDERERS = {"text": render.to_text, "csv": render.to_csv, "json": render.to_json}


class Command(BaseCommand):
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
        counts.add_argument("--on", type=_date, help="the day counted (default: today)")
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


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on {value!r} is not a date like 2026-10-01") from None
