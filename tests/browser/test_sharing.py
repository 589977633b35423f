"""Sharing in Chromium: a child's page across organizations, the record of
disclosures, exports and consents, each checked by axe (WCAG 2.1 AA)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from braid.access.models import Disclosure
from braid.consent import services
from tests.access.builders import agreement, consent, form_version
from tests.access.released import remove, unguarded
from tests.browser.conftest import assert_accessible, enter_signed_in
from tests.factories import EnrollmentFactory, SourceRecordFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def shared_child(community, people):
    """A child the district and the club both serve, the district's record
    shared with the club under an agreement and the parent's consent."""
    district = SourceRecordFactory(
        organization=community.district, first_name="Nayeli", last_name="Torvik"
    )
    club = SourceRecordFactory(organization=community.club, child=district.child)
    EnrollmentFactory(
        organization=community.club, source_record=club, program=community.club_program
    )
    agreement(
        by=people.steward,
        contributors=[community.district],
        recipients=[community.club],
        categories=["demographics", "enrollment", "attendance"],
    )
    consent(district.child, by=people.district_staff)
    services.add_guardian(
        district.child, "Ana Torvik", "mother", "", "", people.district_staff
    )
    return district.child


@pytest.fixture
def releases(live_server):
    """Let the test server's flush empty a record it may not delete from."""
    yield
    with unguarded():
        remove("1 = 1")


def test_the_club_reads_the_districts_record_and_is_told_why_not_the_rest(
    page, live_server, people, shared_child, releases
):
    enter_signed_in(page, live_server.url, people.club_staff)

    page.goto(reverse("children:detail", args=[shared_child.public_id]))

    expect(page.get_by_text("Nayeli", exact=False).first).to_be_visible()
    page.get_by_text("Not shown. Why can't I see this?").first.click()
    expect(page.get_by_text("does not include Guardian contact").first).to_be_visible()
    assert_accessible(page)
    assert Disclosure.objects.filter(child=shared_child).count() == 1


def test_the_steward_finds_the_release_in_the_record_of_disclosures(
    page, live_server, people, shared_child, releases, client
):
    client.force_login(people.club_staff)
    client.get(reverse("children:detail", args=[shared_child.public_id]))
    enter_signed_in(page, live_server.url, people.steward)

    page.goto(reverse("access:disclosures"))

    expect(page.get_by_text(shared_child.public_id).first).to_be_visible()
    assert "Nayeli" not in page.content()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("who", "pages"),
    [
        ("club_staff", ["children:export"]),
        ("steward", ["consent:forms"]),
        ("district_staff", ["consent:child"]),
    ],
)
def test_the_sharing_pages_are_accessible(
    page, live_server, people, shared_child, who, pages
):
    enter_signed_in(page, live_server.url, getattr(people, who))

    for name in pages:
        args = [shared_child.public_id] if name == "consent:child" else []
        response = page.goto(reverse(name, args=args))
        assert response is not None and response.status == 200, name
        assert_accessible(page)


def test_the_steward_publishes_a_form_version_in_the_browser(page, live_server, people):
    # The form the migrations make does not outlive another browser test's
    # flush: this test makes its own.
    version = form_version()
    enter_signed_in(page, live_server.url, people.steward)
    page.goto(reverse("consent:form_publish", args=[version.form.slug]))
    assert_accessible(page)

    page.get_by_label("Text (English)").fill("A shorter form, in plain words.")
    page.get_by_role("button", name="Publish").click()
    # The test's form names no parties: the page says so, beside the form.
    expect(page.get_by_role("alert").first).to_be_visible()
    page.get_by_role("checkbox", name="Funder", exact=True).check()
    page.get_by_role("button", name="Publish").click()

    expect(page.get_by_text("Version 2 of the form is published.")).to_be_visible()
