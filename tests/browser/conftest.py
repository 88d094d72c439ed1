"""Browser fixtures: the app served over HTTP on the test database, and a Chromium page.

`live_server` yields a LiveServer (its base `url` and the `app`); `page` is a fresh
Playwright page in headless Debian Chromium, skipped when /usr/bin/chromium is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.live import serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(app):
    """The test app served on 127.0.0.1 at a free port, with BASE_URL pointing at it."""
    with serve(app) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (run `make chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh page (own cookies) at a desktop viewport; tests may resize it.

    Whatever the test did, the page must have met no Content-Security-Policy violation
    (Chromium reports each one on the console).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    yield page
    context.close()
    violations = [text for text in console if "Content Security Policy" in text]
    assert violations == [], violations
