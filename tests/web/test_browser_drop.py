"""In Chromium: the drop area itself, before anything is sent."""

from playwright.sync_api import expect

from tests.web.conftest import sign_in


def test_dropping_two_files_asks_for_one_or_a_zip(page, web_supplier, make_source):
    source = make_source(name="Photos", kind="file")
    sign_in(page)
    page.goto(f"/sources/{source.sync_task.pk}/")
    transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["a"], "one.jpg"));
            transfer.items.add(new File(["b"], "two.jpg"));
            return transfer;
        }"""
    )
    page.locator("#dropzone").dispatch_event("dragover", {"dataTransfer": transfer})
    expect(page.locator("#dropzone")).to_have_class("dropzone dragging")
    page.locator("#dropzone").dispatch_event("drop", {"dataTransfer": transfer})
    expect(page.get_by_role("alert")).to_have_text(
        "Drop one file at a time. To send many files at once, put them in one zip archive."
    )
    expect(page.locator("#dropzone")).to_have_class("dropzone")
    expect(page.locator("#progress-wrap")).to_be_hidden()
