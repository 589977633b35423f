"""Every page, as each kind of person sees it, checked by axe (WCAG 2.1 AA)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from braid.intake import services
from tests.browser.conftest import (
    assert_accessible,
    axe_violations,
    describe_violations,
    enter_signed_in,
)
from tests.intake.rosters import AVA, roster

pytestmark = pytest.mark.browser

BAD_ROW = "00104,Zara,Quillfeather,2015-02-30,F,4"

# The pages each person opens, and what each answers them.
PAGES = {
    "nobody": [("/accounts/login/", 200)],
    "steward": [
        ("/", 200),
        ("/intake/", 200),
        ("/intake/{committed}/", 200),
        ("/reports/counts/", 200),
    ],
    "district_staff": [
        ("/", 200),
        ("/intake/upload/", 200),
        ("/intake/{staged}/", 200),
        ("/intake/{committed}/", 200),
        ("/intake/", 200),
        ("/children/", 200),
        ("/children/?q=Okafor", 200),
    ],
    "analyst": [
        ("/", 200),
        ("/reports/counts/", 200),
        ("/reports/counts/?rows=age-band&columns=gender", 200),
        ("/reports/counts/?rows=nothing", 200),
        ("/intake/upload/", 403),
    ],
    "evaluator": [("/", 200)],
    "outsider": [("/", 200), ("/children/", 200), ("/reports/counts/", 403)],
    "parent": [("/", 200)],
    "club_staff": [("/intake/{committed}/", 404)],
}


@pytest.fixture
def batches(community, people, served):
    """The batches the pages show: one committed, one staged with an error."""
    staged = services.stage_roster(
        user=people.district_staff,
        organization=community.district,
        program=None,
        filename="errors.csv",
        content=roster(AVA, BAD_ROW),
    )
    return {"committed": served["district"].pk, "staged": staged.pk}


@pytest.mark.parametrize("person", list(PAGES))
def test_each_page_a_person_opens_has_no_wcag_21_aa_violations(
    page, live_server, people, batches, quiet, person
):
    if person != "nobody":
        enter_signed_in(page, live_server.url, getattr(people, person))

    # Every page is checked before failing, so that one run lists them all.
    problems = []
    for path, status in PAGES[person]:
        response = page.goto(path.format(**batches))
        assert response is not None and response.status == status, path
        if violations := axe_violations(page):
            problems.append(describe_violations(page.url, violations))

    assert not problems, "\n\n".join(problems)
    refusals = [path for path, status in PAGES[person] if status != 200]
    # Django logs each refusal as a warning; these are on purpose.
    logged = quiet.take()
    assert len(logged) == len(refusals), logged
    assert all(line.startswith("django.request: ") for line in logged)


def test_the_upload_form_showing_an_error_is_accessible(
    page, live_server, people, tmp_path
):
    enter_signed_in(page, live_server.url, people.district_staff)
    page.goto("/intake/upload/")
    path = tmp_path / "roster.csv"
    path.write_bytes(roster(AVA))

    page.get_by_label("Roster as of").fill(
        (timezone.localdate() + timedelta(days=7)).isoformat()
    )
    page.get_by_label("Roster file").set_input_files(path)
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("alert")).to_have_text(
        "A roster cannot describe a day still to come."
    )
    expect(page.get_by_label("Roster as of")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
