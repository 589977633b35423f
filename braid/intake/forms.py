from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from braid.community.models import Organization, Program
from braid.intake.labels import FIELD_LABELS
from braid.intake.parsing.types import IGNORE

DATE_FORMATS = [
    ("", _("Let Braid tell (ISO, or US month/day/year)")),
    ("%m/%d/%Y", _("Month/day/year, e.g. 03/07/2015 for 7 March")),
    ("%d/%m/%Y", _("Day/month/year, e.g. 07/03/2015 for 7 March")),
    ("%Y-%m-%d", _("Year-month-day, e.g. 2015-03-07")),
    ("%Y%m%d", _("Year, month and day without separators, e.g. 20150307")),
]


class UploadForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.none(), empty_label=None
    )
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("Everyone the organization serves"),
        help_text=_(
            "Children missing from the next roster of the same program are ended."
        ),
    )
    as_of = forms.DateField(
        label=_("Roster as of"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day the roster describes."),
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "CSV (comma, semicolon, tab or pipe) or Excel XLSX, with a header row."
        ),
    )
    date_format = forms.ChoiceField(
        label=_("Dates of birth are written as"), choices=DATE_FORMATS, required=False
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any):
        super().__init__(*args, **kwargs)
        ids = [org.pk for org in organizations]
        organization = self.fields["organization"]
        program = self.fields["program"]
        assert isinstance(organization, forms.ModelChoiceField)
        assert isinstance(program, forms.ModelChoiceField)
        organization.queryset = Organization.objects.filter(pk__in=ids)
        program.queryset = Program.objects.filter(
            organization_id__in=ids
        ).select_related("organization")
        self.fields["as_of"].initial = timezone.localdate
        if len(organizations) == 1:
            self.fields["organization"].widget = forms.HiddenInput()
            self.fields["organization"].initial = organizations[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        program = data.get("program")
        organization = data.get("organization")
        if program and organization and program.organization_id != organization.pk:
            self.add_error(
                "program",
                _("%(program)s is not a program of %(organization)s.")
                % {"program": program.name, "organization": organization.name},
            )
        as_of = data.get("as_of")
        if as_of and as_of > timezone.localdate():
            self.add_error("as_of", _("A roster cannot describe a day still to come."))
        return data


class MappingForm(forms.Form):
    """One choice per column of the file, and the date format."""

    date_format = forms.ChoiceField(
        label=_("Dates of birth are written as"), choices=DATE_FORMATS, required=False
    )

    def __init__(
        self, *args: Any, headers: list[str], current: dict[str, str], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, _("Not used")), *FIELD_LABELS.items()]
        self.headers = headers
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header
                or _("(column %(number)s, no header)") % {"number": index + 1},
                choices=choices,
                initial=current.get(header, IGNORE),
            )

    def overrides(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[f"column_{index}"]
            for index, header in enumerate(self.headers)
        }
