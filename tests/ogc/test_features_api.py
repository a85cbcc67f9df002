"""OGC API - Features at /api/v1/ogc/: landing page, collections, items, CRS, permissions."""

import json

import pytest
from pyproj import Transformer

from sluis.accounts.services import token_create, user_create

pytestmark = pytest.mark.django_db

OGC = "/api/v1/ogc/"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
WGS84_LATLON = "http://www.opengis.net/def/crs/EPSG/0/4326"


def rd_of(lon, lat):
    """RD New coordinates of a WGS84 point, computed by PROJ directly."""
    return Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(lon, lat)


def _get(api, user, path, **params):
    if user is not None:
        params["token"] = user.token
    return api.get(OGC + path, params)


def _items(api, user, source, **params):
    response = _get(api, user, f"collections/{source.pk}/items", **params)
    assert response.status_code == 200, response.content
    return json.loads(response.content)


def test_the_landing_page_links_the_api_definition_conformance_and_collections(api):
    response = api.get(OGC)
    assert response.status_code == 200
    rels = {link["rel"]: link["href"] for link in response.json()["links"]}
    assert rels["conformance"].endswith("/api/v1/ogc/conformance")
    assert rels["data"].endswith("/api/v1/ogc/collections")
    assert rels["service-desc"].endswith("/api/v1/openapi.json")


def test_links_carry_the_token_the_caller_put_in_the_url(api, consumer):
    body = _get(api, consumer, "").json()
    data = next(link["href"] for link in body["links"] if link["rel"] == "data")
    assert data.endswith(f"/api/v1/ogc/collections?token={consumer.token}")


def test_collections_list_the_readable_vector_sources_with_their_extent(
    api, consumer, stations, private_stations, make_source
):
    make_source(name="Levels", kind="timeseries")
    body = _get(api, consumer, "collections").json()
    assert [c["id"] for c in body["collections"]] == [str(stations.pk)]
    collection = body["collections"][0]
    assert collection["title"] == "Gemalen Noord" and "gemalen-noord" in collection["keywords"]
    assert collection["extent"]["spatial"]["bbox"] == [[3.5, 51.5, 8.0, 52.5]]
    assert collection["extent"]["temporal"]["interval"] == [
        ["2024-05-01T06:00:00Z", "2024-05-05T06:00:00Z"]
    ]
    assert RD in collection["crs"] and collection["storageCrs"].endswith("CRS84")


def test_a_collection_without_a_time_setting_has_no_temporal_extent(
    api, outsider, private_stations
):
    collection = _get(api, outsider, f"collections/{private_stations.pk}").json()
    assert collection["extent"] == {
        "spatial": {"bbox": [[5.0, 52.0, 5.0, 52.0]], "crs": collection["storageCrs"]}
    }


def test_items_page_with_number_matched_and_next_and_prev_links(api, consumer, stations):
    body = _items(api, consumer, stations, limit=3)
    assert body["numberMatched"] == 7 and body["numberReturned"] == 3
    assert [f["id_src"] for f in body["features"]] == ["p0", "p1", "p2"]
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in rels and f"token={consumer.token}" in rels["next"]
    second = json.loads(api.get(rels["next"]).content)
    assert [f["id_src"] for f in second["features"]] == ["p3", "p4", "veld"]
    third = json.loads(
        api.get(next(x["href"] for x in second["links"] if x["rel"] == "next")).content
    )
    assert [f["id_src"] for f in third["features"]] == ["leeg"]
    assert {link["rel"] for link in third["links"]} >= {"prev"} and "next" not in {
        link["rel"] for link in third["links"]
    }


def test_a_bbox_in_crs84_or_in_rd_new_selects_the_same_features(api, consumer, stations):
    body = _items(api, consumer, stations, bbox="5.9,51.9,7.1,52.1")
    assert [f["id_src"] for f in body["features"]] == ["p2", "p3"]
    x, y = rd_of(5.0, 52.0)
    box = f"{x - 2000},{y - 2000},{x + 2000},{y + 2000}"
    body = _items(api, consumer, stations, bbox=box, **{"bbox-crs": RD})
    assert [f["id_src"] for f in body["features"]] == ["p1"]


def test_features_come_in_rd_new_or_in_latitude_first_epsg_4326(api, consumer, stations):
    response = _get(api, consumer, f"collections/{stations.pk}/items", crs=RD, limit=2)
    assert response["Content-Crs"] == f"<{RD}>"
    x, y = json.loads(response.content)["features"][1]["geometry"]["coordinates"]
    assert (x, y) == pytest.approx(rd_of(5.0, 52.0), abs=0.01)
    body = _items(api, consumer, stations, crs=WGS84_LATLON, limit=1)
    assert body["features"][0]["geometry"]["coordinates"] == [52.0, 4.0]
    default = _get(api, consumer, f"collections/{stations.pk}/items", limit=1)
    assert default["Content-Crs"].endswith("CRS84>")


def test_datetime_selects_features_by_their_time(api, consumer, stations):
    body = _items(api, consumer, stations, datetime="2024-05-02T06:00:00Z")
    assert [f["id_src"] for f in body["features"]] == ["p1"]
    body = _items(api, consumer, stations, datetime="2024-05-02T00:00:00Z/2024-05-03T23:00:00Z")
    assert [f["id_src"] for f in body["features"]] == ["p1", "p2"]
    body = _items(api, consumer, stations, datetime="../2024-05-01T12:00:00+02:00")
    assert [f["id_src"] for f in body["features"]] == ["p0"]
    body = _items(api, consumer, stations, datetime="2024-05-04")
    assert [f["id_src"] for f in body["features"]] == ["p3"]
    body = _items(api, consumer, stations, datetime="2024-05-04T00:00:00Z/..")
    assert body["numberMatched"] == 2


def test_one_item_by_id_in_the_asked_crs(api, consumer, stations):
    first = _items(api, consumer, stations, limit=1)["features"][0]
    response = _get(
        api, consumer, f"collections/{stations.pk}/items/{first['id']}", crs=WGS84_LATLON
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["id_src"] == "p0" and body["geometry"]["coordinates"] == [52.0, 4.0]
    assert {link["rel"] for link in body["links"]} == {"self", "collection"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": "0"}, "invalid_parameter"),
        ({"limit": "x"}, "invalid_parameter"),
        ({"offset": "-1"}, "invalid_parameter"),
        ({"bbox": "1,2,3"}, "invalid_parameter"),
        ({"bbox": "5,52,4,53"}, "invalid_parameter"),
        ({"bbox": "1,2,3,4", "bbox-crs": "EPSG:9999"}, "unsupported_crs"),
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/3035"}, "unsupported_crs"),
        ({"datetime": "gisteren"}, "invalid_parameter"),
        ({"datetime": "2024-05-03/2024-05-01"}, "invalid_parameter"),
        ({"unknown": "1"}, "invalid_parameter"),
        ({"f": "html"}, "invalid_parameter"),
    ],
)
def test_bad_parameters_are_400s_naming_the_problem(api, consumer, stations, params, code):
    response = _get(api, consumer, f"collections/{stations.pk}/items", **params)
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_limit_above_the_maximum_is_capped(api, consumer, stations, settings):
    settings.SLUIS_VECTOR_WFS_MAX_COUNT = 2
    assert _items(api, consumer, stations, limit=500)["numberReturned"] == 2


def test_datetime_on_a_collection_without_times_is_a_400(api, outsider, private_stations):
    response = _get(
        api, outsider, f"collections/{private_stations.pk}/items", datetime="2024-05-01"
    )
    assert response.status_code == 400 and "no time" in response.json()["detail"]


def test_unknown_collections_and_items_are_404(api, consumer, stations):
    assert _get(api, consumer, "collections/999999").json()["code"] == "collection_not_found"
    assert _get(api, consumer, "collections/gemalen-noord").status_code == 404
    huge = "9" * 30  # never an id, and never a database error either
    assert _get(api, consumer, f"collections/{huge}").status_code == 404
    assert _get(api, consumer, f"collections/{stations.pk}/items/{huge}").status_code == 404
    assert _get(api, consumer, f"collections/{stations.pk}/items", offset=huge).status_code == 400
    response = _get(api, consumer, f"collections/{stations.pk}/items/999999")
    assert response.status_code == 404 and response.json()["code"] == "feature_not_found"


def test_anonymous_callers_get_the_landing_page_but_no_data(api, stations):
    assert api.get(OGC + "conformance").status_code == 200
    response = api.get(OGC + "collections")
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
    assert api.get(OGC + f"collections/{stations.pk}/items").status_code == 403


def test_private_sources_are_never_listed_or_served_to_others(
    api, consumer, outsider, stations, private_stations, other_org
):
    listed = [c["id"] for c in _get(api, consumer, "collections").json()["collections"]]
    assert str(private_stations.pk) not in listed
    for path in (f"collections/{private_stations.pk}", f"collections/{private_stations.pk}/items"):
        assert _get(api, consumer, path).status_code == 404
    own = [c["id"] for c in _get(api, outsider, "collections").json()["collections"]]
    assert own == [str(private_stations.pk)]  # a supplier reads its own, not others' public ones
    reader = user_create(username="reader", organization=other_org, data_consumer=True)
    reader.token = token_create(user=reader).secret
    seen = [c["id"] for c in _get(api, reader, "collections").json()["collections"]]
    assert seen == [str(stations.pk), str(private_stations.pk)]


def test_a_feature_of_another_collection_is_not_found_through_this_one(
    api, admin_user, stations, private_stations
):
    other = _items(api, admin_user, private_stations)["features"][0]["id"]
    response = _get(api, admin_user, f"collections/{stations.pk}/items/{other}")
    assert response.status_code == 404
