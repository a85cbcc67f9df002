"""In Chromium, with the processing engine: stored files as a thumbnail gallery."""

import io

from PIL import Image
from playwright.sync_api import expect

from tests.web.conftest import open_source_page, upload_and_process


def test_stored_files_are_shown_as_a_thumbnail_gallery(page, web_supplier, make_source):
    source = make_source(name="Photos", kind="file")
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(photo, "PNG")
    open_source_page(page, source)
    upload_and_process(page, "weir.png", photo.getvalue())

    tile = page.locator(".gallery .tile")
    expect(tile).to_have_count(1)
    expect(tile.get_by_role("link", name="weir.png")).to_have_attribute("download", "")
    expect(page.locator("#preview-status")).to_have_text("1 file stored.")
    page.wait_for_function("() => document.querySelector('.gallery img').naturalWidth > 0")
    tile.get_by_role("button", name="Enlarge weir.png").click()
    dialog = page.get_by_role("dialog", name="weir.png")
    expect(dialog.get_by_role("img", name="Photo weir.png")).to_be_visible()
    expect(dialog.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert page.errors == []
