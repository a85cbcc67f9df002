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
    page.locator("#map path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("<b>Pump</b> north")  # shown as text, never as markup
    assert popup.locator("b").count() == 0
    assert page.errors == []
