"""A real headless Chromium (Debian's ``chromium``) driven by Playwright, for every browser test.

Playwright's own browser download is never used: ``executable_path`` points at the Debian
package (installed by ``scripts/install-system-packages``). The flags keep Chromium off the
network it would otherwise try to reach at start-up. The ``chromium`` fixture is registered once,
in ``tests/conftest.py``: Playwright's sync API allows one instance per process, so the web pages'
and the OGC services' browser tests share it.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

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
# Generous: CI machines are small and shared. Waiting is always for a condition, never a sleep.
TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install-system-packages (Debian chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
