"""One Chromium for the session, a fresh browser context for each test."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

from tests.factories import PASSWORD

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

# The live server listens on loopback only, whatever the machine's name.
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
    browser = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


class PageErrors:
    """JavaScript errors seen on a page while a test runs."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.seen.append(f"console error: {message.text}")


def _open(browser: Browser, base_url: str, **options: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="en-US", **options)
    # A page of this app that takes five seconds is broken, not slow.
    context.set_default_timeout(5_000)
    page = context.new_page()
    errors = PageErrors(page)
    yield page
    context.close()
    assert not errors.seen, errors.seen


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


_axe = Axe()


def assert_accessible(page: Page) -> None:
    """Fail with a readable list of the page's WCAG 2.1 A/AA violations."""
    options = {
        "runOnly": {"type": "tag", "values": WCAG_21_AA},
        "resultTypes": ["violations"],
    }
    violations = _axe.run(page, options=options).response["violations"]
    assert not violations, describe_violations(page.url, violations)


def describe_violations(url: str, violations: list[dict]) -> str:
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


def has_horizontal_overflow(page: Page) -> bool:
    """Whether the document is wider than the viewport: it scrolls sideways."""
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth > window.innerWidth"
            " || document.body.scrollWidth > window.innerWidth"
        )
    )
