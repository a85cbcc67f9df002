"""Vector tiles from ST_AsMVT, decoded by the reference decoder (mapbox-vector-tile)."""

import json
import math

import mapbox_vector_tile
import pytest
from django.db import connection

from sluis.datastore.vector.services import vector_dataset_replace

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="tiles are made by PostGIS"
)
DAM = (4.8932, 52.3731)  # Amsterdam, Dam square


def _point(ident, x, y, **properties):
    shape = json.dumps({"type": "Point", "coordinates": [x, y]})
    return (ident, shape, json.dumps(properties), x, y, x, y)


def _tile_of(lon, lat, z):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _lonlat(z, x, y, px, py, extent=4096):
    """Tile pixel (y up, as the decoder gives it) back to longitude/latitude."""
    n = 2**z
    lon = (x + px / extent) / n * 360 - 180
    merc_y = y + (extent - py) / extent
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * merc_y / n))))
    return lon, lat


@pytest.fixture
def parcels(vector_source):
    rows = [_point("dam", *DAM, name="Dam", height=3.5), _point("far", -70.0, -30.0, name="Far")]
    vector_dataset_replace(data_source=vector_source, batches=[rows])
    return vector_source


def _get(api, user, path):
    return api.get(f"/api/v1/tiles/{path}", {"token": user.token})


@on_postgresql
def test_a_tile_holds_the_features_with_their_coordinates_and_properties(api, consumer, parcels):
    z = 14
    x, y = _tile_of(*DAM, z)
    response = _get(api, consumer, f"{parcels.pk}/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layer = mapbox_vector_tile.decode(response.content)["features"]
    assert len(layer["features"]) == 1  # "far" lies in another tile
    feature = layer["features"][0]
    assert feature["properties"] == {"id_src": "dam", "name": "Dam", "height": 3.5}
    px, py = feature["geometry"]["coordinates"]
    lon, lat = _lonlat(z, x, y, px, py, layer["extent"])
    assert abs(lon - DAM[0]) < 1e-4 and abs(lat - DAM[1]) < 1e-4


@on_postgresql
def test_a_tile_without_features_is_empty_and_the_world_tile_has_all(api, consumer, parcels):
    assert _get(api, consumer, f"{parcels.pk}/14/0/0.mvt").content == b""
    world = mapbox_vector_tile.decode(_get(api, consumer, f"{parcels.pk}/0/0/0.mvt").content)
    names = {f["properties"]["id_src"] for f in world["features"]["features"]}
    assert names == {"dam", "far"}


@on_postgresql
def test_tilejson_points_at_the_tiles_with_the_extent(api, consumer, parcels):
    document = _get(api, consumer, f"{parcels.pk}.json").json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"][0].endswith(
        f"/api/v1/tiles/{parcels.pk}/{{z}}/{{x}}/{{y}}.mvt?token={consumer.token}"
    )
    assert document["bounds"] == pytest.approx([-70.0, -30.0, DAM[0], DAM[1]], abs=1e-4)
    assert document["vector_layers"][0]["id"] == "features"


@on_postgresql
@pytest.mark.parametrize("path", ["{pk}/3/8/0.mvt", "{pk}/23/0/0.mvt"])
def test_a_tile_outside_the_grid_is_a_400(api, consumer, parcels, path):
    response = _get(api, consumer, path.format(pk=parcels.pk))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"


def test_private_sources_tiles_are_a_404_to_other_organizations(api, outsider, make_source):
    private = make_source(name="Secret", kind="vector", private=True).data_source
    for path in (f"{private.pk}/0/0/0.mvt", f"{private.pk}.json", "99999999999999999999/0/0/0.mvt"):
        response = _get(api, outsider, path)
        assert response.status_code == 404
        assert response.json()["code"] == "data_source_not_found"


def test_anonymous_callers_get_no_tiles(api, parcels):
    response = api.get(f"/api/v1/tiles/{parcels.pk}/0/0/0.mvt")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_sqlite_answers_501_tiles_unavailable(api, consumer, parcels):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL makes tiles")
    response = _get(api, consumer, f"{parcels.pk}/0/0/0.mvt")
    assert response.status_code == 501
    assert response.json()["code"] == "tiles_unavailable"
