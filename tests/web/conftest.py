"""Browser test helpers for the web pages: a page on a live server, signing in, dropping files.

The headless Chromium itself is the ``chromium`` fixture of ``tests/browser.py``.
"""

import base64
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from tests.browser import TIMEOUT_MS  # the ``chromium`` fixture lives in tests/conftest.py

PASSWORD = "a long enough password"


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


# Chromium's own network throttling slows the upload down so that progress is observable on
# loopback: 1 MB at 1 MB/s gives a second of progress events.
UPLOAD_BYTES_PER_SECOND = 1_000_000


def measurements_csv(rows: int) -> bytes:
    """One series, one measurement a minute from 2024-01-01 00:00 UTC."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    lines = ["location,parameter,timestamp,value"]
    for minute in range(rows):
        stamp = (start + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(f"LOC1,waterlevel,{stamp},{minute * 0.01:.2f}")
    return ("\n".join(lines) + "\n").encode()


def open_source_page(page, source):
    sign_in(page)
    page.goto(f"/sources/{source.sync_task.pk}/")
    expect(page.get_by_role("heading", name=source.data_source.name)).to_be_visible()


def record_progress(page):
    page.evaluate(
        """() => {
        window.progressSeen = [];
        const bar = document.getElementById('upload-progress');
        new MutationObserver(() => window.progressSeen.push(bar.value))
          .observe(bar, {attributes: true, attributeFilter: ['aria-valuetext']});
    }"""
    )


def throttle_uploads(page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
        },
    )


def received_upload(page) -> Upload:
    """The upload the page just sent, once the server has answered 201."""
    status = page.locator("#upload-status")
    expect(status).to_contain_text(re.compile(r"(as|als) upload #\d+"))  # English or Dutch
    upload_id = int(re.search(r"(as|als) upload #(\d+)", status.inner_text())[2])
    return Upload.objects.get(pk=upload_id)


def drop_bytes(page, name: str, content: bytes) -> None:
    """Drop a binary file on the upload area (a real ``drop`` event)."""
    transfer = page.evaluate_handle(
        """([name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            return transfer;
        }""",
        [name, base64.b64encode(content).decode()],
    )
    page.locator("#dropzone").dispatch_event("drop", {"dataTransfer": transfer})


def upload_and_process(page, name: str, content: bytes):
    drop_bytes(page, name, content)
    upload = received_upload(page)
    assert upload_process(upload_id=upload.pk) == "succeeded", upload.failure_reason
    row = page.locator(f"#upload-{upload.pk}")
    expect(row.get_by_test_id("status")).to_have_class(re.compile(r"\bstatus-succeeded\b"))
    return upload


def drop_csv_with_progress(page, source) -> Upload:
    """Drop a 1.1 MB measurements CSV on ``source``'s page with uploads throttled, and check the
    progress bar moved through several values to 100 and the file arrived whole."""
    csv = measurements_csv(30_000)
    open_source_page(page, source)
    record_progress(page)
    throttle_uploads(page)
    drop_file(page, "levels.csv", csv.decode())
    expect(page.locator("#progress-wrap")).to_be_visible()
    upload = received_upload(page)
    seen = page.evaluate("() => window.progressSeen")
    assert len({value for value in seen if 0 < value < 100}) >= 3, seen
    assert seen == sorted(seen) and seen[-1] == 100
    assert upload.original_filename == "levels.csv" and upload.size == len(csv)
    return upload


def failed_with_report(page, upload: Upload) -> tuple:
    """Process ``upload``, check its row says it failed with nothing written, and download its
    full error report: returns the row and the report's text."""
    assert upload_process(upload_id=upload.pk) == "failed"
    row = page.locator(f"#upload-{upload.pk}")
    expect(row.get_by_test_id("status")).to_have_text("failed")
    expect(row.locator(".failure")).to_contain_text("nothing was written")
    with page.expect_download() as download_info:
        row.get_by_role("link", name="Full error report (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"upload-{upload.pk}-errors.csv"
    return row, Path(download.path()).read_text()


# --- phone and desktop, accessibility, screenshots -------------------------------------------

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # vendored from npm (package.json)
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "web"
SCREENSHOT_COLOURS = 16  # enough for text, the charts and the map; a page is 5-70 KB
SCREENSHOT_MAX_HEIGHT = 2400  # px: the top of a long page (rules, upload, previews, history)


@pytest.fixture(params=sorted(SIZES))
def sized_page(request, chromium, live_server):
    """A page at phone (390x844) and at desktop (1280x800) size. CSP is bypassed only so that
    the test can inject axe-core; the pages' own scripts are unchanged."""
    context = chromium.new_context(
        base_url=live_server.url, viewport=SIZES[request.param], bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    browser_page = context.new_page()
    browser_page.size_name = request.param
    browser_page.errors = []
    browser_page.on("pageerror", lambda error: browser_page.errors.append(str(error)))
    yield browser_page
    context.close()


def assert_fits(page) -> None:
    """Nothing on the page is wider than the viewport: no sideways scrolling."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide on a {viewport} px screen"


def assert_accessible(page) -> None:
    """axe-core (WCAG 2.1 A/AA rules) finds no violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})"""
    )
    violations = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert violations == [], violations


def check_page(page, name: str) -> None:
    """The checks every page gets: fits the screen, zero axe violations, no script errors; with
    SLUIS_WEB_SCREENSHOTS=1 its screenshot is written to docs/web/<name>-<size>.png."""
    assert_fits(page)
    assert_accessible(page)
    assert page.errors == []
    screenshot(page, name)


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """With SLUIS_WEB_SCREENSHOTS=1: the page as docs/web/<name>-<size>.png, its top
    ``SCREENSHOT_MAX_HEIGHT`` px quantised to ``SCREENSHOT_COLOURS`` colours (Pillow), so that the
    screenshots stay a few hundred KB in all."""
    if not os.environ.get("SLUIS_WEB_SCREENSHOTS"):
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    shot = shot.crop((0, 0, shot.width, min(shot.height, SCREENSHOT_MAX_HEIGHT)))
    small = shot.quantize(
        colors=SCREENSHOT_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    small.save(SCREENSHOTS / f"{name}-{page.size_name}.png", optimize=True)
