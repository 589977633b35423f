"""Forms of the agreement pages: terms, document, signing, ending, withholding.

The forms check what a browser sends; the terms themselves are checked once,
in ``services.Terms.check``, whose messages land on the fields they name.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from braid.agreements import services
from braid.agreements.models import Agreement, LegalBasis, Level, Purpose
from braid.community.models import Organization, OrganizationKind
from braid.records.models import Category

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _checkboxes(**kwargs: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, **kwargs)


def _organizations(**kwargs: Any) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Organization.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class AgreementForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the agreement a title.")},
    )
    contributors = _organizations(
        label=_("Contributing organizations"),
        error_messages={
            "required": _("Choose at least one contributing organization.")
        },
    )
    recipients = _organizations(label=_("Recipient organizations"), required=False)
    recipient_kinds = _checkboxes(
        label=_("Classes of recipients"),
        choices=OrganizationKind.choices,
        required=False,
        help_text=_(
            "Every organization of a class receives, now and later; such "
            "recipients do not sign."
        ),
    )
    categories = _checkboxes(
        label=_("Data categories"),
        choices=Category.choices,
        error_messages={"required": _("Choose at least one data category.")},
    )
    level = forms.ChoiceField(
        label=_("Level granted"),
        choices=Level.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the level granted.")},
    )
    purposes = _checkboxes(
        label=_("Purposes"),
        choices=Purpose.choices,
        error_messages={"required": _("Choose at least one purpose.")},
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the legal basis.")},
    )
    starts_on = forms.DateField(
        label=_("Start date"),
        widget=DATE,
        error_messages={"required": _("Give the start date.")},
    )
    ends_on = forms.DateField(
        label=_("End date"),
        widget=DATE,
        error_messages={"required": _("Give the end date.")},
    )
    scope = forms.CharField(
        label=_("Scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Required under a FERPA exception: the purpose, and what the study "
            "or evaluation covers."
        ),
    )
    data_list = forms.CharField(
        label=_("Data list"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required under a FERPA exception: the data disclosed."),
    )
    destruction_on = forms.DateField(
        label=_("Destruction date"),
        required=False,
        widget=DATE,
        help_text=_(
            "Required under a FERPA exception. The recipient's access ends by "
            "itself on this day."
        ),
    )

    def terms(self) -> services.Terms:
        data = self.cleaned_data
        return services.Terms(
            title=data["title"],
            contributors=list(data["contributors"]),
            recipients=list(data["recipients"]),
            recipient_kinds=list(data["recipient_kinds"]),
            categories=list(data["categories"]),
            level=data["level"],
            purposes=list(data["purposes"]),
            legal_basis=data["legal_basis"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            scope=data["scope"],
            data_list=data["data_list"],
            destruction_on=data["destruction_on"],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                self.terms().check()
            except ValidationError as error:
                self.add_error(None, error)
            return cleaned

        # With other terms missing, the FERPA ones are still named now, so
        # that the steward fixes the draft in one go.
        for name, message in services.exception_term_errors(
            cleaned.get("legal_basis", ""),
            cleaned.get("scope", ""),
            cleaned.get("data_list", ""),
            cleaned.get("destruction_on"),
        ):
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned

    @staticmethod
    def initial_of(agreement: Agreement) -> dict[str, Any]:
        terms = services.terms_of(agreement)
        return {
            "title": terms.title,
            "contributors": terms.contributors,
            "recipients": terms.recipients,
            "recipient_kinds": terms.recipient_kinds,
            "categories": terms.categories,
            "level": terms.level,
            "purposes": terms.purposes,
            "legal_basis": terms.legal_basis,
            "starts_on": terms.starts_on,
            "ends_on": terms.ends_on,
            "scope": terms.scope,
            "data_list": terms.data_list,
            "destruction_on": terms.destruction_on,
        }


class DocumentForm(forms.Form):
    document = forms.FileField(
        label=_("Signed agreement (PDF, at most 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Choose the PDF to attach.")},
    )

    def clean_document(self) -> Any:
        upload = self.cleaned_data["document"]
        services.check_document(upload)
        return upload


class SignForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Sign for"),
        queryset=Organization.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("You may not sign for that organization.")},
    )

    def __init__(
        self, *args: Any, organizations: list[Organization], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organization.objects.filter(
            pk__in=[org.pk for org in organizations]
        )


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for ending the agreement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the agreement is terminated.")},
    )


class WithholdForm(forms.Form):
    contributor = forms.ModelChoiceField(
        label=_("Withhold the data of"),
        queryset=Organization.objects.none(),
        empty_label=None,
        error_messages={
            "invalid_choice": _("You may not withhold that organization's data.")
        },
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    recipient = forms.ModelChoiceField(
        label=_("Withheld from"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("Every recipient"),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        agreement: Agreement,
        contributors: list[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        contributor = self.fields["contributor"]
        category = self.fields["category"]
        recipient = self.fields["recipient"]
        assert isinstance(contributor, forms.ModelChoiceField)
        assert isinstance(category, forms.ChoiceField)
        assert isinstance(recipient, forms.ModelChoiceField)
        contributor.queryset = Organization.objects.filter(
            pk__in=[org.pk for org in contributors]
        )
        labels = dict(Category.choices)
        category.choices = [("", _("Every category"))] + [
            (value, labels.get(value, value)) for value in agreement.categories
        ]
        recipient.queryset = Organization.objects.filter(
            Q(pk__in=agreement.recipients.all()) | Q(kind__in=agreement.recipient_kinds)
        )
