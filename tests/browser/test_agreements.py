"""The agreement pages in Chromium, checked by axe (WCAG 2.1 AA)."""

import os

import pytest
from django.urls import reverse

from braid.agreements import services
from tests.agreements.conftest import make_agreement
from tests.browser.conftest import assert_accessible, enter_signed_in

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("BRAID_SCREENSHOTS")


@pytest.fixture
def signed_in_agreement(community, people, admins):
    agreement = make_agreement(community, people.steward)
    services.sign(agreement, community.district, admins.district)
    services.withhold(
        agreement, community.district, "assessments", None, admins.district, "Held."
    )
    return agreement


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("who", ["steward", "district_admin"])
def test_the_pages_are_accessible(
    page, live_server, people, admins, signed_in_agreement, who
):
    user = people.steward if who == "steward" else admins.district
    enter_signed_in(page, live_server.url, user)

    for name, url in [
        ("list", reverse("agreements:list")),
        ("detail", reverse("agreements:detail", args=[signed_in_agreement.pk])),
    ]:
        page.goto(url)
        assert_accessible(page)
        _shot(page, f"{who}-{name}")


def test_the_draft_form_with_its_errors_is_accessible(page, live_server, people):
    enter_signed_in(page, live_server.url, people.steward)
    page.goto(reverse("agreements:create"))
    assert_accessible(page)

    page.get_by_label("FERPA studies exception (99.31(a)(6))").check()
    page.get_by_role("button", name="Save the draft").click()

    assert page.get_by_text("Choose at least one data category.").is_visible()
    assert page.get_by_text("must list the data disclosed").is_visible()
    assert_accessible(page)
    _shot(page, "steward-create-errors")


def test_the_agreement_reads_on_a_phone(
    phone, live_server, people, signed_in_agreement
):
    enter_signed_in(phone, live_server.url, people.steward)

    phone.goto(reverse("agreements:detail", args=[signed_in_agreement.pk]))

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    _shot(phone, "phone-detail")
