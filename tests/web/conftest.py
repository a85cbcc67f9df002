"""A real headless Chromium (Debian's ``chromium``) driven by Playwright, against a live server.

Playwright's own browser download is never used: ``executable_path`` points at the Debian
package (installed by ``scripts/install-system-packages``). The flags keep Chromium off the
network it would otherwise try to reach at start-up.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test
# itself (building data, reading results) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("SLUIS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "a long enough password"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-packages (Debian chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    browser_page = context.new_page()
    browser_page.errors = []
    browser_page.on("pageerror", lambda error: browser_page.errors.append(str(error)))
    yield browser_page
    context.close()


@pytest.fixture
def web_supplier(supplier):
    """The cast's supplier with a password, so the browser can sign in."""
    supplier.set_password(PASSWORD)
    supplier.save()
    return supplier


def sign_in(page, username: str = "supplier", password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def drop_file(page, name: str, text: str) -> None:
    """Drop a file on the upload area as a user's drag and drop does (a real ``drop`` event)."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, {type: "text/csv"}));
            return transfer;
        }""",
        [name, text],
    )
    page.locator("#dropzone").dispatch_event("drop", {"dataTransfer": transfer})
