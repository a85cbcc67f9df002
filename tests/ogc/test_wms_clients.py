"""Real WMS clients: GDAL's WMS driver (the venv's rasterio), OWSLib, and Leaflet in Chromium."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.ogc.clients import run_python

pytestmark = pytest.mark.django_db(transaction=True)
RD_BOX = (154000.0, 462000.0, 156000.0, 464000.0)

GDAL_MAP = """
import json, sys
import rasterio
url = sys.argv[1]
with rasterio.open(url) as dataset:
    data = dataset.read(out_shape=(dataset.count, 256, 256))  # an overview: a 256 x 256 map
    print(json.dumps({"driver": dataset.driver, "crs": str(dataset.crs), "bands": dataset.count,
                      "shape": list(data.shape[1:]), "alpha_max": int(data[-1].max()),
                      "opaque": int((data[-1] == 255).sum())}))
"""


def test_gdal_fetches_a_map_through_its_wms_driver(live_server, consumer, evaporation):
    minx, miny, maxx, maxy = RD_BOX
    url = (
        f"WMS:{live_server.url}/api/v1/wms/?token={consumer.token}&SERVICE=WMS&VERSION=1.3.0"
        f"&REQUEST=GetMap&LAYERS=verdamping&CRS=EPSG:28992&FORMAT=image/png&TRANSPARENT=TRUE"
        f"&BBOX={minx},{miny},{maxx},{maxy}"
    )
    result = run_python(GDAL_MAP, url)
    assert result["driver"] == "WMS" and "28992" in result["crs"]
    assert result["bands"] == 4 and result["alpha_max"] == 255
    assert result["opaque"] > 0.9 * result["shape"][0] * result["shape"][1]


def test_owslib_reads_the_capabilities_and_gets_a_map(live_server, consumer, evaporation):
    from owslib.wms import WebMapService

    service = WebMapService(
        f"{live_server.url}/api/v1/wms/?token={consumer.token}", version="1.3.0"
    )
    layer = service["verdamping"]
    assert layer.title == "Verdamping"
    assert "2020-01-02T00:00:00Z" in layer.timepositions
    assert "EPSG:28992" in layer.crsOptions
    response = service.getmap(
        layers=["verdamping"],
        srs="EPSG:28992",
        bbox=RD_BOX,
        size=(64, 64),
        format="image/png",
        time="2020-01-02T00:00:00Z",
    )
    image = Image.open(io.BytesIO(response.read()))
    assert image.size == (64, 64) and image.format == "PNG"


LEAFLET_PAGE = """<!doctype html>
<html><head>
<link rel="stylesheet" href="/static/web/vendor/leaflet.css">
<script src="/static/web/vendor/leaflet.js"></script>
</head><body><div id="map" style="width:512px;height:512px"></div>
<script>
  window.loaded = 0;
  const map = L.map("map").setView([52.17, 5.39], 14);
  const layer = L.tileLayer.wms("/api/v1/wms/?token=TOKEN", {
    layers: "verdamping", format: "image/png", transparent: true, version: "1.3.0",
    time: "2020-01-02T00:00:00Z"
  });
  layer.on("tileload", () => { window.loaded += 1; });
  layer.addTo(map);
</script></body></html>"""


def test_a_leaflet_page_in_chromium_shows_the_wms_layer(
    chromium, live_server, consumer, evaporation
):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(
        f"{live_server.url}/leaflet-test/",
        lambda route: route.fulfill(
            body=LEAFLET_PAGE.replace("TOKEN", consumer.token), content_type="text/html"
        ),
    )
    with page.expect_response(re.compile(r"/api/v1/wms/.*request=GetMap")) as wms_response:
        page.goto("/leaflet-test/")
    response = wms_response.value
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    expect(page.locator("img.leaflet-tile-loaded").first).to_be_visible()
    page.wait_for_function("window.loaded > 0")
    painted = page.evaluate(
        """() => Array.from(document.querySelectorAll('img.leaflet-tile-loaded')).some(img => {
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const ctx = canvas.getContext('2d');
            ctx.drawImage(img, 0, 0);
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 4) { if (data[i] === 255) return true; }
            return false;
        })"""
    )
    assert painted, "no tile shows an opaque raster pixel"
    assert errors == []
    context.close()
