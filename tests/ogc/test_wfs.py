"""/api/v1/wfs/: WFS 2.0.0 and 1.1.0 requests, read back as XML, JSON and CSV."""

import csv
import io
import json

import pytest
from defusedxml import ElementTree
from pyproj import Transformer

pytestmark = pytest.mark.django_db

WFS = "/api/v1/wfs/"
NS = {
    "wfs": "http://www.opengis.net/wfs/2.0",
    "wfs11": "http://www.opengis.net/wfs",
    "gml": "http://www.opengis.net/gml/3.2",
    "gml311": "http://www.opengis.net/gml",
    "sluis": "urn:sluis:features",
    "xsd": "http://www.w3.org/2001/XMLSchema",
}


def _get(api, user, **params):
    return api.get(WFS, {**params, "token": user.token})


def _xml(response):
    assert response.status_code == 200, response.content[:500]
    return ElementTree.fromstring(response.content)


def _feature(api, user, **params):
    params = {"service": "WFS", "version": "2.0.0", "request": "GetFeature", **params}
    return _get(api, user, **params)


def test_capabilities_list_readable_types_by_alias_with_their_bbox(
    api, consumer, stations, private_stations
):
    root = _xml(_get(api, consumer, service="WFS", request="GetCapabilities"))
    assert root.get("version") == "2.0.0"
    names = [e.text for e in root.findall(".//wfs:FeatureType/wfs:Name", NS)]
    assert names == ["sluis:gemalen-noord"]
    lower = root.find(".//wfs:FeatureType//{http://www.opengis.net/ows/1.1}LowerCorner", NS)
    assert lower.text == "3.5 51.5"
    href = root.find(".//{http://www.opengis.net/ows/1.1}Get").get(
        "{http://www.w3.org/1999/xlink}href"
    )
    assert href.endswith(f"/api/v1/wfs/?token={consumer.token}")


def test_capabilities_in_version_1_1_0(api, consumer, stations):
    root = _xml(_get(api, consumer, service="WFS", version="1.1.0", request="GetCapabilities"))
    assert root.tag == "{http://www.opengis.net/wfs}WFS_Capabilities"
    assert root.find(".//wfs11:FeatureType/wfs11:DefaultSRS", NS).text.endswith("4326")


def test_describe_feature_type_gives_the_properties_and_their_types(api, consumer, stations):
    root = _xml(
        _get(api, consumer, service="WFS", request="DescribeFeatureType", typenames="gemalen-noord")
    )
    elements = {
        e.get("name"): e.get("type") for e in root.findall(".//xsd:sequence/xsd:element", NS)
    }
    assert elements == {
        "id_src": "xsd:string",
        "geometry": "gml:GeometryPropertyType",
        "n": "xsd:long",
        "naam": "xsd:string",
        "gemeten": "xsd:string",
    }


def test_get_feature_defaults_to_gml_3_2_in_latitude_first_epsg_4326(api, consumer, stations):
    response = _feature(api, consumer, typenames="sluis:gemalen-noord", count=2)
    assert response["Content-Type"] == "application/gml+xml; version=3.2"
    root = _xml(response)
    assert root.get("numberMatched") == "7" and root.get("numberReturned") == "2"
    members = root.findall("wfs:member/sluis:gemalen-noord", NS)
    assert [m.find("sluis:id_src", NS).text for m in members] == ["p0", "p1"]
    point = members[1].find(".//gml:Point", NS)
    assert point.get("srsName") == "urn:ogc:def:crs:EPSG::4326"
    assert point.find("gml:pos", NS).text == "52.0 5.0"
    assert members[1].find("sluis:naam", NS).text == "Gemaal 1"


def test_get_feature_in_rd_new_with_a_bbox_in_rd_new(api, consumer, stations):
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(6.0, 52.0)
    bbox = f"{x - 50},{y - 50},{x + 50},{y + 50},urn:ogc:def:crs:EPSG::28992"
    root = _xml(_feature(api, consumer, typenames="gemalen-noord", bbox=bbox, srsname="EPSG:28992"))
    positions = [p.text for p in root.findall(".//gml:pos", NS)]
    assert len(positions) == 1
    px, py = map(float, positions[0].split())
    assert (px, py) == pytest.approx((x, y), abs=0.01)


def test_a_polygon_is_written_as_a_gml_polygon(api, consumer, stations):
    root = _xml(_feature(api, consumer, typenames=stations.pk, bbox="3.6,52.4,3.7,52.45"))
    (polygon,) = root.findall(".//gml:Polygon", NS)
    ring = polygon.find("gml:exterior/gml:LinearRing/gml:posList", NS).text.split()
    assert ring[:4] == ["51.5", "3.5", "51.5", "4.5"]


def test_featureid_and_propertyname_select_features_and_fields(api, consumer, stations):
    listing = json.loads(_get(api, consumer, typenames=stations.pk, outputformat="json").content)
    ids = [f["id"] for f in listing["features"][:2]]
    root = _xml(
        _feature(
            api,
            consumer,
            typenames="gemalen-noord",
            featureid=f"gemalen-noord.{ids[0]},{ids[1]}",
            propertyname="naam",
        )
    )
    members = root.findall("wfs:member/sluis:gemalen-noord", NS)
    assert [m.get("{http://www.opengis.net/gml/3.2}id") for m in members] == [
        f"gemalen-noord.{ids[0]}",
        f"gemalen-noord.{ids[1]}",
    ]
    assert [child.tag.split("}")[1] for child in members[0]] == ["id_src", "naam"]


def test_result_type_hits_counts_without_features(api, consumer, stations):
    root = _xml(_feature(api, consumer, typenames="gemalen-noord", resulttype="hits"))
    assert root.get("numberMatched") == "7" and root.get("numberReturned") == "0"


def test_version_1_1_0_get_feature_is_gml_3_1_1(api, consumer, stations):
    response = _feature(api, consumer, version="1.1.0", typename="gemalen-noord", maxfeatures=1)
    root = _xml(response)
    assert root.get("numberOfFeatures") == "1"
    assert root.find("gml311:featureMember/sluis:gemalen-noord//gml311:pos", NS) is not None


def test_geojson_and_csv_output_with_srsname(api, consumer, stations):
    body = json.loads(
        _feature(api, consumer, typenames="gemalen-noord", outputformat="application/json").content
    )
    assert body["numberMatched"] == 7 and body["features"][0]["geometry"]["coordinates"] == [4, 52]
    body = json.loads(
        _feature(
            api, consumer, typenames="gemalen-noord", outputformat="json", srsname="EPSG:28992"
        ).content
    )
    assert body["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::28992"
    assert body["features"][0]["geometry"]["coordinates"][0] > 1000
    text = _feature(api, consumer, typenames="gemalen-noord", outputformat="csv", count=1)
    rows = list(csv.reader(io.StringIO(text.content.decode())))
    assert rows[1][1:3] == ["p0", "POINT (4 52)"]


def test_nexus_style_requests_keep_working(api, consumer, stations):
    body = json.loads(_get(api, consumer, typenames=stations.pk, outputformat="json").content)
    assert body["numberReturned"] == 7 and body["features"][0]["data_source"] == stations.pk
    root = _xml(_get(api, consumer, typenames=stations.pk, outputformat="gml3"))
    assert root.get("numberMatched") == "7"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"typenames": "nope"}, 404, "collection_not_found"),
        ({}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord,other"}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord", "srsname": "EPSG:3035"}, 400, "unsupported_crs"),
        ({"typenames": "gemalen-noord", "bbox": "1,2,3"}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord", "bbox": "1,2,3,4,EPSG:9"}, 400, "unsupported_crs"),
        ({"typenames": "gemalen-noord", "featureid": "x.y"}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord", "featureid": "9" * 30}, 400, "invalid_parameter"),
        ({"typenames": "9" * 30}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord", "filter": "<Filter/>"}, 400, "operation_not_supported"),
        ({"typenames": "gemalen-noord", "count": "0"}, 400, "invalid_parameter"),
        ({"typenames": "gemalen-noord", "version": "3.0.0"}, 400, "invalid_parameter"),
    ],
)
def test_bad_requests_are_clear_json_errors(api, consumer, stations, params, status, code):
    response = (
        _feature(api, consumer, **params)
        if "version" not in params
        else _get(api, consumer, request="GetFeature", **params)
    )
    assert response.status_code == status and response.json()["code"] == code


def test_private_types_are_neither_listed_nor_served_to_others(
    api, consumer, outsider, stations, private_stations
):
    alias = "geheim"
    response = _feature(api, consumer, typenames=alias)
    assert response.status_code == 404
    assert _feature(api, consumer, typenames=private_stations.pk).status_code == 404
    root = _xml(_get(api, outsider, request="GetCapabilities"))
    assert [e.text for e in root.findall(".//wfs:FeatureType/wfs:Name", NS)] == ["sluis:geheim"]
    response = _get(api, consumer, request="DescribeFeatureType", typenames=alias)
    assert response.status_code == 404


def test_anonymous_callers_are_refused(api, stations):
    response = api.get(WFS, {"request": "GetCapabilities"})
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
