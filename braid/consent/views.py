"""Staff pages for a child's consents and guardians.

A child is reached by community ID, and only by the staff of organizations
that hold a record of the child and by the steward; to anyone else the
child does not exist. Each organization sees the consents it recorded and
the names of the guardians it added; the steward sees every consent, with
guardians by number, and verifies consents against their scans.
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from braid.access import policy
from braid.agreements.models import category_labels, kind_labels, purpose_labels
from braid.children.models import Child
from braid.community.models import Organization
from braid.consent import permissions, services
from braid.consent.evaluation import adult_on
from braid.consent.forms import (
    ConsentEntryForm,
    GuardianForm,
    MomentForm,
    PublishForm,
    RestrictionForm,
    StatusAtForm,
    VerificationForm,
    guardian_label,
    initial_from,
)
from braid.consent.models import (
    Consent,
    ConsentEvent,
    ConsentForm,
    FormVersion,
    Guardian,
)
from braid.consent.status import Status, endings, status
from braid.http import AuthenticatedRequest

# Where a consent still counts, or may: the actions to end or renew it show.
OPEN = {
    Status.IN_FORCE,
    Status.NOT_YET,
    Status.GUARDIAN_RESTRICTED,
    Status.STUDENT_ADULT,
}


@login_required
@require_GET
def child_consents(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    child = permissions.get_child(request.user, public_id)
    if child.merged_into_id is not None:
        return redirect("consent:child", public_id=child.survivor().public_id)

    status_form = StatusAtForm(request.GET or None)
    at = timezone.now()
    if status_form.is_valid() and status_form.cleaned_data["at"]:
        at = status_form.cleaned_data["at"]
    # Another organization's consents say what it was told and by whom:
    # each organization reads only its own, the steward every one.
    every = child.consents.all()
    shown = every
    if not policy.is_steward(request.user):
        shown = every.filter(
            organization_id__in=permissions.acting_organization_ids(request.user)
        )
    consents = list(
        shown.select_related(
            "form_version",
            "guardian",
            "entered_by",
            "superseded_by",
            "organization",
            "verification__verified_by",
        )
        .prefetch_related(
            Prefetch(
                "events", queryset=ConsentEvent.objects.select_related("recorded_by")
            )
        )
        .order_by("-signed_at", "-pk")
    )
    names = dict(
        Organization.objects.filter(
            pk__in={pk for consent in consents for pk in consent.recipients}
        ).values_list("pk", "name")
    )
    adult = adult_on(services.birth_date(child))
    is_steward = policy.is_steward(request.user)
    return render(
        request,
        "consent/consent/list.html",
        {
            "child": child,
            "at": at,
            "status_form": status_form,
            "rows": [
                _row(request, consent, at, adult, names, is_steward)
                for consent in consents
            ],
            "hidden": every.count() - len(consents),
            "guardians": [
                (guardian, _guardian_label(request, guardian))
                for guardian in child.guardians.all()
            ],
            "can_restrict": bool(
                permissions.can_restrict_guardian(request.user, child)
            ),
        },
    )


def _row(
    request: AuthenticatedRequest,
    consent: Consent,
    at: datetime,
    adult: date | None,
    names: dict[int, str],
    is_steward: bool,
) -> dict[str, Any]:
    current = status(consent, at, adult)
    verification = getattr(consent, "verification", None)
    return {
        "consent": consent,
        "status": current,
        "open": current in OPEN,
        "may_resign": current in OPEN - {Status.GUARDIAN_RESTRICTED},
        "signer": (
            _guardian_label(request, consent.guardian)
            if consent.guardian
            else _("The student")
        ),
        "recipients": [names.get(pk, str(pk)) for pk in consent.recipients],
        "recipient_kinds": kind_labels(consent.recipient_kinds),
        "purposes": purpose_labels(consent.purposes),
        "categories": category_labels(consent.categories),
        "endings": endings(consent),
        "first_day": _day_starting(consent.valid_from),
        "last_day": _day_before(consent.valid_until),
        "verification": verification,
        "awaits_check": verification is None and names_its_recorder(consent),
        "may_verify": is_steward and verification is None and bool(consent.scan),
    }


def _day_starting(moment: datetime | None) -> date | None:
    """Return the day a moment starts, when it is a local midnight."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return local.date() if local.time() == time.min else None


def _day_before(moment: datetime | None) -> date | None:
    """Return the last whole day before a local midnight: "through" that day.

    The form's "in force through" day is stored as the midnight that ends it.
    """
    day = _day_starting(moment)
    return day - timedelta(days=1) if day else None


def names_its_recorder(consent: Consent) -> bool:
    """Whether the consent lets its own recording organization receive data.

    Such a consent counts for releases to that organization only once the
    steward has verified it (see ``evaluation.not_in_force``).
    """
    recorder = consent.organization
    if recorder is None or recorder.is_backbone:
        return False
    return recorder.pk in consent.recipients or recorder.kind in consent.recipient_kinds


def _guardian_label(request: AuthenticatedRequest, guardian: Guardian) -> str:
    return guardian_label(
        guardian, permissions.may_read_guardian_name(request.user, guardian)
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    child = _recordable_child(request, public_id)
    return _entry(request, child, old=None)


@login_required
@require_http_methods(["GET", "POST"])
def consent_resign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    old = _consent(request, pk)
    _require(permissions.can_record_consent(request.user, old.child))
    return _entry(request, old.child, old=old)


def _entry(
    request: AuthenticatedRequest, child: Child, old: Consent | None
) -> HttpResponse:
    guardians = permissions.guardians_to_choose(request.user, child)
    form = ConsentEntryForm(
        request.POST or None,
        request.FILES or None,
        guardians=[(g, _guardian_label(request, g)) for g in guardians],
        organizations=permissions.recording_organizations(request.user, child),
        initial=initial_from(old) if old else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if old is None:
                services.give_consent(child=child, user=request.user, **form.terms())
            else:
                services.resign(old, user=request.user, **form.terms())
        except services.ConsentRefused as error:
            form.show_refusal(error)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("consent:child", public_id=child.public_id)
    language = get_language() or "en"
    versions = [
        (version, version.title(language), version.text(language))
        for version in FormVersion.objects.select_related("form")
    ]
    return render(
        request,
        "consent/consent/add.html",
        {"child": child, "form": form, "old": old, "versions": versions},
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consent = _consent(request, pk)
    return _end(
        request,
        consent,
        services.revoke,
        "consent/consent/revoke.html",
        _("The consent is revoked."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_event(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consent = _consent(request, pk)
    if not consent.until_event:
        raise Http404
    return _end(
        request,
        consent,
        services.record_event,
        "consent/consent/event.html",
        _("The consent has ended with its event."),
    )


def _end(
    request: AuthenticatedRequest,
    consent: Consent,
    ending: Callable[[Consent, datetime, Any, str], object],
    template: str,
    done: str,
) -> HttpResponse:
    """Ask when a consent ended (revoked, or its event) and record it."""
    _require(permissions.can_record_consent(request.user, consent.child))
    form = MomentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ending(
                consent,
                form.cleaned_data["at"],
                request.user,
                form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("at", error)
        else:
            messages.success(request, done)
            return redirect("consent:child", public_id=consent.child.public_id)
    return render(
        request, template, {"consent": consent, "child": consent.child, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_verify(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consent = _consent(request, pk)
    _require(permissions.can_verify(request.user))
    form = VerificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.verify(consent, request.user, form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The consent is verified against its scan."))
            return redirect("consent:child", public_id=consent.child.public_id)
    return render(
        request,
        "consent/consent/verify.html",
        {"consent": consent, "child": consent.child, "form": form},
    )


@login_required
@require_GET
def consent_scan(request: AuthenticatedRequest, pk: int) -> FileResponse:
    consent = _consent(request, pk)
    # A signed form names the child and the guardian: it opens for the
    # organization that recorded it, and for the steward who verifies it.
    if not permissions.can_open_scan(request.user, consent):
        raise Http404
    extension = services.scan_content_type(consent)
    response = FileResponse(
        consent.scan.open("rb"),
        as_attachment=True,
        filename=f"consent-{consent.pk}.{(consent.scan.name or '').rsplit('.', 1)[-1]}",
        content_type=extension,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def guardian_add(request: AuthenticatedRequest, public_id: str) -> HttpResponse:
    child = _recordable_child(request, public_id)
    form = GuardianForm(
        request.POST or None,
        organizations=permissions.recording_organizations(request.user, child),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.add_guardian(child, user=request.user, **form.details())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The guardian is added."))
            return redirect("consent:child", public_id=child.public_id)
    return render(request, "consent/guardian/add.html", {"child": child, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_restrict(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    guardian = get_object_or_404(Guardian.objects.select_related("child"), pk=pk)
    if not permissions.can_see_consents(request.user, guardian.child):
        raise Http404
    _require(permissions.can_restrict_guardian(request.user, guardian.child))

    form = RestrictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.restrict_guardian(
                guardian,
                form.cleaned_data["at"],
                form.cleaned_data["note"],
                request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The guardian's consent no longer counts from then on.")
            )
            return redirect("consent:child", public_id=guardian.child.public_id)
    label = _guardian_label(request, guardian)
    return render(
        request,
        "consent/guardian/restrict.html",
        {
            "guardian": guardian,
            "label": label,
            "child": guardian.child,
            "form": form,
        },
    )


@login_required
@require_GET
def form_version(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(FormVersion.objects.select_related("form"), pk=pk)
    language = get_language() or "en"
    return render(
        request,
        "consent/form/detail.html",
        {
            "version": version,
            "title": version.title(language),
            "text": version.text(language),
            "categories": category_labels(version.categories),
            "purposes": purpose_labels(version.purposes),
            "recipient_kinds": kind_labels(version.recipient_kinds),
            "recipients": version.recipients.all(),
        },
    )


@login_required
@require_GET
def form_list(request: AuthenticatedRequest) -> HttpResponse:
    forms = ConsentForm.objects.prefetch_related("versions")
    return render(
        request,
        "consent/form/list.html",
        {
            "forms": forms,
            "language": get_language() or "en",
            "may_publish": policy.is_steward(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_publish(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    if not policy.is_steward(request.user):
        raise PermissionDenied(_("Only the steward publishes consent forms."))
    form = get_object_or_404(ConsentForm, slug=slug)
    entry = PublishForm(request.POST) if request.method == "POST" else None
    if entry is None:
        entry = PublishForm.from_version(form.current())
    elif entry.is_valid():
        try:
            version = services.publish_form_version(
                form=form, user=request.user, **entry.cleaned_data
            )
        except ValidationError as error:
            for problem in error.error_list:
                field = problem.code if problem.code in entry.fields else None
                entry.add_error(field, problem.messages)
        else:
            messages.success(
                request,
                _("Version %(number)s of the form is published.")
                % {"number": version.number},
            )
            return redirect("consent:form_version", pk=version.pk)
    return render(
        request, "consent/form/publish.html", {"form": entry, "consent_form": form}
    )


def _recordable_child(request: AuthenticatedRequest, public_id: str) -> Child:
    child = permissions.get_child(request.user, public_id).survivor()
    _require(permissions.can_record_consent(request.user, child))
    return child


def _consent(request: AuthenticatedRequest, pk: int) -> Consent:
    """Return the consent, or raise 404 outside the user's scope.

    A consent exists for the organization that recorded it and the steward.
    """
    consent = get_object_or_404(
        Consent.objects.select_related(
            "child", "form_version", "guardian", "organization"
        ),
        pk=pk,
    )
    if not permissions.can_see_consents(request.user, consent.child):
        raise Http404
    if not permissions.can_see_consent(request.user, consent):
        raise Http404
    return consent


def _require(decision: permissions.Decision) -> None:
    if not decision:
        raise PermissionDenied(" ".join(decision.reasons))
