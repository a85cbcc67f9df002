"""In Chromium: the upload history follows processing without a reload."""

from django.utils import timezone
from playwright.sync_api import expect

from sluis.uploads.models import Upload
from tests.web.conftest import sign_in


def test_the_history_shows_a_status_change_without_a_reload(page, web_supplier, make_source):
    source = make_source(name="Water levels")
    upload = Upload.objects.create(
        data_source=source.data_source,
        sync_task=source.sync_task,
        uploader=web_supplier,
        original_filename="levels.csv",
        filename="levels.csv",
        received_at=timezone.now(),
        status="processing",
    )
    sign_in(page)
    page.goto(f"/sources/{source.sync_task.pk}/")
    row = page.locator(f"#upload-{upload.pk}")
    expect(row.get_by_test_id("status")).to_have_text("processing")
    page.evaluate("() => { window.notReloaded = true; }")

    Upload.objects.filter(pk=upload.pk).update(
        status="failed",
        finished_at=timezone.now(),
        failure_reason="1 problem(s) found; nothing was written.",
        errors=[{"message": "timestamp is not a date", "line": 2, "field": "timestamp"}],
        error_count=1,
    )
    expect(row.get_by_test_id("status")).to_have_text("failed")
    expect(row).to_contain_text("line 2")
    expect(row).to_contain_text("timestamp is not a date")
    expect(page.locator("#upload-status")).to_have_text(f"Upload #{upload.pk} is now failed.")
    assert page.evaluate("() => window.notReloaded") is True
