"""In Chromium: the issue's scenarios. Honest counts, complete errors, the example file's round
trip for a Dutch-style source, and the API documentation with the network blocked."""

import json
import re
from pathlib import Path

from playwright.sync_api import expect

from sluis.uploads.models import Upload
from tests.web.conftest import (
    assert_fits,
    drop_bytes,
    failed_with_report,
    open_source_page,
    received_upload,
    sign_in,
    upload_and_process,
)

DUTCH = {
    "columns": {"location": "meetpunt", "timestamp": "datum", "value": "waarde"},
    "delimiter": ";",
    "decimal": ",",
    "timezone": "Europe/Amsterdam",
}


def test_1500_features_are_all_counted_and_drawn(page, web_supplier, make_source):
    source = make_source(name="Peilbuizen", kind="vector")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [4 + (i % 50) / 20, 51 + (i // 50) / 20]},
            "properties": {"id": f"PB{i}"},
        }
        for i in range(1500)
    ]
    open_source_page(page, source)
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    upload_and_process(page, "peilbuizen.geojson", body)
    expect(page.locator("#preview-status")).to_contain_text("1,500 features stored.")
    expect(page.locator("#preview-status")).to_contain_text("The map shows 1,500 of 1,500")
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1500)
    expect(page.locator("#attributes-count")).to_have_text("Features 1\u201350 of 1,500")
    page.get_by_role("button", name="Next page").click()
    expect(page.locator("#attributes-count")).to_have_text("Features 51\u2013100 of 1,500")


def test_44_series_say_how_many_are_shown_and_any_can_be_chosen(page, web_supplier, make_source):
    source = make_source(name="Meetnet")
    lines = ["location,parameter,timestamp,value"]
    for n in range(44):
        lines.append(f"LOC{n:02d},waterlevel,2026-11-{1 + n % 28:02d}T06:00:00Z,{n}.5")
    open_source_page(page, source)
    upload_and_process(page, "meetnet.csv", ("\n".join(lines) + "\n").encode())
    status = page.locator("#preview-status")
    expect(status).to_have_text("Showing 12 of 44 series. Choose others in the list above.")
    expect(page.locator("figure.chart")).to_have_count(12)
    page.get_by_label("Find series by location or parameter").fill("LOC03")
    choice = page.get_by_label("Series to show")
    expect(choice.locator("option")).to_have_count(1)  # LOC03 only
    choice.select_option(label="LOC03 · waterlevel")
    expect(status).to_have_text("Showing 1 of 44 series. Choose others in the list above.")
    expect(page.locator("figure.chart figcaption")).to_have_text("LOC03 · waterlevel")


def test_a_csv_with_150_bad_rows_reports_all_150(page, web_supplier, make_source):
    source = make_source(name="Levels")
    rows = "".join(f"LOC1,waterlevel,not-a-time-{i},1.0\n" for i in range(150))
    open_source_page(page, source)
    drop_bytes(page, "bad.csv", ("location,parameter,timestamp,value\n" + rows).encode())
    upload = received_upload(page)
    row, report = failed_with_report(page, upload)
    upload.refresh_from_db()
    assert upload.error_count == 150 and len(upload.errors) == 150
    expect(row.locator(".failure")).to_contain_text("150 problem(s) found")
    expect(row.locator(".problem-count")).to_have_text("150 problems; the first 10 are listed here")
    expect(row.locator(".more-errors")).to_have_text(
        "and 140 more: the error report holds all of them."
    )
    assert len(report.strip().splitlines()) == 1 + 150


def test_the_example_file_of_a_dutch_style_source_is_accepted_as_is(
    page, web_supplier, make_source
):
    source = make_source(name="Boezempeilen", ingest_settings=DUTCH)
    open_source_page(page, source)
    rules = page.locator("#rules")
    expect(rules).to_contain_text("meetpunt, parameter, datum, waarde, unit")
    expect(rules).to_contain_text("semicolon (;)")
    expect(rules).to_contain_text("comma (1,25)")
    expect(rules).to_contain_text("Europe/Amsterdam: times without an offset are read as")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download an example file made from these rules").click()
    example = Path(download_info.value.path()).read_bytes()
    assert example.decode().splitlines()[1] == "LOC001;waterlevel;2026-01-05T08:00:00;1,25;m"
    upload = upload_and_process(page, download_info.value.suggested_filename, example)
    upload = Upload.objects.get(pk=upload.pk)
    assert (upload.inserted, upload.error_count) == (3, 0)
    # 08:00 in Amsterdam in January is 07:00 UTC; shown in the source's zone, UTC on hover
    expect(page.locator("figure.chart .chart-summary")).to_contain_text(
        "from 2026-01-05 08:00:00 +01:00 to 2026-01-05 10:00:00 +01:00"
    )
    received = page.locator(f"#upload-{upload.pk} time").first
    expect(received).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0[12]:00$"))
    expect(received).to_have_attribute("title", re.compile(r" UTC$"))


def test_the_api_documentation_renders_with_the_network_blocked(page, web_supplier, live_server):
    outside = []

    def only_our_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_our_server)
    sign_in(page)
    page.get_by_role("link", name="API documentation").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sluis API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
    page.goto("/api/v1/redoc/")
    expect(page.get_by_role("heading", name=re.compile("Sluis API"))).to_be_visible()
    assert outside == []
    assert page.errors == []


def test_a_refusal_clears_the_stale_sent_line(page, web_supplier, make_source):
    source = make_source(name="Levels")
    open_source_page(page, source)
    drop_bytes(page, "empty.csv", b"")
    expect(page.get_by_role("alert")).to_contain_text("empty.csv was refused:")
    text = page.get_by_role("alert").inner_text()
    assert ".." not in text and ". ." not in text, text
    expect(page.locator("#upload-status")).to_have_text("")
    assert_fits(page)
    assert not Upload.objects.exists()  # refused before anything was stored
