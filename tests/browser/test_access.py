"""Who may open what, as a person meets it in the browser."""

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def main_navigation(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def test_an_analyst_who_opens_the_upload_page_is_refused_and_told_why(
    page, people, quiet
):
    sign_in(page, "analyst")
    expect(
        main_navigation(page).get_by_role("link", name="Send a roster")
    ).to_have_count(0)

    response = page.goto("/intake/upload/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You may not open this page"
    )
    expect(
        page.get_by_text(
            "You are not on the staff of an organization that contributes rosters."
        )
    ).to_be_visible()
    assert_accessible(page)
    assert quiet.take() == [
        "django.request: Forbidden (Permission denied): /intake/upload/"
    ]
    page.get_by_role("link", name="Back to your home page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community reports")


def test_an_outsider_who_opens_the_reports_is_refused(page, people, quiet):
    sign_in(page, "outsider")
    expect(main_navigation(page).get_by_role("link", name="Reports")).to_have_count(0)

    response = page.goto("/reports/counts/")

    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You may not open this page"
    )
    expect(page.get_by_text("Community reports are for stewards")).to_be_visible()
    assert quiet.take() == [
        "django.request: Forbidden (Permission denied): /reports/counts/"
    ]


def test_signing_out_ends_the_session(page, people):
    sign_in(page, "district-staff")

    main_navigation(page).get_by_role("button", name="Sign out district-staff").click()

    page.wait_for_url("**/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Braid")
    page.goto("/children/")
    page.wait_for_url("**/accounts/login/?next=/children/")
    sign_out = main_navigation(page).get_by_role("button", name="Sign out")
    expect(sign_out).to_have_count(0)


def test_a_wrong_password_is_refused_on_the_login_page(page, people):
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill("district-staff")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_have_text(
        "That user name and password do not match. Try again."
    )
    expect(page.get_by_label("User name")).to_have_value("district-staff")
    assert_accessible(page)
