"""Headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against
pytest-django's live server. Pages arrive logged in through a session cookie."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NEWSDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Playwright's sync API keeps an event loop running in the test thread; the
# tests themselves are synchronous, so Django's async-safety check is moot here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Screenshots of every browser test land here (not in git) for a person to look at.
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class PageErrors(list):
    """Uncaught script errors on the page; a test fails if any happened."""


@pytest.fixture
def open_page(chromium, live_server, request):
    """`open_page(user, path, width=1400)`: a new tab logged in as `user`."""
    from django.test import Client

    contexts = []

    def watch_errors(page):
        page.errors = PageErrors()
        page.on("pageerror", lambda error: page.errors.append(str(error)))

    def open_(user, path, *, width=1400, height=900):
        client = Client()
        client.force_login(user)
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="ar")
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        contexts.append(context)
        context.on("page", watch_errors)  # also the tabs a test opens itself
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number, context in enumerate(contexts):
        for page in context.pages:
            if not page.is_closed():
                page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{number}.png"), full_page=True)
                assert not page.errors, page.errors
        context.close()
