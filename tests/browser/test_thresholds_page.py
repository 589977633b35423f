"""The steward's thresholds page in Chromium, beyond the WCAG rules."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from braid.linkage import decisions
from braid.linkage.models import ReviewItem
from tests.browser.conftest import describe_violations, enter_signed_in
from tests.linkage.conftest import send  # noqa: F401
from tests.linkage.test_views import CHILDREN, rows

pytestmark = pytest.mark.browser


@pytest.fixture
def settled(send, community, people):  # noqa: F811
    send(community.district, *rows("D", "S1", CHILDREN[:2]))
    send(community.club, *rows("C", "S9", CHILDREN[:2]))
    for item, same in zip(ReviewItem.objects.all(), [True, False], strict=True):
        decisions.decide(item, same, people.steward)


def test_each_landmark_on_the_thresholds_page_has_a_name_of_its_own(
    page, live_server, settled, people
):
    enter_signed_in(page, live_server.url, people.steward)
    page.goto("/linkage/thresholds/")

    options = {"runOnly": {"type": "rule", "values": ["landmark-unique"]}}
    violations = Axe().run(page, options=options).response["violations"]

    assert not violations, describe_violations(page.url, violations)
