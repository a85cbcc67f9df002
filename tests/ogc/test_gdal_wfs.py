"""GDAL's own WFS driver (``WFS:``, from the venv's pyogrio) and OWSLib read /api/v1/wfs/."""

import pytest
from pyproj import Transformer

from tests.ogc.clients import run_python

pytestmark = pytest.mark.django_db(transaction=True)

READ = """
import json, sys
import pyogrio, pyogrio.raw, shapely
url, layer = sys.argv[1:3]
options = {}
layers = [str(row[0]) for row in pyogrio.list_layers(url)]
info = pyogrio.read_info(url, layer=layer, force_feature_count=True, **options)
meta, _, geometries, fields = pyogrio.raw.read(url, layer=layer, **options)
points = [list(shapely.from_wkb(g).coords[0]) for g in geometries
          if g is not None and shapely.from_wkb(g).geom_type == "Point"]
names = list(meta["fields"])
print(json.dumps({"layers": layers, "count": len(geometries), "info_count": info["features"],
                  "crs": meta["crs"], "points": points, "fields": names,
                  "naam": [None if v is None else str(v) for v in fields[names.index("naam")]]}))
"""


def _read(live_server, user, version="2.0.0", srs="", env=None):
    """GDAL reads the layer; VERSION and SRSNAME go in the URL, as GDAL documents."""
    url = f"WFS:{live_server.url}/api/v1/wfs/?token={user.token}&VERSION={version}"
    if srs:
        url += f"&SRSNAME={srs}"
    return run_python(READ, url, "sluis:gemalen-noord", env=env)


@pytest.mark.parametrize("version", ["2.0.0", "1.1.0"])
def test_gdal_opens_the_layer_counts_and_reads_the_features(
    live_server, consumer, stations, private_stations, version
):
    result = _read(live_server, consumer, version)
    assert result["layers"] == ["sluis:gemalen-noord"]
    assert result["count"] == 7 and result["info_count"] == 7
    assert {"id_src", "n", "naam", "gemeten"} <= set(result["fields"])
    assert sorted(result["points"]) == [[4.0 + i, 52.0] for i in range(5)]
    assert result["naam"][:2] == ["Gemaal 0", "Gemaal 1"]


def test_gdal_reads_the_layer_in_rd_new(live_server, consumer, stations):
    result = _read(live_server, consumer, srs="urn:ogc:def:crs:EPSG::28992")
    assert "28992" in result["crs"]
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    expected = [to_rd.transform(4.0 + i, 52.0) for i in range(5)]
    for got, want in zip(sorted(result["points"]), expected, strict=True):
        assert got == pytest.approx(want, abs=0.01)


def test_gdal_pages_with_startindex_when_a_page_is_smaller_than_the_layer(
    live_server, consumer, stations, settings
):
    settings.SLUIS_VECTOR_WFS_MAX_COUNT = 3
    paging = {"OGR_WFS_PAGING_ALLOWED": "YES", "OGR_WFS_PAGE_SIZE": "3"}
    assert _read(live_server, consumer, env=paging)["count"] == 7


def test_owslib_reads_the_capabilities_and_gets_features(live_server, consumer, stations):
    from owslib.wfs import WebFeatureService

    url = f"{live_server.url}/api/v1/wfs/?token={consumer.token}"
    service = WebFeatureService(url, version="2.0.0")
    assert list(service.contents) == ["sluis:gemalen-noord"]
    layer = service.contents["sluis:gemalen-noord"]
    assert layer.title == "Gemalen Noord"
    assert layer.boundingBoxWGS84 == (3.5, 51.5, 8.0, 52.5)
    response = service.getfeature(typename=["sluis:gemalen-noord"], maxfeatures=2)
    text = response.read()
    assert b"Gemaal 1" in text and b'numberReturned="2"' in text
    schema = service.get_schema("sluis:gemalen-noord")
    assert schema["properties"]["naam"] == "string"
    json_response = service.getfeature(
        typename=["sluis:gemalen-noord"], outputFormat="application/json", srsname="EPSG:28992"
    )
    assert b'"urn:ogc:def:crs:EPSG::28992"' in json_response.read()
