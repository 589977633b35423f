"""Agreements in the Django admin: looked up by the steward, never changed."""

import pytest
from django.urls import reverse

from braid.agreements.models import Agreement
from tests.factories import PASSWORD


@pytest.fixture
def steward_client(client, people):
    client.login(username="steward", password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "page",
    [
        "admin:agreements_agreement_changelist",
        "admin:agreements_signature_changelist",
        "admin:agreements_withholding_changelist",
    ],
)
def test_the_steward_opens_the_lists(steward_client, active, page):
    assert steward_client.get(reverse(page)).status_code == 200


def test_the_list_shows_each_agreements_state(steward_client, agreement, active):
    page = steward_client.get(
        reverse("admin:agreements_agreement_changelist")
    ).content.decode()

    assert "Active evaluation" in page
    assert "Active" in page and "Draft" in page


def test_an_agreement_is_shown_but_not_changed_here(steward_client, active, quiet):
    url = reverse("admin:agreements_agreement_change", args=[active.pk])

    shown = steward_client.get(url)
    posted = steward_client.post(url, {"title": "Renamed"})
    added = steward_client.get(reverse("admin:agreements_agreement_add"))

    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert posted.status_code == 403
    assert added.status_code == 403
    assert Agreement.objects.get().title == "Active evaluation"
    assert len(quiet.take()) == 2
