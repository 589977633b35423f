from django import forms
from django.utils.translation import gettext_lazy as _

from braid.access.release import SHOWN
from braid.agreements.models import Level, Purpose
from braid.records.models import Category


class ExportForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[c for c in Level.choices if c[0] != Level.AGGREGATE],
        initial=Level.IDENTIFIABLE,
    )
    categories = forms.MultipleChoiceField(
        label=_("Data"),
        choices=[c for c in Category.choices if c[0] in SHOWN],
        widget=forms.CheckboxSelectMultiple,
    )
