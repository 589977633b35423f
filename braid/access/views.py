"""The steward's pages of the record of disclosures: search and export.

Entries name children by community ID only. The export copies what the page
shows, so that it holds no more about a child than the ID, and is not itself
a release of child-level data.
"""

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from braid.access import policy, record
from braid.access.models import Disclosure, Release
from braid.agreements.models import Purpose
from braid.community.models import Organization
from braid.http import AuthenticatedRequest
from braid.records.models import Category
from braid.reporter.render import inert

ENTRIES_PER_PAGE = 50
EXPORT_CHUNK = 2000
CATEGORY_LABELS = dict(Category.choices)
# Spreadsheets run a cell that starts with one of these as a formula.


class FilterForm(forms.Form):
    child = forms.CharField(
        label=gettext_lazy("Community ID"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Children merged into this one are included."),
    )
    organization = forms.ModelChoiceField(
        label=gettext_lazy("Recipient organization"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Any"),
    )
    username = forms.CharField(
        label=gettext_lazy("Username"), required=False, max_length=150
    )
    purpose = forms.ChoiceField(
        label=gettext_lazy("Purpose"),
        choices=[("", gettext_lazy("Any")), *Purpose.choices],
        required=False,
    )
    release = forms.ChoiceField(
        label=gettext_lazy("Release"),
        choices=[("", gettext_lazy("Any")), *Release.choices],
        required=False,
    )
    since = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    def filters(self) -> record.Filters:
        return record.Filters(**self.cleaned_data)


@dataclass(frozen=True)
class Row:
    entry: Disclosure
    categories: list[str]
    grounds: str


@login_required
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    _require_steward(request)
    form = FilterForm(request.GET)
    entries = _entries(request, form)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    shown: list[Disclosure] = list(page.object_list)

    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [_row(entry) for entry in shown],
        "query": query.urlencode(),
    }
    return render(request, "access/disclosure/list.html", context)


@login_required
@require_GET
def export(request: AuthenticatedRequest) -> HttpResponseBase:
    _require_steward(request)
    form = FilterForm(request.GET)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponse(
            " ".join(problems), status=400, content_type="text/plain; charset=utf-8"
        )

    entries = record.search(request.user, form.filters())
    response = StreamingHttpResponse(
        _csv_lines(entries), content_type="text/csv; charset=utf-8"
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = (
        f'attachment; filename="braid-disclosures-{day}.csv"'
    )
    return response


def _require_steward(request: AuthenticatedRequest) -> None:
    if not policy.is_steward(request.user):
        raise PermissionDenied(_("Only the community's steward reads the record."))


def _entries(request: AuthenticatedRequest, form: FilterForm) -> QuerySet[Disclosure]:
    if not form.is_valid():
        return Disclosure.objects.none()
    return record.search(request.user, form.filters())


def _row(entry: Disclosure) -> Row:
    return Row(
        entry=entry,
        categories=[CATEGORY_LABELS.get(c, c) for c in entry.categories],
        grounds=record.grounds_summary(entry.grounds),
    )


class _Echo:
    """A file that hands back what is written, for streaming csv rows."""

    def write(self, value: str) -> str:
        return value


# Column names stay the same in every language, for the programs that read
# the file.
COLUMNS = [
    "entry",
    "at_utc",
    "child",
    "username",
    "organization",
    "categories",
    "purpose",
    "legal_basis",
    "level",
    "release",
    "reference",
    "grounds",
    "hash",
]


def _csv_lines(entries: QuerySet[Disclosure]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # The byte-order mark tells Excel the file is UTF-8.
    yield "\ufeff" + writer.writerow(COLUMNS)
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        yield writer.writerow(
            [
                entry.sequence,
                entry.at.astimezone(UTC).isoformat(),
                entry.child.public_id,
                inert(entry.username),
                entry.organization.slug,
                " ".join(entry.categories),
                entry.purpose,
                entry.legal_basis,
                entry.level,
                entry.release,
                inert(entry.reference),
                json.dumps(entry.grounds, sort_keys=True),
                entry.hash,
            ]
        )
