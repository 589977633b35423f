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
# How many separate exceptions the entry form offers: each is its own
# provision, so that they are or-ed as siblings.
EXCEPTIONS = 3
EXCEPTION_PARTS = [
    "decision",
    "recipients",
    "recipient_kinds",
    "purposes",
    "categories",
]
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
    "organization": "organization",
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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
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
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label=_("In force through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The last day, or leave empty when it lasts until an event."),
    )
    until_event = forms.CharField(
        label=_("Or until the event"),
        max_length=200,
        required=False,
        help_text=_("For example: the end of the school year 2026-27."),
    )
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
        guardians: list[tuple[Guardian, str]],
        organizations: list[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        version = self.fields["form_version"]
        assert isinstance(version, forms.ModelChoiceField)
        version.queryset = FormVersion.objects.select_related("form")
        signed_by = self.fields["signed_by"]
        assert isinstance(signed_by, forms.ChoiceField)
        signed_by.choices = [("", "—")] + [
            (f"guardian-{g.pk}", label) for g, label in guardians
        ]
        signed_by.choices += [(STUDENT, str(Signer.STUDENT.label))]
        self.guardians = {f"guardian-{g.pk}": g for g, _label in guardians}
        self._add_organization(organizations)
        for number in range(1, EXCEPTIONS + 1):
            self.fields.update(exception_fields(number))

    def _add_organization(self, organizations: list[Organization]) -> None:
        # Asked only of someone who acts for several organizations here.
        self.organizations = {str(org.pk): org for org in organizations}
        if len(organizations) > 1:
            self.fields["organization"] = forms.ChoiceField(
                label=_("Recorded for"),
                choices=[("", "—")] + [(str(o.pk), o.name) for o in organizations],
                required=False,
                help_text=_(
                    "Which of your organizations records this consent: only it "
                    "will see the consent and its scan."
                ),
            )

    def exception_groups(self) -> list[list[forms.BoundField]]:
        """Return each exception's fields, for the template."""
        return [
            [self[f"except{number}_{part}"] for part in EXCEPTION_PARTS]
            for number in range(1, EXCEPTIONS + 1)
        ]

    def has_exceptions(self) -> bool:
        return any(
            field.value() or field.errors
            for group in self.exception_groups()
            for field in group
        )

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
            "organization": self.organizations.get(data.get("organization") or ""),
        }

    def _exceptions(self) -> list[dict[str, Any]]:
        """Return each exception filled in as a provision of its own."""
        data = self.cleaned_data
        opposite = (
            Decision.DENY if data.get("decision") != Decision.DENY else Decision.PERMIT
        )
        found = []
        for number in range(1, EXCEPTIONS + 1):
            given = {
                part: data.get(f"except{number}_{part}") for part in EXCEPTION_PARTS
            }
            node = {
                "recipients": [org.pk for org in given["recipients"] or []],
                "recipient_kinds": given["recipient_kinds"] or [],
                "purposes": given["purposes"] or [],
                "categories": given["categories"] or [],
            }
            if any(node.values()):
                decision = given["decision"] or opposite
                found.append(
                    {"decision": decision, **{k: v for k, v in node.items() if v}}
                )
        return found

    def show_refusal(self, error: services.ConsentRefused) -> None:
        """Put each of the service's messages beside the field it concerns."""
        for problem in error.error_list:
            field = FIELD_OF_PART.get(problem.code or "")
            if field not in self.fields:
                field = None
            for message in problem.messages:
                self.add_error(field, message)


def exception_fields(number: int) -> dict[str, forms.Field]:
    """Return the fields of one exception written on the form."""
    return {
        f"except{number}_decision": forms.ChoiceField(
            label=_("Exception %(number)s: its answer") % {"number": number},
            choices=[
                ("", _("The opposite of the answer on the form")),
                *Decision.choices,
            ],
            required=False,
        ),
        f"except{number}_recipients": forms.ModelMultipleChoiceField(
            label=_("For these organizations"),
            queryset=Organization.objects.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        ),
        f"except{number}_recipient_kinds": checkboxes(
            _("For these classes of recipients"), OrganizationKind.choices
        ),
        f"except{number}_purposes": checkboxes(
            _("For these purposes"), Purpose.choices
        ),
        f"except{number}_categories": checkboxes(
            _("For these records"), Category.choices
        ),
    }


def initial_from(consent: Consent) -> dict[str, Any]:
    """Return a re-signing form's first values: the old consent's terms."""
    initial = {
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
    }
    # Exceptions the form can show are copied; a deeper tree is not, and
    # the person re-signing enters what the new paper says.
    provisions = consent.provisions
    if len(provisions) <= EXCEPTIONS and not any(
        node.get("provisions") for node in provisions
    ):
        for number, node in enumerate(provisions, start=1):
            for part in EXCEPTION_PARTS:
                empty: Any = "" if part == "decision" else []
                initial[f"except{number}_{part}"] = node.get(part, empty)
    return initial


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

    def __init__(
        self, *args: Any, organizations: list[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organizations = {str(org.pk): org for org in organizations}
        if len(organizations) > 1:
            self.fields["organization"] = forms.ChoiceField(
                label=_("Whose records name the guardian"),
                choices=[(str(o.pk), o.name) for o in organizations],
                help_text=_("Only that organization will see the guardian's name."),
            )

    def details(self) -> dict[str, Any]:
        """Return what ``add_guardian`` takes."""
        data = dict(self.cleaned_data)
        data["organization"] = self.organizations.get(data.pop("organization", ""))
        return data


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


class VerificationForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the signature and the date match the record."),
    )


class StatusAtForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Status at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class PublishForm(forms.Form):
    """The next version of a consent form, in English and Spanish.

    Every part is optional here: the service names each one that is missing,
    all at once.
    """

    title_en = forms.CharField(
        label=_("Title (English)"), max_length=200, required=False
    )
    title_es = forms.CharField(
        label=_("Title (Spanish)"), max_length=200, required=False
    )
    text_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea, required=False
    )
    text_es = forms.CharField(
        label=_("Text (Spanish)"), widget=forms.Textarea, required=False
    )
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
