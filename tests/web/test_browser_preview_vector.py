"""In Chromium, with the processing engine: vector features drawn on a map."""

import json

from playwright.sync_api import expect

from tests.web.conftest import open_source_page, upload_and_process


def test_vector_features_are_drawn_on_a_map(page, web_supplier, make_source):
    source = make_source(name="Pumps", kind="vector")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [5.1, 52.1]},
                "properties": {"id": "P1", "name": "<b>Pump</b> north"},
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[5.2, 52.0], [5.3, 52.0], [5.3, 52.05], [5.2, 52.0]]],
                },
                "properties": {"id": "A1", "name": "Basin"},
            },
        ],
    }
    open_source_page(page, source)
    upload_and_process(page, "pumps.geojson", json.dumps(collection).encode())

    expect(page.locator("#preview-status")).to_contain_text("2 features stored")
    shapes = page.locator("#map path.leaflet-interactive")
    expect(shapes).to_have_count(2)  # the point (a circle marker) and the basin
    table = page.get_by_role("region", name="Attribute table")
    expect(table.get_by_role("row", name="P1")).to_contain_text("<b>Pump</b> north")  # as text
    assert table.locator("b").count() == 0
    expect(page.locator("#attributes-count")).to_have_text("Features 1\u20132 of 2")
    # context: the bundled outline (no tile URL configured), a scale bar, cursor coordinates
    expect(
        page.locator("#map .leaflet-overlay-pane path:not(.leaflet-interactive)").first
    ).to_be_attached()
    expect(page.locator("#map .leaflet-control-scale-line")).to_contain_text("km")
    page.locator("#map").hover()
    expect(page.locator("#map-coords")).to_contain_text("latitude 52.")
    assert page.errors == []
