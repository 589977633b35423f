"""The agreement pages: the steward drafts, every party reads and signs.

Agreements are fetched through ``permissions.get_agreement``, so that a
person outside every party learns nothing of one, not even that it exists.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from braid.access.policy import Decision
from braid.agreements import permissions, services
from braid.agreements.forms import (
    AgreementForm,
    DocumentForm,
    SignForm,
    TerminateForm,
    WithholdForm,
)
from braid.agreements.models import Agreement, AgreementState
from braid.http import AuthenticatedRequest

AGREEMENTS_PER_PAGE = 50


@login_required
@require_GET
def agreement_list(request: AuthenticatedRequest) -> HttpResponse:
    _require(permissions.can_read_agreements(request.user))
    wanted = request.GET.get("state", "")
    if wanted not in AgreementState.values:
        wanted = ""

    now = timezone.now()
    rows = [
        {"agreement": agreement, "state": agreement.state(now)}
        for agreement in _listed(permissions.visible_agreements(request.user))
    ]
    if wanted:
        rows = [row for row in rows if row["state"] == wanted]
    page = Paginator(rows, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": page.object_list,
        "state": wanted,
        "states": AgreementState.choices,
        "can_manage": bool(permissions.can_manage_agreements(request.user)),
    }
    return render(request, "agreements/agreement/list.html", context)


def _listed(agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    return agreements.prefetch_related("contributors", "recipients", "signatures")


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: AuthenticatedRequest) -> HttpResponse:
    _require(permissions.can_manage_agreements(request.user))
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.create_agreement(form.terms(), request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The draft is saved. Each party signs it next.")
            )
            return redirect("agreements:detail", pk=agreement.pk)
    return render(
        request, "agreements/agreement/edit.html", {"form": form, "agreement": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    _require(permissions.can_manage_agreements(request.user))
    if agreement.terminated_at is not None or agreement.signatures.exists():
        messages.error(
            request,
            _(
                "A party has signed this agreement or it has ended, so its terms "
                "are final. To change them, draft a new agreement."
            ),
        )
        return redirect("agreements:detail", pk=agreement.pk)

    if request.method == "POST":
        form = AgreementForm(request.POST)
        if form.is_valid() and _saved(request, form, agreement):
            messages.success(request, _("The draft is saved."))
            return redirect("agreements:detail", pk=agreement.pk)
    else:
        form = AgreementForm(initial=AgreementForm.initial_of(agreement))
    return render(
        request,
        "agreements/agreement/edit.html",
        {"form": form, "agreement": agreement},
    )


def _saved(
    request: AuthenticatedRequest, form: AgreementForm, agreement: Agreement
) -> bool:
    try:
        services.update_draft(agreement, form.terms(), request.user)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except services.AgreementError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
@require_GET
def agreement_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    return _render_detail(request, agreement)


def _render_detail(
    request: AuthenticatedRequest, agreement: Agreement, **forms: Any
) -> HttpResponse:
    user = request.user
    signatures = {
        s.organization_id: s for s in agreement.signatures.select_related("signed_by")
    }
    signers = permissions.signing_organizations(user, agreement)
    withholders = permissions.withholding_contributors(user, agreement)
    state = agreement.state(timezone.now())
    live = agreement.terminated_at is None
    can_manage = bool(permissions.can_manage_agreements(user))
    context = {
        "agreement": agreement,
        "state": state,
        "parties": [
            {"organization": org, "signature": signatures.get(org.pk)}
            for org in agreement.parties()
        ],
        "contributors": list(agreement.contributors.all()),
        "recipients": list(agreement.recipients.all()),
        "withholdings": list(
            agreement.withholdings.select_related(
                "contributor", "recipient", "started_by", "lifted_by"
            )
        ),
        "withholders": {org.pk for org in withholders},
        "can_manage": can_manage,
        "unsigned": not signatures,
        # Once a party has signed, the document attached is final.
        "can_attach": can_manage and live and not (agreement.document and signatures),
        "can_terminate": live and bool(permissions.can_terminate(user, agreement)),
        "sign_form": forms.get("sign_form")
        or (
            SignForm(organizations=signers)
            if signers and state == AgreementState.DRAFT
            else None
        ),
        "terminate_form": forms.get("terminate_form") or TerminateForm(),
        "withhold_form": forms.get("withhold_form")
        or (
            WithholdForm(agreement=agreement, contributors=withholders)
            if withholders and live
            else None
        ),
        "document_form": forms.get("document_form") or DocumentForm(),
    }
    return render(request, "agreements/agreement/detail.html", context)


@login_required
@require_POST
def sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    signers = permissions.signing_organizations(request.user, agreement)
    if not signers:
        raise PermissionDenied(
            _("No organization you may sign for is left to sign this agreement.")
        )
    form = SignForm(request.POST, organizations=signers)
    if not form.is_valid():
        return _render_detail(request, agreement, sign_form=form)

    organization = form.cleaned_data["organization"]
    try:
        services.sign(agreement, organization, request.user)
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("You signed the agreement for %(organization)s.")
            % {"organization": organization.name},
        )
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def terminate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    _require(permissions.can_terminate(request.user, agreement))
    form = TerminateForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, agreement, terminate_form=form)

    try:
        services.terminate(agreement, request.user, form.cleaned_data["reason"])
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The agreement is terminated; from now on it grants nothing.")
        )
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def attach(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    _require(permissions.can_manage_agreements(request.user))
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, agreement, document_form=form)

    try:
        services.attach_document(agreement, form.cleaned_data["document"], request.user)
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The signed document is attached."))
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_GET
def document(request: AuthenticatedRequest, pk: int) -> FileResponse:
    agreement = permissions.get_agreement(request.user, pk)
    if not agreement.document:
        raise Http404
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"agreement-{agreement.pk}.pdf",
        content_type="application/pdf",
    )


@login_required
@require_POST
def withhold(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    contributors = permissions.withholding_contributors(request.user, agreement)
    if not contributors:
        raise PermissionDenied(
            _("Only an admin of a contributing organization withholds its data.")
        )
    form = WithholdForm(request.POST, agreement=agreement, contributors=contributors)
    if form.is_valid() and _withheld(request, form, agreement):
        messages.success(request, _("The data is withheld from now on."))
        return redirect("agreements:detail", pk=agreement.pk)
    return _render_detail(request, agreement, withhold_form=form)


def _withheld(
    request: AuthenticatedRequest, form: WithholdForm, agreement: Agreement
) -> bool:
    data = form.cleaned_data
    try:
        services.withhold(
            agreement,
            data["contributor"],
            data["category"],
            data["recipient"],
            request.user,
            data["reason"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return False
    except services.AgreementError as error:
        form.add_error(None, str(error))
        return False
    return True


@login_required
@require_POST
def lift(request: AuthenticatedRequest, pk: int, withholding_pk: int) -> HttpResponse:
    agreement = permissions.get_agreement(request.user, pk)
    withholding = permissions.get_withholding(agreement, withholding_pk)
    try:
        services.lift(withholding, request.user)
    except services.AgreementError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The withholding is lifted."))
    return redirect("agreements:detail", pk=agreement.pk)


def _require(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
