"""In Chromium: the drop area itself, and several files dropped at once."""

from playwright.sync_api import expect

from tests.web.conftest import sign_in


def test_two_dropped_files_are_sent_one_after_another_and_each_refusal_is_listed(
    page, web_supplier, make_source
):
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
    alert = page.get_by_role("alert")
    expect(alert.locator("p")).to_have_count(2)
    expect(alert.locator("p").first).to_have_text(
        "one.jpg was refused: one.jpg: the name says JPEG image (.jpg) but the content is a "
        "plain text."
    )
    expect(alert.locator("p").last).to_contain_text("two.jpg was refused")
    expect(page.locator("#upload-status")).to_have_text("")  # no stale "Sent …" line
    expect(page.locator("#dropzone")).to_have_class("dropzone")
    expect(page.locator("#progress-wrap")).to_be_hidden()
