"""Forms of the steward's linkage pages: review, thresholds, mapping."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db import models
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from braid.children.models import Child, SourceRecord
from braid.community.models import Organization
from braid.linkage import engine
from braid.linkage.models import WEIGHT_LIMIT, LinkagePolicy, ReviewItem


class Answer(models.TextChoices):
    SAME = "same", _("Same child")
    DIFFERENT = "different", _("Not the same child")
    SKIP = "skip", _("Skip")


ANSWER_VERDICTS: dict[str, bool | None] = {
    Answer.SAME: True,
    Answer.DIFFERENT: False,
    Answer.SKIP: None,
}


def answer_field_name(item_id: int) -> str:
    return f"pair-{item_id}"


def answered_item_ids(data: Any) -> list[int]:
    """Return the queued pairs a posted review form gave an answer for."""
    ids = []
    for name in data:
        prefix, _sep, number = name.partition("-")
        if prefix == "pair" and number.isdigit() and data.get(name):
            ids.append(int(number))
    return sorted(ids)


class ReviewForm(forms.Form):
    """One answer (or none) for each pair on a page of the review queue."""

    def __init__(self, *args: Any, items: Iterable[ReviewItem], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        for item_id in self.items:
            self.fields[answer_field_name(item_id)] = forms.ChoiceField(
                choices=Answer.choices, required=False, widget=forms.RadioSelect
            )

    def answers(self) -> list[tuple[ReviewItem, bool | None]]:
        """Return each answered pair with its verdict; ``None`` skips it."""
        answered = []
        for item_id, item in self.items.items():
            value = self.cleaned_data.get(answer_field_name(item_id))
            if value:
                answered.append((item, ANSWER_VERDICTS[value]))
        return answered


class ThresholdsForm(forms.Form):
    auto_link_weight = forms.FloatField(
        label=_("Link automatically from (bits)"),
        min_value=-WEIGHT_LIMIT,
        max_value=WEIGHT_LIMIT,
        help_text=_("Pairs with at least this match weight are linked unseen."),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    review_weight = forms.FloatField(
        label=_("Review from (bits)"),
        min_value=-WEIGHT_LIMIT,
        max_value=WEIGHT_LIMIT,
        help_text=_(
            "Pairs from this weight up to the automatic threshold wait for a "
            "person; lower ones are taken for different children."
        ),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        auto, review = cleaned.get("auto_link_weight"), cleaned.get("review_weight")
        if auto is not None and review is not None and review > auto:
            self.add_error(
                "review_weight",
                _(
                    "The review threshold (%(review)s) must not be above the "
                    "automatic one (%(auto)s)."
                )
                % {"review": localize(review), "auto": localize(auto)},
            )
        return cleaned

    def save(self, user: User) -> LinkagePolicy:
        """Store the thresholds as the community's, noting who set them."""
        return engine.set_thresholds(
            self.cleaned_data["auto_link_weight"],
            self.cleaned_data["review_weight"],
            user,
        )


def community_id_key(value: str) -> str:
    """Return a community ID as stored: upper case, no spaces or hyphens."""
    return "".join(value.split()).replace("-", "").upper()


class CommunityIdField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, strip=True, **kwargs)

    def clean(self, value: Any) -> Child:
        text = super().clean(value)
        child = Child.objects.filter(public_id=community_id_key(text)).first()
        if child is None:
            raise forms.ValidationError(
                _("No child has the community ID %(id)s.") % {"id": text[:20]}
            )
        return child


class FindChildForm(forms.Form):
    community_id = CommunityIdField(label=_("Find a child by community ID"))


class MergeForm(forms.Form):
    other = CommunityIdField(
        label=_("Community ID of the other child"),
        help_text=_(
            "The older of the two IDs stays; the other leads to it from then on."
        ),
    )
    # Shown, one box per organization, only once a merge has been refused
    # for holding two records of that organization.
    duplicates = forms.ModelMultipleChoiceField(
        queryset=Organization.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child

    def clean_other(self) -> Child:
        other: Child = self.cleaned_data["other"].survivor()
        if other.pk == self.child.pk:
            raise forms.ValidationError(_("That is this child's own ID."))
        return other

    def confirmed_duplicates(self) -> set[int]:
        """Return the organizations the person confirmed duplicates in."""
        return {organization.pk for organization in self.cleaned_data["duplicates"]}


class RecordChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SourceRecord) -> str:
        return f"{obj.organization.name} {obj.local_id}"


class SplitForm(forms.Form):
    records = RecordChoiceField(
        queryset=SourceRecord.objects.none(),
        label=_("Records to separate into a child of their own"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose the records to separate."),
        },
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["records"]
        assert isinstance(field, RecordChoiceField)
        field.queryset = child.source_records.select_related("organization")
