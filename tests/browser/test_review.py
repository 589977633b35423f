"""The steward's review queue and mapping pages in Chromium."""

import pytest
from playwright.sync_api import Page, expect

from braid.children.models import SourceRecord
from braid.linkage import decisions
from braid.linkage.models import MappingEvent, PairDecision, ReviewItem
from tests.browser.conftest import (
    PHONE,
    assert_accessible,
    document_width,
    enter_signed_in,
    sign_in,
)
from tests.linkage.conftest import send  # noqa: F401
from tests.linkage.test_review_page import NOAH, send_any  # noqa: F401
from tests.linkage.test_views import CHILDREN, rows

pytestmark = pytest.mark.browser


@pytest.fixture
def queue(send, community):  # noqa: F811
    """Three pairs across organizations and a duplicate, waiting for review."""
    send(community.district, *rows("D", "S1", CHILDREN[:3]))
    send(community.club, *rows("C", "S9", CHILDREN[:3]))
    send(
        community.club,
        "X1,,Zara,Pemberton,2016-02-02,F,,",
        "X2,,Zara,Pemberton,2016-02-02,F,,",
    )
    items = list(ReviewItem.objects.filter(kind=ReviewItem.Kind.LINK))
    assert len(items) == 3
    return items


def pair_ids(page: Page) -> list[str]:
    return page.locator("[data-pair]").evaluate_all(
        "pairs => pairs.map(pair => pair.id)"
    )


def focused_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement.id"))


def test_the_steward_answers_a_page_of_pairs_with_the_keyboard_alone(
    page, queue, people
):
    sign_in(page, "steward")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Review matches"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review matches")
    # The heading shows before the deferred review.js at the page's end has
    # run; a key pressed in between does nothing.
    page.wait_for_load_state()
    first, second, third = pair_ids(page)

    page.keyboard.press("j")
    assert focused_id(page) == first
    page.keyboard.press("ArrowDown")
    page.keyboard.press("j")
    assert focused_id(page) == third
    page.keyboard.press("k")
    page.keyboard.press("ArrowUp")
    assert focused_id(page) == first
    expect(page.locator(f"#{first}")).to_have_class("pair current")

    page.keyboard.press("s")
    assert focused_id(page) == second
    page.keyboard.press("d")
    page.keyboard.press("x")
    expect(page.locator(f"#{first} input[value=same]")).to_be_checked()
    expect(page.locator(f"#{second} input[value=different]")).to_be_checked()
    expect(page.locator(f"#{third} input[value=skip]")).to_be_checked()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        "3 answers saved: 1 same child, 1 not the same, 1 skipped."
    )
    decided = {int(pid.removeprefix("pair-")) for pid in (first, second)}
    assert {d.review_item.pk for d in PairDecision.standing.all()} == decided
    verdicts = {
        f"pair-{item.pk}": item.decision.same if item.decision else item.status
        for item in ReviewItem.objects.filter(kind="link").select_related("decision")
    }
    assert verdicts == {first: True, second: False, third: "skipped"}
    assert pair_ids(page) == [third]


@pytest.mark.parametrize(
    ("language", "announced"),
    [
        ("en", ["Pair 1: Same child", "Pair 2: Not the same child", "Pair 3: Skip"]),
        (
            "es",
            ["Par 1: El mismo niño", "Par 2: No es el mismo niño", "Par 3: Omitir"],
        ),
    ],
)
def test_each_answer_by_key_is_announced_with_its_label_whole(
    page, live_server, queue, people, language, announced
):
    enter_signed_in(page, live_server.url, people.steward)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/linkage/review/")
    status = page.locator("[data-review-status]")

    for key, text in zip("sdx", announced, strict=True):
        page.keyboard.press(key)
        expect(status).to_have_text(text)


def test_enter_saves_from_a_pair_and_the_radios_still_answer_with_arrows(
    page, live_server, queue, people
):
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/review/")
    first = pair_ids(page)[0]

    page.locator(f"#{first} input[value=same]").focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"#{first} input[value=different]")).to_be_checked()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_have_text(
        "1 answer saved: 0 same child, 1 not the same, 0 skipped."
    )


def test_the_review_works_without_javascript(browser, live_server, queue, people):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/review/")

    question = page.get_by_role("group", name="Are the records of pair 1 one child?")
    question.get_by_role("radio", name="Same child", exact=True).check()
    page.get_by_role("button", name="Save the answers on this page").click()

    expect(page.get_by_role("status")).to_have_text(
        "1 answer saved: 1 same child, 0 not the same, 0 skipped."
    )
    context.close()


def test_the_thresholds_preview_follows_the_numbers_typed(
    page, live_server, queue, people
):
    for item, same in zip(queue, [True, False, False], strict=True):
        decisions.decide(item, same, people.steward)
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/thresholds/")
    expect(page.locator("#expected")).to_contain_text("on the 3 pairs people settled")

    page.get_by_label("Review from (bits)").fill("9")

    expect(page.locator("#expected")).to_contain_text(
        "must not be above the automatic one"
    )
    page.get_by_label("Review from (bits)").fill("-60")
    page.get_by_label("Link automatically from (bits)").fill("60")
    row = page.get_by_role("row", name="Recall with review")
    expect(row.get_by_role("cell").first).to_have_text("100.0 %")


@pytest.fixture
def history(queue, people):
    """A merge through the queue, then one split off again, and one undone."""
    merge, other, _ = queue
    decisions.decide(merge, True, people.steward)
    decisions.decide(other, True, people.steward)
    event = MappingEvent.objects.filter(kind=MappingEvent.Kind.MERGE).first()
    assert event is not None
    decisions.undo(event, people.steward)
    record = SourceRecord.objects.get(pk=merge.record_a_id)
    return record.child.survivor()


def test_the_steward_pages_have_no_wcag_21_aa_violations(
    page, live_server, queue, history, people
):
    enter_signed_in(page, live_server.url, people.steward)
    problems = []
    paths = [
        "/",
        "/linkage/review/",
        "/linkage/review/?kind=duplicate",
        "/linkage/thresholds/",
        "/linkage/children/",
        "/linkage/children/?community_id=NOPE",
        f"/linkage/children/{history.public_id}/",
        "/linkage/changes/",
    ]
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems.append(str(error))

    assert not problems, "\n\n".join(problems)


def test_the_review_page_works_at_phone_width(phone, live_server, queue, people):
    enter_signed_in(phone, live_server.url, people.steward)

    phone.goto("/linkage/review/")

    width = document_width(phone)
    assert width <= PHONE["width"], f"the review page is {width}px wide on a phone"
    question = phone.get_by_role("group", name="Are the records of pair 1 one child?")
    choice = question.get_by_role("radio", name="Not the same child", exact=True)
    box = choice.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    choice.tap()
    save = phone.get_by_role("button", name="Save the answers on this page")
    save.scroll_into_view_if_needed()
    save.tap()
    expect(phone.get_by_role("status")).to_have_text(
        "1 answer saved: 0 same child, 1 not the same, 0 skipped."
    )
    assert document_width(phone) <= PHONE["width"]


@pytest.fixture
def chain(send_any, community):  # noqa: F811
    """The clinic's Noah matches a child whose club record holds another ID."""
    send_any(community.district, f"D1,,{NOAH}")
    send_any(community.club, f"C1,S1,{NOAH}")
    send_any(community.clinic, f"E1,S2,{NOAH}")
    return ReviewItem.objects.get(reason=ReviewItem.Reason.CHAIN)


def test_a_pair_names_what_stands_between_its_children_and_leads_to_them(
    page, live_server, chain, people
):
    district = SourceRecord.objects.select_related("child").get(local_id="D1")
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/review/")
    pair = page.locator(f"#pair-{chain.pk}")

    expect(pair.get_by_role("listitem")).to_contain_text("Youth Club C1 (child ")
    expect(pair.get_by_role("listitem")).to_contain_text(
        "also wait for review. The state student IDs differ."
    )
    expect(pair.get_by_role("row", name="The child's other records")).to_contain_text(
        "Youth Club C1"
    )
    assert_accessible(page)

    pair.get_by_role("row", name="Community ID").get_by_role(
        "link", name=district.child.public_id
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Child {district.child.public_id}"
    )


def test_the_children_of_a_pair_fit_a_phone(phone, live_server, chain, people):
    enter_signed_in(phone, live_server.url, people.steward)

    phone.goto("/linkage/review/")

    expect(phone.locator(f"#pair-{chain.pk}")).to_contain_text("also wait for review.")
    width = document_width(phone)
    assert width <= PHONE["width"], f"the review page is {width}px wide on a phone"
