"""Undoing a merge in Chromium: the list names the children, undo confirms."""

import re

import pytest
from playwright.sync_api import expect

from braid.children.models import SourceRecord
from braid.linkage import decisions
from braid.linkage.models import MappingEvent
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    document_width,
    enter_signed_in,
)
from tests.factories import SourceRecordFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def merged(community, people) -> MappingEvent:
    """The school's D1 and the club's C1, merged by the steward."""
    district = SourceRecordFactory(organization=community.district, local_id="D1")
    club = SourceRecordFactory(organization=community.club, local_id="C1")
    return decisions.merge(district.child, club.child, people.steward)


def test_the_steward_reads_what_an_undo_does_and_confirms_it_by_keyboard(
    page, live_server, community, people, merged
):
    district = SourceRecord.objects.select_related("child").get(local_id="D1")
    club = SourceRecord.objects.get(local_id="C1")
    [[_record, retired_id, survivor_id]] = merged.moves
    retired = district.child.merged_children.get()
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/changes/")

    row = page.get_by_role("row").filter(has_text=f"#{merged.pk}")
    expect(row.get_by_role("link", name=district.child.public_id)).to_be_visible()
    expect(row.get_by_role("link", name=retired.public_id)).to_be_visible()
    undo = row.get_by_role("link", name=f"Undo change #{merged.pk}")
    undo.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Undo change #{merged.pk}"
    )
    going = page.get_by_role("region", name="Records going back")
    expect(going).to_contain_text("Youth Club C1")
    expect(
        page.get_by_text("Same child: Riverbend Schools D1 and Youth Club C1")
    ).to_be_visible()
    assert_accessible(page)
    assert club.first_name not in page.content()
    club.refresh_from_db()
    assert club.child_id == survivor_id

    page.get_by_role("button", name="Undo the change").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/linkage/changes/$"))
    expect(page.get_by_role("status")).to_have_text(
        f"Change {merged.pk} (Merge) undone."
    )
    club.refresh_from_db()
    assert club.child_id == retired_id
    row = page.get_by_role("row").filter(has_text=f"#{merged.pk}")
    expect(row.get_by_role("cell").last).to_have_text("Undone")


def test_cancelling_goes_back_to_the_childs_page_and_changes_nothing(
    page, live_server, people, merged
):
    district = SourceRecord.objects.select_related("child").get(local_id="D1")
    enter_signed_in(page, live_server.url, people.steward)
    page.goto(f"/linkage/children/{district.child.public_id}/")

    history = page.get_by_role("region", name="Changes to this child")
    history.get_by_role("link", name=f"Undo change #{merged.pk}").click()
    page.get_by_role("link", name="Cancel").click()

    expect(page).to_have_url(
        re.compile(f"/linkage/children/{district.child.public_id}/$")
    )
    assert not MappingEvent.objects.filter(kind=MappingEvent.Kind.UNDO).exists()


def test_the_confirmation_fits_a_phone(phone, live_server, people, merged):
    enter_signed_in(phone, live_server.url, people.steward)

    phone.goto(f"/linkage/changes/{merged.pk}/undo/")

    width = document_width(phone)
    assert width <= PHONE["width"], f"the undo page is {width}px wide on a phone"
    button = phone.get_by_role("button", name="Undo the change")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
