"""A contributor's own records of the children it serves."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from braid.access import policy
from braid.children.normalize import id_key, name_key
from braid.http import AuthenticatedRequest


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
