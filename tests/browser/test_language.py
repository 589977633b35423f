"""Choosing the language of the pages."""

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def language_selector(page: Page) -> Locator:
    # Found by its id: Django's own catalogs already translate some of the
    # words around it, its label among them.
    return page.locator("#language")


def test_choosing_espanol_reloads_the_page_in_spanish(page, people):
    page.goto("/accounts/login/")

    with page.expect_response("**/i18n/setlang/") as answer:
        language_selector(page).select_option(label="Español")

    assert answer.value.status == 302
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(language_selector(page)).to_have_value("es")
    assert page.url.endswith("/accounts/login/")


def test_the_language_chosen_stays_from_page_to_page_and_can_be_changed_back(
    page, people
):
    sign_in(page, "district-staff")
    page.goto("/intake/upload/")

    language_selector(page).select_option(label="Español")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith("/intake/upload/")
    page.goto("/children/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    language_selector(page).select_option(label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith("/children/")
