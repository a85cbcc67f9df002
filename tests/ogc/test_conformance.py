"""The landing page's conformance classes, each exercised by its own check.

The test reads the classes the API declares and runs the check written for each; a class
declared without a check here fails the test, so the declaration can never claim more than is
tested.
"""

import json
from urllib.parse import parse_qsl

import pytest
from pyproj import Transformer

pytestmark = pytest.mark.django_db

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
OAS30 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30"
CRS = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs"


class Client:
    """Follows the API's own links, as a generic OGC API client does."""

    def __init__(self, api, token):
        self.api, self.token = api, token

    def get(self, url, **params):
        path, _, query = url.partition("?")
        merged = {**dict(parse_qsl(query)), **params, "token": self.token}
        return self.api.get(path, merged)

    def json(self, url, **params):
        response = self.get(url, **params)
        assert response.status_code == 200, (url, response.content[:300])
        return json.loads(response.content)


def _rel(document, rel):
    return next(link["href"] for link in document["links"] if link["rel"] == rel)


def check_core(client, landing):
    assert {"conformance", "data", "service-desc"} <= {link["rel"] for link in landing["links"]}
    collections = client.json(_rel(landing, "data"))
    assert collections["collections"], "a readable collection is listed"
    collection = collections["collections"][0]
    assert {"id", "links", "extent"} <= set(collection)
    items_url = _rel(collection, "items")
    page = client.json(items_url, limit=2)
    assert page["numberReturned"] == 2 and page["numberMatched"] == 7
    following = client.json(_rel(page, "next"))
    assert _rel(following, "prev") and following["features"][0]["id"] != page["features"][0]["id"]
    inside = client.json(items_url, bbox="5.9,51.9,7.1,52.1")
    assert [f["id_src"] for f in inside["features"]] == ["p2", "p3"]
    item = client.json(f"{items_url.split('?')[0]}/{page['features'][0]['id']}")
    assert item["id"] == page["features"][0]["id"]
    assert client.get(f"{items_url.split('?')[0]}/999999").status_code == 404
    assert client.get(items_url, foo="1").status_code == 400
    timed = client.json(items_url, datetime="2024-05-02T06:00:00Z")
    assert [f["id_src"] for f in timed["features"]] == ["p1"]


def check_geojson(client, landing):
    collection = client.json(_rel(landing, "data"))["collections"][0]
    response = client.get(_rel(collection, "items"))
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection"
    for feature in body["features"]:
        assert feature["type"] == "Feature" and "properties" in feature and "geometry" in feature
    item = client.get(f"{_rel(collection, 'items').split('?')[0]}/{body['features'][0]['id']}")
    assert item["Content-Type"] == "application/geo+json"
    assert json.loads(item.content)["type"] == "Feature"


def check_oas30(client, landing):
    definition = client.json(_rel(landing, "service-desc"))
    assert definition["openapi"].startswith("3.0")
    paths = definition["paths"]
    for path in ("/api/v1/ogc/conformance/", "/api/v1/ogc/collections/{collection_id}/items/"):
        assert any(p.rstrip("/") == path.rstrip("/") for p in paths), path


def check_crs(client, landing):
    collections = client.json(_rel(landing, "data"))
    collection = collections["collections"][0]
    assert "http://www.opengis.net/def/crs/OGC/1.3/CRS84" in collection["crs"]
    assert collection["storageCrs"] in collection["crs"]
    items = _rel(collection, "items").split("?")[0]
    for crs in collection["crs"]:
        response = client.get(items, crs=crs, limit=1)
        assert response.status_code == 200 and response["Content-Crs"] == f"<{crs}>"
    rd = "http://www.opengis.net/def/crs/EPSG/0/28992"
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(6.0, 52.0)
    box = f"{x - 100},{y - 100},{x + 100},{y + 100}"
    inside = client.json(items, bbox=box, **{"bbox-crs": rd, "crs": rd})
    assert [f["id_src"] for f in inside["features"]] == ["p2"]
    assert inside["features"][0]["geometry"]["coordinates"] == pytest.approx([x, y], abs=0.01)
    latlon = "http://www.opengis.net/def/crs/EPSG/0/4326"
    flipped = client.json(items, bbox="51.9,5.9,52.1,6.1", **{"bbox-crs": latlon})
    assert [f["id_src"] for f in flipped["features"]] == ["p2"]
    assert client.get(items, crs="http://www.opengis.net/def/crs/EPSG/0/2056").status_code == 400


CHECKS = {CORE: check_core, GEOJSON: check_geojson, OAS30: check_oas30, CRS: check_crs}


def test_every_declared_conformance_class_holds(api, consumer, stations):
    client = Client(api, consumer.token)
    landing = client.json("/api/v1/ogc/")
    declared = client.json(_rel(landing, "conformance"))["conformsTo"]
    assert CORE in declared
    unchecked = [uri for uri in declared if uri not in CHECKS]
    assert not unchecked, f"declared without a check: {unchecked}"
    for uri in declared:
        CHECKS[uri](client, landing)
