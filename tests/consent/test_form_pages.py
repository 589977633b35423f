"""The consent forms' pages: reading every version, publishing the next."""

import pytest
from django.urls import reverse

from braid.consent.models import ConsentForm, FormVersion


@pytest.fixture
def sharing():
    return ConsentForm.objects.get(slug="sharing")


def publish(client, sharing, **changes):
    client.get(reverse("consent:form_publish", args=[sharing.slug]))
    current = sharing.current()
    data = {
        "title_en": current.title_en,
        "title_es": current.title_es,
        "text_en": current.text_en + "\n\nThis version adds the literacy program.",
        "text_es": current.text_es + "\n\nEsta versión añade el programa de lectura.",
        "categories": current.categories,
        "purposes": current.purposes,
        "recipient_kinds": current.recipient_kinds,
        **changes,
    }
    return client.post(reverse("consent:form_publish", args=[sharing.slug]), data)


def test_the_steward_publishes_a_new_version_from_the_current_one(
    client, people, sharing
):
    client.force_login(people.steward)
    form_page = client.get(reverse("consent:form_publish", args=[sharing.slug]))
    assert sharing.current().title_en in form_page.content.decode()

    response = publish(client, sharing)

    second = sharing.versions.get(number=2)
    assert response.status_code == 302
    assert response.url == reverse("consent:form_version", args=[second.pk])
    assert "literacy program" in second.text_en
    assert sharing.versions.get(number=1).text_en not in ("", second.text_en)


def test_a_version_missing_its_terms_is_refused_and_nothing_published(
    client, people, sharing
):
    client.force_login(people.steward)

    response = publish(client, sharing, categories=[], text_es="")

    assert response.status_code == 200
    assert sharing.versions.count() == 1
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("who", ["district_staff", "analyst", "evaluator"])
def test_only_the_steward_publishes(client, people, sharing, who, quiet):
    client.force_login(getattr(people, who))

    response = publish(client, sharing)

    assert response.status_code == 403
    assert FormVersion.objects.filter(form=sharing).count() == 1
    assert all("Forbidden" in line for line in quiet.take())


def test_everyone_signed_in_reads_every_version(client, people, sharing):
    client.force_login(people.steward)
    publish(client, sharing)
    client.force_login(people.club_staff)

    page = client.get(reverse("consent:forms")).content.decode()

    for version in sharing.versions.all():
        assert reverse("consent:form_version", args=[version.pk]) in page
    assert "Publish a new version" not in page


def test_an_empty_submission_names_every_missing_part_beside_its_field(
    client, people, sharing
):
    client.force_login(people.steward)

    response = client.post(reverse("consent:form_publish", args=[sharing.slug]), {})

    errors = response.context["form"].errors
    assert errors["title_en"] == ["The title in English is missing."]
    assert errors["text_es"] == ["The text in Spanish is missing."]
    assert set(errors) == {
        "title_en",
        "title_es",
        "text_en",
        "text_es",
        "categories",
        "purposes",
        "recipients",
    }
    assert sharing.versions.count() == 1
