"""Publishing a new version of a consent form."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from braid.consent import services
from braid.consent.models import FormVersion


def publish(version, user, **changes):
    parts = {
        "form": version.form,
        "title_en": "Sharing, revised",
        "title_es": "Compartir, revisado",
        "text_en": "Plain words.",
        "text_es": "Palabras sencillas.",
        "categories": ["attendance"],
        "purposes": ["program-evaluation"],
        "recipient_kinds": ["city-service"],
        "user": user,
    }
    parts.update(changes)
    return services.publish_form_version(**parts)


def test_the_steward_publishes_the_next_version_beside_the_old(version, people):
    before = FormVersion.objects.filter(pk=version.pk).values().get()

    newer = publish(version, people.steward)

    assert newer.number == 2 and version.form.current() == newer
    assert FormVersion.objects.filter(pk=version.pk).values().get() == before


def test_a_version_can_name_organizations(version, people, community):
    newer = publish(version, people.steward, recipients=[community.club])
    assert list(newer.recipients.all()) == [community.club]


@pytest.mark.parametrize("who", ["district_staff", "analyst", "evaluator"])
def test_only_the_steward_publishes(version, people, who):
    with pytest.raises(PermissionDenied):
        publish(version, getattr(people, who))


def test_a_version_says_what_what_for_and_to_whom_in_both_languages(version, people):
    with pytest.raises(ValidationError) as caught:
        publish(
            version,
            people.steward,
            text_es="",
            categories=[],
            purposes=["fun"],
            recipient_kinds=[],
        )
    assert len(caught.value.messages) == 4
    assert FormVersion.objects.count() == 1


def test_an_empty_version_is_refused_naming_every_missing_part(version, people):
    with pytest.raises(ValidationError) as caught:
        publish(
            version,
            people.steward,
            title_en="",
            title_es="",
            text_en="",
            text_es="",
            categories=[],
            purposes=[],
            recipient_kinds=[],
        )

    assert [error.code for error in caught.value.error_list] == [
        "title_en",
        "title_es",
        "text_en",
        "text_es",
        "categories",
        "purposes",
        "recipients",
    ]
