"""The Community Reporter in the browser: a suppressed table, htmx, CSV."""

import csv
import io

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def open_reports(page: Page) -> None:
    sign_in(page, "analyst")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Reports"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children served")


def row_cells(page: Page, label: str) -> Locator:
    """The table row whose heading is ``label``."""
    return page.locator(
        "#counts-table tr", has=page.get_by_role("rowheader", name=label)
    )


def test_an_analyst_sees_counts_with_the_small_one_hidden(page, served):
    open_reports(page)

    expect(row_cells(page, "Parks Department").locator("td")).to_have_text(["30"])
    club = row_cells(page, "Youth Club").locator("td")
    expect(club).to_have_text(["<11"])
    expect(club).to_have_class("number suppressed total")
    # The district's 24 are hidden so that the club's 3 cannot be worked out
    # from the total, and marked apart: they are not a small count.
    district = row_cells(page, "Riverbend Schools").locator("td")
    expect(district).to_have_text(["—"])
    expect(district).to_have_class("number suppressed complementary total")
    expect(row_cells(page, "Total").locator("td")).to_have_text(["57"])
    chart = page.get_by_role("list", name="Totals as a bar chart")
    expect(chart.get_by_role("listitem")).to_have_text(
        ["Parks Department: 30", "Riverbend Schools: —", "Youth Club: <11"]
    )
    expect(page.get_by_text("— marks a number of 11 or more")).to_be_visible()
    assert_accessible(page)


def test_choosing_columns_swaps_the_table_in_place(page, served):
    open_reports(page)
    # A full page load would forget this; htmx's swap keeps it.
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Columns").select_option(label="Gender")

    page.wait_for_url("**/reports/counts/?*columns=gender*")
    header = page.locator("#counts-table thead th")
    expect(header).to_have_text(["Organization", "Female", "Male", "Total"])
    expect(row_cells(page, "Parks Department").locator("td")).to_have_text(
        ["15", "15", "30"]
    )
    expect(row_cells(page, "Youth Club").locator("td")).to_have_text(
        ["<11", "<11", "<11"]
    )
    expect(row_cells(page, "Riverbend Schools").locator("td")).to_have_text(
        ["—", "—", "—"]
    )
    assert page.evaluate("window.sameDocument") is True
    expect(page.get_by_label("Columns")).to_have_value("gender")
    assert_accessible(page)


def test_the_download_link_gives_the_table_shown_as_csv(page, served):
    open_reports(page)
    page.get_by_label("Columns").select_option(label="Gender")
    page.wait_for_url("**columns=gender*")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()

    assert download.value.suggested_filename == "braid-counts-organization-gender.csv"
    # The export may start with a byte-order mark, for spreadsheets' sake.
    text = download.value.path().read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert ["Organization", "Female", "Male", "Total"] in table
    assert ["Parks Department", "15", "15", "30"] in table
    assert ["Youth Club", "<11", "<11", "<11"] in table
    assert table[-1] == ["Total", "29", "28", "57"]
    response = page.request.get(
        page.get_by_role("link", name="Download CSV").get_attribute("href") or ""
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
