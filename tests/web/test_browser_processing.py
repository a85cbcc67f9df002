"""In Chromium, with the processing engine: the whole path from a dropped file to a chart, and a
broken file's error report. The test itself runs the worker's ``upload_process`` for the upload
the page sent, so processing happens exactly when the test says, on SQLite and PostgreSQL."""

import re

from playwright.sync_api import expect

from sluis.ingest.processing import upload_process
from tests.web.conftest import (
    drop_csv_with_progress,
    drop_file,
    failed_with_report,
    open_source_page,
    received_upload,
)


def test_a_dropped_csv_uploads_with_progress_is_processed_and_charted(
    page, web_supplier, make_source
):
    upload = drop_csv_with_progress(page, make_source(name="Water levels"))
    row = page.locator(f"#upload-{upload.pk}")
    expect(row.get_by_test_id("status")).to_have_text("queued")

    assert upload_process(upload_id=upload.pk) == "succeeded"  # what the worker runs
    expect(row.get_by_test_id("status")).to_have_text("succeeded")
    expect(page.locator("#upload-status")).to_have_text(f"Upload #{upload.pk} is now succeeded.")
    expect(row.locator(".counts")).to_contain_text(re.compile(r"inserted\s*30,000"))
    expect(row.get_by_role("link", name=re.compile("Download the original"))).to_have_attribute(
        "download", ""
    )

    chart = page.locator("figure.chart")
    expect(chart.locator("figcaption")).to_have_text("LOC1 · waterlevel")
    expect(chart.locator("canvas")).to_be_visible()
    expect(chart.locator(".chart-summary")).to_contain_text(
        "30,000 measurements from 2024-01-01 00:00:00 UTC to 2024-01-21 19:59:00 UTC"
    )
    expect(chart.locator(".chart-summary")).to_contain_text(
        "Shown as the lowest and highest value per 15 minutes"
    )
    expect(chart).to_have_attribute("data-detail", "reduced")
    span = "el => el.uplot.scales.x.max - el.uplot.scales.x.min"
    points = "el => el.uplot.data[0].length"
    full, overview = chart.evaluate(span), chart.evaluate(points)
    assert 2000 <= overview <= 4002  # the lowest and highest of each 15-minute bucket
    chart.get_by_role("button", name="Zoom in").click()
    assert chart.evaluate(span) == full / 2
    expect(chart).to_have_attribute("data-detail", "raw")  # half the range: 15000 measurements
    assert abs(chart.evaluate(points) - 15_000) <= 2
    chart.get_by_role("button", name="Reset zoom").click()
    assert chart.evaluate(span) == full
    expect(chart).to_have_attribute("data-detail", "reduced")
    page.wait_for_function(
        f"() => document.querySelector('figure.chart').uplot.data[0].length == {overview}"
    )
    assert page.errors == []


def test_a_csv_with_bad_rows_fails_with_line_numbers_in_its_report(page, web_supplier, make_source):
    source = make_source(name="Water levels")
    broken = (
        "location,parameter,timestamp,value\n"
        "LOC1,waterlevel,2024-01-01T00:00:00Z,1.5\n"
        "LOC1,waterlevel,2024-01-01T01:00:00Z,high\n"
        "LOC1,waterlevel,yesterday,2.0\n"
    )
    open_source_page(page, source)
    drop_file(page, "broken.csv", broken)
    row, report = failed_with_report(page, received_upload(page))
    expect(row.locator(".errors")).to_contain_text("line 3")
    expect(row.locator(".errors")).to_contain_text("line 4")
    assert "high" in report and "yesterday" in report
    assert page.locator("#preview-status").inner_text() == "No measurements are stored yet."
