"""GDAL's own OGC API - Features driver (``OAPIF:``, from the venv's pyogrio) reads the API."""

import pytest
from pyproj import Transformer

from tests.ogc.clients import run_python

pytestmark = pytest.mark.django_db(transaction=True)

READ = """
import json, sys
import pyogrio, pyogrio.raw, shapely
url, layer, crs = sys.argv[1], sys.argv[2], sys.argv[3]
options = {"CRS": crs} if crs else {}
layers = [str(row[0]) for row in pyogrio.list_layers(url)]
meta, fids, geometries, fields = pyogrio.raw.read(url, layer=layer, **options)
points = [list(shapely.from_wkb(g).coords[0]) for g in geometries
          if g is not None and shapely.from_wkb(g).geom_type == "Point"]
names = list(meta["fields"])
print(json.dumps({"layers": layers, "count": len(geometries), "crs": meta["crs"], "points": points,
                  "naam": [str(v) for v in fields[names.index("naam")]]}))
"""


def _read(live_server, user, layer, crs=""):
    url = f"OAPIF:{live_server.url}/api/v1/ogc/?token={user.token}"
    return run_python(READ, url, layer, crs)


def test_gdal_lists_the_collections_and_reads_every_feature(live_server, consumer, stations):
    result = _read(live_server, consumer, str(stations.pk))
    assert result["layers"] == [str(stations.pk)]
    assert result["count"] == 7
    assert result["points"] == [[4.0 + i, 52.0] for i in range(5)]
    assert result["naam"][:2] == ["Gemaal 0", "Gemaal 1"]


def test_gdal_reads_the_features_in_rd_new(live_server, consumer, stations):
    result = _read(live_server, consumer, str(stations.pk), crs="EPSG:28992")
    assert "28992" in result["crs"]
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    for (x, y), lon in zip(result["points"], range(4, 9), strict=True):
        assert (x, y) == pytest.approx(to_rd.transform(lon, 52.0), abs=0.01)


def test_gdal_pages_through_more_features_than_one_page(live_server, consumer, stations, settings):
    settings.SLUIS_VECTOR_WFS_MAX_COUNT = 2  # GDAL must follow three 'next' links
    assert _read(live_server, consumer, str(stations.pk))["count"] == 7


def test_gdal_sees_no_private_collection_of_another_organization(
    live_server, consumer, stations, private_stations
):
    assert _read(live_server, consumer, str(stations.pk))["layers"] == [str(stations.pk)]
