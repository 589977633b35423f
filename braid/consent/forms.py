"""Forms for entering signed consent forms, guardians and court orders.

The consent form leaves every part optional: the service decides what is
missing and says so, and the page shows each message beside its field.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from braid.agreements.models import Purpose
from braid.community.models import Organization, OrganizationKind
from braid.consent import services
from braid.consent.models import (
    Consent,
    Decision,
    FormVersion,
    Guardian,
    Method,
    Signer,
)
from braid.records.models import Category

STUDENT = "student"
# Which field shows each part the service finds missing; the rest are shown
# above the form.
FIELD_OF_PART = {
    "form_version": "form_version",
    "signer": "signed_by",
    "authority": "signed_by",
    "decision": "decision",
    "recipients": "recipients",
    "purposes": "purposes",
    "categories": "categories",
    "period": "valid_until",
    "signed_at": "signed_on",
    "method": "method",
    "scan": "scan",
}


def start_of(day: date) -> datetime:
    """Return the first moment of a day where Braid is used."""
    return timezone.make_aware(datetime.combine(day, time.min))


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        version: FormVersion = obj
        return _("%(title)s, version %(number)s") % {
            "title": version.title(get_language() or "en"),
            "number": version.number,
        }


def checkboxes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ConsentEntryForm(forms.Form):
    """A signed paper form, as staff copy it in with its scan."""

    form_version = VersionChoiceField(
        label=_("Form signed"), queryset=FormVersion.objects.none(), required=False
    )
    signed_by = forms.ChoiceField(label=_("Signed by"), required=False)
    signed_on = forms.DateField(
        label=_("Signed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decision = forms.ChoiceField(
        label=_("The answer on the form"),
        choices=Decision.choices,
        initial=Decision.PERMIT,
        widget=forms.RadioSelect,
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipient organizations"),
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_kinds = checkboxes(_("Classes of recipients"), OrganizationKind.choices)
    purposes = checkboxes(_("Purposes"), Purpose.choices)
    categories = checkboxes(_("Records (data categories)"), Category.choices)
    valid_from = forms.DateField(
        label=_("In force from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    valid_until = forms.DateField(
        label=_("In force through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day, or leave empty when it lasts until an event."),
    )
    until_event = forms.CharField(
        label=_("Or until the event"),
        max_length=200,
        required=False,
        help_text=_("For example: the end of the school year 2026-27."),
    )
    except_recipients = forms.ModelMultipleChoiceField(
        label=_("Except for these organizations"),
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    except_recipient_kinds = checkboxes(
        _("Except for these classes of recipients"), OrganizationKind.choices
    )
    except_purposes = checkboxes(_("Except for these purposes"), Purpose.choices)
    except_categories = checkboxes(_("Except for these records"), Category.choices)
    method = forms.ChoiceField(
        label=_("How it was signed"),
        choices=[(m.value, m.label) for m in (Method.PAPER, Method.STAFF_ENTERED)],
        initial=Method.PAPER,
        widget=forms.RadioSelect,
    )
    scan = forms.FileField(
        label=_("Scan of the signed form"),
        required=False,
        help_text=_("PDF, PNG or JPEG, at most 10 MB."),
    )

    def __init__(
        self,
        *args: Any,
        guardians: list[Guardian],
        show_names: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["form_version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = FormVersion.objects.select_related("form")
        signed_by = self.fields["signed_by"]
        assert isinstance(signed_by, forms.ChoiceField)
        signed_by.choices = [("", "—")] + [
            (f"guardian-{g.pk}", guardian_label(g, show_names)) for g in guardians
        ]
        signed_by.choices += [(STUDENT, str(Signer.STUDENT.label))]
        self.guardians = {f"guardian-{g.pk}": g for g in guardians}

    def clean_scan(self) -> Any:
        scan = self.cleaned_data.get("scan")
        if scan is not None:
            services.scan_extension(scan)
        return scan

    def terms(self) -> dict[str, Any]:
        """Return the consent's parts in the form ``give_consent`` takes."""
        data = self.cleaned_data
        signed_by = data.get("signed_by") or ""
        valid_from: date | None = data.get("valid_from")
        valid_until: date | None = data.get("valid_until")
        signed_on: date | None = data.get("signed_on")
        return {
            "form_version": data.get("form_version"),
            "signer": Signer.STUDENT
            if signed_by == STUDENT
            else (Signer.GUARDIAN if signed_by else None),
            "guardian": self.guardians.get(signed_by),
            "decision": data.get("decision") or Decision.PERMIT,
            "recipients": [org.pk for org in data.get("recipients") or []],
            "recipient_kinds": data.get("recipient_kinds") or [],
            "purposes": data.get("purposes") or [],
            "categories": data.get("categories") or [],
            "provisions": self._exceptions(),
            "valid_from": start_of(valid_from) if valid_from else None,
            "valid_until": (
                start_of(valid_until + timedelta(days=1)) if valid_until else None
            ),
            "until_event": data.get("until_event") or "",
            "signed_at": start_of(signed_on) if signed_on else None,
            "method": data.get("method") or None,
            "scan": data.get("scan"),
        }

    def _exceptions(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        node = {
            "recipients": [org.pk for org in data.get("except_recipients") or []],
            "recipient_kinds": data.get("except_recipient_kinds") or [],
            "purposes": data.get("except_purposes") or [],
            "categories": data.get("except_categories") or [],
        }
        if not any(node.values()):
            return []
        opposite = (
            Decision.DENY if data.get("decision") != Decision.DENY else Decision.PERMIT
        )
        return [
            {
                "decision": opposite,
                **{key: value for key, value in node.items() if value},
            }
        ]

    def show_refusal(self, error: services.ConsentRefused) -> None:
        """Put each of the service's messages beside the field it concerns."""
        for problem in error.error_list:
            field = FIELD_OF_PART.get(problem.code or "")
            for message in problem.messages:
                self.add_error(field, message)


def initial_from(consent: Consent) -> dict[str, Any]:
    """Return a re-signing form's first values: the old consent's terms."""
    exception = consent.provisions[0] if len(consent.provisions) == 1 else {}
    return {
        "form_version": consent.form_version_id,
        "signed_by": (
            f"guardian-{consent.guardian_id}" if consent.guardian_id else STUDENT
        ),
        "decision": consent.decision,
        "recipients": consent.recipients,
        "recipient_kinds": consent.recipient_kinds,
        "purposes": consent.purposes,
        "categories": consent.categories,
        "until_event": consent.until_event,
        "except_recipients": exception.get("recipients", []),
        "except_recipient_kinds": exception.get("recipient_kinds", []),
        "except_purposes": exception.get("purposes", []),
        "except_categories": exception.get("categories", []),
    }


def guardian_label(guardian: Guardian, show_names: bool) -> str:
    name = guardian.name if show_names else str(guardian)
    if guardian.relationship:
        return f"{name} ({guardian.relationship})"
    return name


class GuardianForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    relationship = forms.CharField(
        label=_("Relationship to the child"),
        max_length=60,
        required=False,
        help_text=_("For example: mother, father, grandparent, foster parent."),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)


class MomentForm(forms.Form):
    """When something took effect, and a note on it."""

    at = forms.DateTimeField(
        label=_("Takes effect"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, note_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["at"].initial = lambda: timezone.localtime().strftime(
            "%Y-%m-%dT%H:%M"
        )
        if note_label is not None:
            self.fields["note"].label = note_label


class RestrictionForm(MomentForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, note_label=_("Court order"), **kwargs)
        self.fields["note"].required = True
        self.fields["note"].help_text = _(
            "The court, the order's number or date, and what it restricts."
        )


class StatusAtForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Status at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PublishForm(forms.Form):
    """The next version of a consent form, in English and Spanish."""

    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=200)
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea)
    text_es = forms.CharField(label=_("Text (Spanish)"), widget=forms.Textarea)
    categories = checkboxes(_("Records it covers"), Category.choices)
    purposes = checkboxes(_("Purposes"), Purpose.choices)
    recipient_kinds = checkboxes(_("Classes of recipients"), OrganizationKind.choices)
    recipients = forms.ModelMultipleChoiceField(
        label=_("Named recipients"),
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    @classmethod
    def from_version(cls, version: FormVersion | None) -> "PublishForm":
        """Start from the current version's wording and terms."""
        if version is None:
            return cls()
        return cls(
            initial={
                "title_en": version.title_en,
                "title_es": version.title_es,
                "text_en": version.text_en,
                "text_es": version.text_es,
                "categories": version.categories,
                "purposes": version.purposes,
                "recipient_kinds": version.recipient_kinds,
                "recipients": list(version.recipients.all()),
            }
        )
