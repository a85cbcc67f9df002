"""In Chromium: uploading through the drop area with real progress, and the 409 explained."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from sluis.uploads.models import Upload
from tests.web.conftest import (
    drop_csv_with_progress,
    drop_file,
    measurements_csv,
    open_source_page,
    record_progress,
    throttle_uploads,
)


def test_a_dropped_csv_uploads_with_a_moving_progress_bar(page, web_supplier, make_source):
    upload = drop_csv_with_progress(page, make_source(name="Water levels"))
    expect(page.locator("#progress-wrap")).to_be_hidden()
    row = page.locator(f"#upload-{upload.pk}")
    expect(row.get_by_test_id("status")).to_have_text("queued")
    expect(row.get_by_role("link", name=re.compile("Download the original"))).to_have_attribute(
        "download", ""
    )
    assert page.errors == []


def test_uploading_while_busy_is_explained_in_words(page, web_supplier, make_source, tmp_path):
    source = make_source(name="Water levels")
    running = Upload.objects.create(
        data_source=source.data_source,
        sync_task=source.sync_task,
        uploader=web_supplier,
        original_filename="earlier.csv",
        filename="earlier.csv",
        received_at=timezone.now(),
        started_at=timezone.now(),
        status="processing",
    )
    csv = tmp_path / "later.csv"
    csv.write_bytes(measurements_csv(3))
    open_source_page(page, source)
    expect(page.locator("#busy-notice")).to_contain_text(f"#{running.pk}")

    page.locator("#upload-file").set_input_files(str(csv))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"This data source is busy: upload #{running.pk}")
    expect(alert).to_contain_text("still being processed")
    expect(alert).to_contain_text("one upload per data source at a time")
    expect(alert).to_contain_text("Your file was not uploaded")
    assert Upload.objects.filter(data_source=source.data_source).count() == 1


def test_cancelling_an_upload_stops_it_and_records_nothing(page, web_supplier, make_source):
    source = make_source(name="Water levels")
    open_source_page(page, source)
    throttle_uploads(page)
    record_progress(page)
    drop_file(page, "levels.csv", measurements_csv(60_000).decode())  # about 2.3 MB: 2 seconds
    page.wait_for_function("() => window.progressSeen.some((value) => value > 0)")
    page.get_by_role("button", name="Cancel upload").click()
    expect(page.locator("#upload-status")).to_have_text("Upload cancelled. Nothing was stored.")
    expect(page.locator("#progress-wrap")).to_be_hidden()
    expect(page.locator("#history-empty")).to_be_visible()
    assert not Upload.objects.filter(data_source=source.data_source).exists()
