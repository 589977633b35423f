"""One Chromium for the session, a fresh browser context for each test."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.test import Client
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from braid.community.models import Organization, OrganizationKind, Program, Role
from braid.community.services import add_member
from braid.intake import services
from braid.intake.models import RosterBatch
from tests.factories import PASSWORD
from tests.intake.rosters import roster

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium reaches out to Google's services on start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
FIRST_NAMES = ["Ava", "Noor", "Tomas", "Ines", "Kofi", "Lena", "Ravi", "Mei"]
LAST_NAMES = [
    "Okafor",
    "Brennan",
    "Lindqvist",
    "Achterberg",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Kowalczyk",
    "Oyelaran",
    "Quispe",
    "Sandoval",
    "Whitcombe",
]

# The live server listens on loopback only, whatever the machine is called.
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def chromium_path() -> Path:
    path = Path(os.environ.get("BRAID_CHROMIUM", "/usr/bin/chromium"))
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"The browser tests need Chromium at {path}. On Debian or Ubuntu: "
            "sudo apt-get install chromium (or run scripts/ensure-chromium); "
            "elsewhere install Chromium and set BRAID_CHROMIUM to its path.",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop running in the test thread,
    # and Django refuses database calls from a thread with a running loop.
    # The tests' calls are synchronous all the same, so they are safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    yield manager
    manager.stop()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # Looked up before the launch, so that a missing Chromium fails the
    # tests with how to install it rather than with a Playwright trace.
    executable = chromium_path()
    browser = playwright.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class PageTrouble:
    """What went wrong on a page beside what the test looks at.

    A page the test opens may answer 403 or 404 on purpose, so pages are left
    to the test; a script error, or a stylesheet, script or htmx request
    that fails, is always a bug.
    """

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("pageerror", lambda error: self.seen.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, message: ConsoleMessage) -> None:
        # A failed load is reported by _response, with its address.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.seen.append(f"console error: {message.text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.seen.append(f"{response.status} for {response.url}")

    def _failed(self, request: Request) -> None:
        self.seen.append(f"{request.failure} for {request.url}")


def _open(browser: Browser, base_url: str, **options: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="en-US", **options)
    # A page of this app that takes five seconds is broken, not slow.
    context.set_default_timeout(5_000)
    page = context.new_page()
    trouble = PageTrouble(page)
    yield page
    context.close()
    assert not trouble.seen, trouble.seen


@pytest.fixture
def page(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    """A desktop-sized page in a context of its own (no cookies yet)."""
    yield from _open(browser, live_server.url)


@pytest.fixture
def phone(browser: Browser, live_server, transactional_db) -> Iterator[Page]:
    """A page the size of a phone held upright, with touch."""
    yield from _open(
        browser,
        live_server.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=3,
    )


def sign_in(page: Page, username: str) -> None:
    """Sign in on the login page, as a person would, and land on home."""
    page.goto("/accounts/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")


def enter_signed_in(page: Page, base_url: str, user: AbstractBaseUser) -> None:
    """Give the page a session of ``user``, for tests about other pages."""
    client = Client()
    client.force_login(cast(User, user))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


_axe = Axe()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it stands, for WCAG 2.1 A and AA rules only."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "resultTypes": ["violations"],
    }
    return list(_axe.run(page, options=options).response["violations"])


def assert_accessible(page: Page) -> None:
    """Fail with a readable list of the page's WCAG 2.1 A/AA violations."""
    violations = axe_violations(page)
    assert not violations, describe_violations(page.url, violations)


def describe_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            lines.append(f"    at {' '.join(map(str, node['target']))}")
            lines.append(f"       {node['html'][:200]}")
            summary = node.get("failureSummary", "").replace("\n", "\n       ")
            lines.append(f"       {summary}")
    return "\n".join(lines)


def document_width(page: Page) -> int:
    """How wide the document lays out, in CSS pixels.

    A phone widens its layout viewport to fit a page that overflows and
    shows it zoomed out, so this is compared with the width asked for, not
    with ``window.innerWidth``.
    """
    return int(
        page.evaluate(
            "() => Math.max(document.documentElement.scrollWidth,"
            " document.body.scrollWidth)"
        )
    )


def generated_rows(first_id: int, count: int, born_in: int) -> list[str]:
    """Invented children, girls and boys in turn, born in one year.

    Each roster draws its surnames from its own part of the list (by its
    first ID), so that no child of one is taken for a child of another: the
    same name born a year apart is, to the linkage, one child with a slip.
    """
    rows = []
    offset = first_id // 25
    for n in range(count):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES) + offset) % len(LAST_NAMES)]
        gender = "FM"[n % 2]
        born = f"{born_in}-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
        rows.append(f"{first_id + n:05d},{first},{last},{born},{gender},5")
    return rows


def commit_roster(
    user: AbstractBaseUser,
    organization: Organization,
    program: Program | None,
    rows: list[str],
) -> RosterBatch:
    outcome = services.import_roster(
        user=cast(User, user),
        organization=organization,
        program=program,
        filename=f"{organization.slug}.csv",
        content=roster(*rows),
    )
    assert outcome.committed, outcome.preview.errors
    return outcome.batch


@pytest.fixture
def served(community, people) -> dict[str, RosterBatch]:
    """Children served today: 30 at the parks, 24 at the district, 3 at a club.

    In a report by organization the club's 3 are hidden, and the district's
    24 with them, since the total would give the 3 away; the parks' 30 are
    shown. Returns each organization's committed batch by its slug.
    """
    parks = Organization.objects.create(
        name="Parks Department",
        slug="parks",
        kind=OrganizationKind.CITY_SERVICE,
        contributes_roster=True,
    )
    parks_staff = add_member(
        username="parks-staff", organization=parks, role=Role.STAFF, password=PASSWORD
    )
    return {
        "parks": commit_roster(parks_staff, parks, None, generated_rows(1, 30, 2014)),
        "district": commit_roster(
            people.district_staff,
            community.district,
            community.district_roll,
            generated_rows(100, 24, 2015),
        ),
        "club": commit_roster(
            people.club_staff,
            community.club,
            community.club_program,
            generated_rows(500, 3, 2016),
        ),
    }
