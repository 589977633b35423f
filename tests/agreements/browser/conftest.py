"""The browser and pages of the project's browser tests, shared here."""

from tests.browser.conftest import browser, page, phone, playwright  # noqa: F401
