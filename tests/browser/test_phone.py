"""Braid on a phone: nothing wider than the screen, the navigation in reach."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, document_width, enter_signed_in

pytestmark = pytest.mark.browser


def assert_fits_the_screen(page: Page) -> None:
    width = document_width(page)
    assert width <= PHONE["width"], f"{page.url} is {width}px wide on a phone"


def assert_within_reach(page: Page) -> None:
    """Every link and control of the main navigation shows on the screen."""
    navigation = page.get_by_role("navigation", name="Main")
    controls = navigation.locator("a, button, select")
    assert controls.count() >= 3
    for control in controls.all():
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            control.inner_text() or control.get_attribute("name"),
            box,
        )


def test_the_upload_page_fits_a_phone_and_its_navigation_works(
    phone, live_server, people, served
):
    enter_signed_in(phone, live_server.url, people.district_staff)

    phone.goto("/intake/upload/")

    assert_fits_the_screen(phone)
    assert_within_reach(phone)
    phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Our children"
    ).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Our children")
    assert_fits_the_screen(phone)


def test_the_report_fits_a_phone_with_its_table_scrolling_inside(
    phone, live_server, people, served
):
    enter_signed_in(phone, live_server.url, people.analyst)

    phone.goto("/reports/counts/?rows=age-band&columns=organization")

    expect(phone.locator("#counts-table")).to_be_visible()
    assert_fits_the_screen(phone)
    assert_within_reach(phone)
    phone.get_by_label("Rows").select_option(label="Grade")
    expect(phone.locator("#counts-table thead th").first).to_have_text("Grade")
    assert_fits_the_screen(phone)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Braid").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Community reports")
