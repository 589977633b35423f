"""A contributor's own records of the children it serves."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from braid.access import policy, release
from braid.agreements.models import Purpose
from braid.children.forms import ExportForm
from braid.children.models import Child
from braid.children.normalize import id_key, name_key
from braid.consent.permissions import can_see_consents
from braid.http import AuthenticatedRequest
from braid.reporter.render import inert


@login_required
def record_list(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.record_organizations(request.user):
        raise PermissionDenied(
            _("Only staff of an organization that serves children see its records.")
        )

    records = (
        policy.visible_source_records(request.user)
        .select_related("organization", "child")
        .annotate(
            open_enrollments=Count("enrollments", filter=Q(enrollments__end_date=None))
        )
        .order_by("organization__name", "last_name_key", "first_name_key", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        key = name_key(query)
        records = records.filter(
            Q(local_id_key=id_key(query))
            | Q(last_name_key__startswith=key)
            | Q(first_name_key__startswith=key)
        )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "children/record/list.html", {"page": page, "query": query})


@login_required
def child_detail(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    code = public_id.strip().upper()
    purpose = request.GET.get("purpose") or Purpose.SERVICE_COORDINATION
    if purpose not in Purpose.values:
        purpose = Purpose.SERVICE_COORDINATION
    context: dict[str, object] = {
        "child": {"public_id": code},
        "purpose": purpose,
        "purposes": Purpose.choices,
    }

    # An ID nobody may see, a merged one, and one that does not exist all
    # answer alike: the page must not confirm that a child is known.
    child = Child.objects.filter(public_id=code).first()
    survivor = child.survivor() if child else None
    shown = (
        release.view_child(request.user, survivor, purpose, reference=request.path)
        if survivor
        else None
    )
    if shown is None or survivor is None:
        return render(request, "children/child/hidden.html", context, status=403)
    if survivor != child:
        return redirect("children:detail", public_id=survivor.public_id)

    context["child"] = survivor
    context["may_see_consents"] = bool(can_see_consents(request.user, survivor))
    return render(request, "children/child/detail.html", {**context, "shown": shown})


@login_required
def export(request: AuthenticatedRequest) -> HttpResponse:
    form = ExportForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "children/export/form.html", {"form": form})

    purpose, level = form.cleaned_data["purpose"], form.cleaned_data["level"]
    categories = form.cleaned_data["categories"]
    header, rows = release.export_rows(
        request.user, purpose, categories, level, reference=_export_reference(form)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="braid-{level}-{stamp}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([inert(cell) for cell in row] for row in rows)
    return response


def _export_reference(form: "ExportForm") -> str:
    data = form.cleaned_data
    return "export " + ",".join([data["purpose"], data["level"], *data["categories"]])
