"""Withdrawing a "not the same child" answer in Chromium, then merging."""

import re

import pytest
from playwright.sync_api import expect

from braid.children.models import SourceRecord
from braid.linkage import decisions
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from tests.browser.conftest import assert_accessible, enter_signed_in
from tests.linkage.conftest import send  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def decided_apart(send, community, people):  # noqa: F811
    """Noah at the school and at the club, answered "not the same child"."""
    send(community.district, "D1,S101,Noah,Kim,2015-03-07,M,,")
    send(community.club, "C1,S901,Noah,Kim,2015-03-07,M,,")
    item = ReviewItem.objects.get(kind=ReviewItem.Kind.LINK)
    decision = decisions.decide(item, False, people.steward)
    assert decision is not None
    return decision


def test_the_steward_withdraws_a_wrong_answer_and_merges_the_two(
    page, live_server, community, people, decided_apart
):
    district = SourceRecord.objects.get(organization=community.district)
    club = SourceRecord.objects.get(organization=community.club)
    enter_signed_in(page, live_server.url, people.steward)
    page.goto(f"/linkage/children/{district.child.public_id}/")

    merge = page.get_by_role("button", name="Merge the two children")
    page.get_by_label("Community ID of the other child").fill(club.child.public_id)
    merge.click()
    expect(page.get_by_role("status")).to_contain_text(
        "withdraw it under “Decisions on this child's records”"
    )

    decisions_table = page.get_by_role(
        "region", name="Decisions on this child's records"
    )
    row = decisions_table.get_by_role("row").filter(has_text="Youth Club C1")
    expect(row).to_contain_text("Not the same child")
    expect(row).to_contain_text("N*** K**")
    row.get_by_role(
        "button",
        name="Withdraw the decision on Riverbend Schools D1 and Youth Club C1",
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Withdraw a decision")
    expect(page.get_by_text("Withdrawing moves no record")).to_be_visible()
    assert_accessible(page)
    assert PairDecision.standing.filter(pk=decided_apart.pk).exists()
    page.get_by_role("button", name="Withdraw the decision").click()

    expect(page).to_have_url(
        re.compile(f"/linkage/children/{district.child.public_id}/$")
    )
    expect(page.get_by_role("status")).to_contain_text("Decision withdrawn (change #")
    expect(
        page.get_by_text("No standing decision involves this child's records.")
    ).to_be_visible()
    assert MappingEvent.objects.get().kind == MappingEvent.Kind.WITHDRAW

    page.get_by_label("Community ID of the other child").fill(club.child.public_id)
    page.get_by_role("button", name="Merge the two children").click()

    expect(page.get_by_role("status")).to_contain_text("are now one child")
    district.refresh_from_db()
    club.refresh_from_db()
    assert district.child_id == club.child_id
