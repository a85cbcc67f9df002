"""Reading vector features back: /features/ (GeoJSON, bbox, paging), /features/{id}/, /wfs/."""

import csv
import io
import json

import pytest

from sluis.accounts.services import token_create, user_create
from sluis.datastore.vector.services import vector_dataset_replace

pytestmark = pytest.mark.django_db

FEATURES = "/api/v1/features/"


def _row(id_src, x, y, **props):
    point = json.dumps({"type": "Point", "coordinates": [x, y]})
    return (id_src, point, json.dumps(props), x, y, x, y)


def _square(id_src, x0, y0, x1, y1):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    shape = json.dumps({"type": "Polygon", "coordinates": [ring]})
    return (id_src, shape, "{}", x0, y0, x1, y1)


@pytest.fixture
def stored(vector_source):
    rows = [_row(f"p{i}", 4.0 + i, 52.0, n=i, name=f"Gemaal {i}") for i in range(5)]
    rows += [_square("veld", 3.5, 51.5, 4.5, 52.5), ("leeg", None, '{"n": null}', *[None] * 4)]
    vector_dataset_replace(data_source=vector_source, batches=[rows])
    return vector_source


def _get(api, user, path, **params):
    return api.get(path, {**params, "token": user.token})


def test_a_supplier_reads_the_features_as_a_geojson_feature_collection(api, supplier, stored):
    response = _get(api, supplier, FEATURES, data_source=stored.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and body["count"] == 7
    first = body["features"][0]
    assert first["type"] == "Feature" and first["id_src"] == "p0"
    assert first["data_source"] == stored.pk
    assert first["geometry"] == {"type": "Point", "coordinates": [4.0, 52.0]}
    assert first["properties"] == {"n": 0, "name": "Gemaal 0"}
    assert body["features"][-1]["geometry"] is None


def test_a_bbox_returns_the_features_that_intersect_it(api, supplier, stored):
    response = _get(api, supplier, FEATURES, data_source=stored.pk, bbox="5.9,51.9,7,52.1")
    assert [f["id_src"] for f in json.loads(response.content)["features"]] == ["p2", "p3"]
    response = _get(api, supplier, FEATURES, data_source=stored.pk, bbox="3.9,52.4,4.1,53")
    assert [f["id_src"] for f in json.loads(response.content)["features"]] == ["veld"]


def test_a_bbox_touching_a_point_exactly_includes_it(api, supplier, stored):
    response = _get(api, supplier, FEATURES, data_source=stored.pk, bbox="8,52,9,53")
    assert [f["id_src"] for f in json.loads(response.content)["features"]] == ["p4"]


def test_pages_have_next_and_previous_links_keeping_the_filters(api, supplier, stored):
    response = _get(api, supplier, FEATURES, data_source=stored.pk, bbox="3,51,9,53", page_size=2)
    body = json.loads(response.content)
    assert body["count"] == 6 and body["previous"] is None
    assert "bbox=3%2C51%2C9%2C53" in body["next"] and "page=2" in body["next"]
    second = json.loads(api.get(body["next"]).content)
    assert [f["id_src"] for f in second["features"]] == ["p2", "p3"]
    assert second["previous"]


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "5,52,4,53", "nan,1,2,3", "1,2,3,inf", "1,2,3,4,EPSG:28992"]
)
def test_a_malformed_bbox_is_a_400(api, supplier, stored, bbox):
    response = _get(api, supplier, FEATURES, data_source=stored.pk, bbox=bbox)
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"


def test_data_source_is_required_and_must_be_a_readable_vector_source(
    api, supplier, stored, make_source
):
    assert _get(api, supplier, FEATURES).status_code == 400
    assert _get(api, supplier, FEATURES, data_source="x").status_code == 400
    series = make_source(name="Levels", kind="timeseries").data_source
    response = _get(api, supplier, FEATURES, data_source=series.pk)
    assert response.status_code == 404 and response.json()["code"] == "data_source_not_found"


def test_an_anonymous_caller_is_refused(api, stored):
    response = api.get(FEATURES, {"data_source": stored.pk})
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"


def test_another_organization_cannot_read_a_private_source(api, outsider, stored, other_org):
    stored.private = True
    stored.save()
    assert _get(api, outsider, FEATURES, data_source=stored.pk).status_code == 404
    reader = user_create(username="reader", organization=other_org, data_consumer=True)
    reader.token = token_create(user=reader).secret
    assert _get(api, reader, FEATURES, data_source=stored.pk).status_code == 404
    stored.private = False
    stored.save()
    assert _get(api, reader, FEATURES, data_source=stored.pk).status_code == 200


def test_one_feature_by_id_and_old_versions_are_gone(api, consumer, stored):
    listing = json.loads(_get(api, consumer, FEATURES, data_source=stored.pk).content)
    pk = listing["features"][1]["id"]
    response = _get(api, consumer, f"{FEATURES}{pk}/")
    assert response.status_code == 200
    assert json.loads(response.content)["id_src"] == "p1"
    vector_dataset_replace(data_source=stored, batches=[[_row("nieuw", 5, 52)]])
    response = _get(api, consumer, f"{FEATURES}{pk}/")
    assert response.status_code == 404 and response.json()["code"] == "feature_not_found"


def test_wfs_json_with_count_startindex_and_a_bbox_with_its_crs(api, supplier, stored):
    response = _get(
        api,
        supplier,
        "/api/v1/wfs/",
        SERVICE="WFS",
        REQUEST="GetFeature",
        TYPENAMES=stored.pk,
        outputFormat="json",
        bbox="3,51,9,53,urn:ogc:def:crs:OGC:1.3:CRS84",
        count=2,
        startIndex=1,
    )
    body = json.loads(response.content)
    assert body["numberMatched"] == 6 and body["numberReturned"] == 2
    assert [f["id_src"] for f in body["features"]] == ["p1", "p2"]


def test_wfs_csv_has_wkt_geometry_and_a_column_per_property(api, supplier, stored):
    response = _get(api, supplier, "/api/v1/wfs/", typenames=stored.pk, outputformat="csv", count=2)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][1:] == ["id_src", "geometry", "n", "name"]
    assert rows[1][1:] == ["p0", "POINT (4 52)", "0", "Gemaal 0"]


def test_wfs_refuses_unknown_output_formats_and_requests(api, supplier, stored):
    bad = _get(api, supplier, "/api/v1/wfs/", typenames=stored.pk, outputformat="shape-zip")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_parameter"
    bad = _get(api, supplier, "/api/v1/wfs/", typenames=stored.pk, request="Transaction")
    assert bad.status_code == 400 and bad.json()["code"] == "operation_not_supported"
