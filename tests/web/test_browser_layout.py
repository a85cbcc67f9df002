"""In Chromium at 390x844 and 1280x800: every page fits the screen, axe-core finds nothing.

Each test also writes the page's screenshot to docs/web/ when SLUIS_WEB_SCREENSHOTS=1.
"""

import io
import json

from PIL import Image
from playwright.sync_api import expect

from tests.web.conftest import (
    assert_fits,
    check_page,
    measurements_csv,
    screenshot,
    sign_in,
    upload_and_process,
)

LONG_NAME = "waterstanden_meetpunt_" + "x" * 60 + ".csv"


def open_source(page, source):
    page.goto(f"/sources/{source.sync_task.pk}/")
    expect(page.get_by_role("heading", name=source.data_source.name)).to_be_visible()


def test_the_sign_in_and_password_reset_pages_fit_and_are_accessible(sized_page, web_supplier):
    sized_page.goto("/login/")
    check_page(sized_page, "login")
    sized_page.get_by_role("link", name="Forgot your password?").click()
    expect(sized_page.get_by_role("heading", name="Reset your password")).to_be_visible()
    check_page(sized_page, "password-reset")


def test_my_data_sources_fit_on_a_phone(sized_page, web_supplier, make_source):
    levels = make_source(
        name="Waterstanden boezem en polders Hoogheemraadschap", ingest_settings={}
    )
    make_source(name="Peilbuizen", kind="vector")
    sign_in(sized_page)
    open_source(sized_page, levels)
    upload_and_process(sized_page, LONG_NAME, measurements_csv(50))
    sized_page.goto("/")
    expect(sized_page.locator("#sources")).to_contain_text("succeeded")
    check_page(sized_page, "sources")


def test_a_timeseries_source_with_history_fits_and_is_accessible(
    sized_page, web_supplier, make_source
):
    source = make_source(
        name="Meetpunten",
        ingest_settings={
            "columns": {"location": "meetpunt", "timestamp": "datum", "value": "waarde"},
            "delimiter": ";",
            "decimal": ",",
            "timezone": "Europe/Amsterdam",
            "parameter": "waterstand",
            "unit": "m NAP",
        },
    )
    sign_in(sized_page)
    open_source(sized_page, source)
    csv = "meetpunt;datum;waarde\n" + "".join(
        f"MP{i % 3};2026-11-0{1 + i % 5}T08:00:00;{i},5\n" for i in range(30)
    )
    upload_and_process(sized_page, LONG_NAME, csv.encode())
    expect(sized_page.locator("figure.chart").first).to_be_visible()
    check_page(sized_page, "source-timeseries")


def test_a_vector_source_with_its_map_and_table_fits(sized_page, web_supplier, make_source):
    source = make_source(name="Gemalen", kind="vector")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.0 + i / 100, 52.0 + i / 200]},
            "properties": {"id": f"G{i}", "naam": f"Gemaal {i}", "capaciteit_m3_min": 40 + i},
        }
        for i in range(20)
    ]
    sign_in(sized_page)
    open_source(sized_page, source)
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    upload_and_process(sized_page, "gemalen.geojson", body)
    expect(sized_page.locator("#attributes-count")).to_be_visible()
    check_page(sized_page, "source-vector")


def test_a_file_source_with_its_gallery_fits(sized_page, web_supplier, make_source):
    source = make_source(name="Foto's", kind="file")
    photo = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(photo, "PNG")
    sign_in(sized_page)
    open_source(sized_page, source)
    upload_and_process(sized_page, "stuw.png", photo.getvalue())
    expect(sized_page.locator(".gallery img")).to_be_visible()
    check_page(sized_page, "source-files")


def test_the_token_and_password_pages_fit_and_are_accessible(sized_page, web_supplier):
    sign_in(sized_page)
    sized_page.goto("/tokens/")
    sized_page.get_by_label("Name").fill("gemaal-noord-cron-op-de-server-in-de-kelder")
    sized_page.get_by_role("button", name="Create token").click()
    expect(sized_page.locator("#new-token")).to_be_visible()
    check_page(sized_page, "tokens")
    sized_page.goto("/password/")
    expect(sized_page.get_by_role("heading", name="Change your password")).to_be_visible()
    check_page(sized_page, "password-change")


def test_the_api_documentation_fits_with_the_network_blocked(sized_page, web_supplier, live_server):
    """Swagger UI is a third-party page (drf-spectacular-sidecar): it is checked for its width and
    for loading nothing from outside, not by axe-core (its findings are not ours to fix)."""
    outside = []

    def only_our_server(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    sized_page.route("**/*", only_our_server)
    sign_in(sized_page)
    sized_page.goto("/api/v1/docs/")
    expect(sized_page.locator(".swagger-ui .info .title")).to_contain_text("Sluis API")
    expect(sized_page.locator(".opblock-tag").first).to_be_visible()
    assert_fits(sized_page)
    assert outside == [] and sized_page.errors == []
    screenshot(sized_page, "api-docs", full_page=False)
