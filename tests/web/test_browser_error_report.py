"""In Chromium, with the processing engine: a broken file fails, and its error report is read."""

import json

from playwright.sync_api import expect

from tests.web.conftest import drop_bytes, failed_with_report, open_source_page, received_upload


def test_a_broken_file_fails_and_its_error_report_can_be_read(page, web_supplier, make_source):
    source = make_source(name="Pumps", kind="vector")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.1, 52.1]},
                "properties": {"id": "P1"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [512.0, 52.1]},
                "properties": {"id": "P2"},
            },
        ],
    }
    open_source_page(page, source)
    drop_bytes(page, "pumps.geojson", json.dumps(collection).encode())
    row, report = failed_with_report(page, received_upload(page))
    expect(row.locator(".errors")).to_contain_text("pumps.geojson feature 2")
    expect(row.locator(".errors")).to_contain_text("coordinates fall outside longitude")
    assert "pumps.geojson" in report and "coordinates fall outside longitude" in report
    expect(page.locator("#preview-status")).to_have_text("No features are stored yet.")
