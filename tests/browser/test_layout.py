"""The layout every page shares: its stylesheets and scripts load."""

import pytest

pytestmark = pytest.mark.browser


def test_a_page_gets_the_stylesheets_and_htmx_it_links(page, transactional_db):
    loaded = {}
    page.on("response", lambda response: loaded.update({response.url: response.status}))

    page.goto("/accounts/login/")

    assets = {url: status for url, status in loaded.items() if "/static/" in url}
    assert sorted(url.rsplit("/", 1)[1] for url in assets) == [
        "braid.css",
        "htmx.min.js",
        "pico.min.css",
    ]
    # braid/static is served through the static files finders; a 404 here
    # means they do not look in it (STATICFILES_DIRS in braid/settings.py).
    assert set(assets.values()) == {200}, assets
    assert page.evaluate("typeof window.htmx") == "object"
    skip_link = page.get_by_role("link", name="Skip to content")
    assert skip_link.evaluate("link => getComputedStyle(link).position") == "absolute"
