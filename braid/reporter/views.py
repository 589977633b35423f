"""The Community Reporter: counts of children served, suppressed."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from braid.access import policy
from braid.http import AuthenticatedRequest
from braid.reporter import render as renderers
from braid.reporter.counts import DIMENSIONS, ReportError, parse_dimensions, report
from braid.reporter.tables import SuppressedTable


@login_required
def counts(request: AuthenticatedRequest) -> HttpResponse:
    _require_aggregates(request)
    context: dict[str, object] = {
        "dimensions": [(slug, d.label) for slug, d in DIMENSIONS.items()],
        "rows": request.GET.get("rows", "organization"),
        "columns": request.GET.get("columns", ""),
        "on": request.GET.get("on") or timezone.localdate().isoformat(),
    }
    try:
        table = _table(request)
    except ReportError as error:
        context["error"] = str(error)
    else:
        layout = renderers.as_context(table)
        shown = [
            line.numbers[-1].value or 0 for line in layout.lines if not line.is_total
        ]
        context["report"] = layout
        # The chart's bars are scaled to the largest total shown.
        context["report_max"] = max(shown, default=0) or 1
        context["export_query"] = request.GET.urlencode()

    template = "reporter/counts/show.html"
    if request.headers.get("HX-Request"):
        template = "reporter/counts/_report.html"
    return render(request, template, context)


@login_required
def export(request: AuthenticatedRequest) -> HttpResponse:
    _require_aggregates(request)
    try:
        table = _table(request)
    except ReportError as error:
        return HttpResponse(
            str(error), status=400, content_type="text/plain; charset=utf-8"
        )
    # The byte-order mark tells Excel the file is UTF-8, so that accented
    # labels open right; pandas and R skip it.
    response = HttpResponse(
        "\ufeff" + renderers.to_csv(table), content_type="text/csv; charset=utf-8"
    )
    name = "-".join(
        filter(None, [table.table.row_dimension, table.table.column_dimension])
    )
    response["Content-Disposition"] = f'attachment; filename="braid-counts-{name}.csv"'
    return response


def _require_aggregates(request: AuthenticatedRequest) -> None:
    decision = policy.can_read_aggregates(request.user)
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))


def _table(request: AuthenticatedRequest) -> SuppressedTable:
    names = ",".join(
        filter(
            None, [request.GET.get("rows", "organization"), request.GET.get("columns")]
        )
    )
    dimensions = parse_dimensions(names)
    on = _day(request.GET.get("on"))
    return report(dimensions, on, settings.BRAID_SUPPRESSION_THRESHOLD)


def _day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReportError(
            _("%(value)s is not a date.") % {"value": value[:20]}
        ) from None
