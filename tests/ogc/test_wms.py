"""/api/v1/wms/: WMS 1.3.0 capabilities, maps in three CRSs, TIME, pixel values, legends."""

import io

import pytest
from defusedxml import ElementTree
from PIL import Image
from pyproj import Transformer

pytestmark = pytest.mark.django_db

WMS = "/api/v1/wms/"
NS = {"wms": "http://www.opengis.net/wms"}
RD_BOX = (154000.0, 462000.0, 156000.0, 464000.0)  # the test grid: 20 x 20 pixels of 100 m


def _get(api, user, **params):
    return api.get(WMS, {"service": "WMS", "version": "1.3.0", **params, "token": user.token})


def _bbox(crs):
    """The test grid's bbox in ``crs``, in that CRS's WMS 1.3.0 axis order."""
    if crs == "EPSG:28992":
        return RD_BOX
    epsg = "EPSG:4326" if crs in {"EPSG:4326", "CRS:84"} else crs
    to = Transformer.from_crs("EPSG:28992", epsg, always_xy=True)
    west, south, east, north = to.transform_bounds(*RD_BOX)
    return (south, west, north, east) if crs == "EPSG:4326" else (west, south, east, north)


def _map(api, user, crs="EPSG:28992", size=20, **params):
    bbox = ",".join(repr(v) for v in _bbox(crs))
    response = _get(
        api,
        user,
        request="GetMap",
        layers="verdamping",
        styles="",
        crs=crs,
        bbox=bbox,
        width=size,
        height=size,
        format="image/png",
        **params,
    )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("RGBA")


def _info(api, user, row, col, **params):
    response = _get(
        api,
        user,
        request="GetFeatureInfo",
        layers="verdamping",
        query_layers="verdamping",
        crs="EPSG:28992",
        bbox=",".join(map(str, RD_BOX)),
        width=20,
        height=20,
        i=col,
        j=row,
        info_format="application/json",
        **params,
    )
    assert response.status_code == 200, response.content
    return response.json()["features"][0]["properties"]


def test_capabilities_list_the_layer_with_its_frames_as_the_time_dimension(
    api, consumer, evaporation, private_raster
):
    response = _get(api, consumer, request="GetCapabilities")
    root = ElementTree.fromstring(response.content)
    layers = root.findall(".//wms:Layer/wms:Layer", NS)
    assert [layer.find("wms:Name", NS).text for layer in layers] == ["verdamping"]
    dimension = layers[0].find("wms:Dimension", NS)
    assert dimension.get("name") == "time" and dimension.get("default") == "2020-01-03T00:00:00Z"
    assert dimension.text == "2020-01-01T00:00:00Z,2020-01-02T00:00:00Z,2020-01-03T00:00:00Z"
    crss = {box.get("CRS") for box in layers[0].findall("wms:BoundingBox", NS)}
    assert crss == {"EPSG:4326", "EPSG:3857", "EPSG:28992"}


@pytest.mark.parametrize("crs", ["EPSG:28992", "EPSG:4326", "EPSG:3857", "CRS:84"])
def test_get_map_draws_the_grid_the_right_way_up_in_each_crs(api, consumer, evaporation, crs):
    image = _map(api, consumer, crs=crs, size=40)
    top, bottom = image.getpixel((20, 3)), image.getpixel((20, 36))
    assert top[3] == 255 and bottom[3] == 255
    # values grow downwards (row * 100): viridis goes from purple (top) to yellow (bottom)
    assert bottom[0] + bottom[1] > top[0] + top[1] + 100
    assert image.getpixel((0, 0))[3] == 0  # the nodata pixel is transparent


def test_outside_the_raster_the_map_is_transparent(api, consumer, evaporation):
    response = _get(
        api,
        consumer,
        request="GetMap",
        layers="verdamping",
        crs="EPSG:28992",
        bbox="0,300000,1000,301000",
        width=10,
        height=10,
    )
    image = Image.open(io.BytesIO(response.content)).convert("RGBA")
    assert image.getextrema()[3] == (0, 0)


def test_feature_info_gives_the_pixel_value_of_the_frame_time_picks(api, consumer, evaporation):
    assert _info(api, consumer, 3, 4)["value"] == 2304  # the latest frame by default
    properties = _info(api, consumer, 3, 4, time="2020-01-02T12:00:00Z")
    assert properties["value"] == 1304 and properties["timestamp"] == "2020-01-02T00:00:00Z"
    assert _info(api, consumer, 3, 4, time="2020-01-01")["value"] == 304
    assert _info(api, consumer, 0, 0)["value"] is None


def test_a_time_before_the_first_frame_is_a_404(api, consumer, evaporation):
    response = _get(
        api,
        consumer,
        request="GetMap",
        layers="verdamping",
        crs="EPSG:28992",
        bbox=",".join(map(str, RD_BOX)),
        width=10,
        height=10,
        time="2019-12-31",
    )
    assert response.status_code == 404 and response.json()["code"] == "raster_frame_not_found"


def test_the_legend_is_a_png_ramp(api, consumer, evaporation):
    response = _get(
        api, consumer, request="GetLegendGraphic", layer="verdamping", format="image/png"
    )
    image = Image.open(io.BytesIO(response.content))
    assert response["Content-Type"] == "image/png" and image.size == (80, 200)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"crs": "EPSG:2056"}, 400, "unsupported_crs"),
        ({"width": "100000"}, 400, "invalid_parameter"),
        ({"width": "0"}, 400, "invalid_parameter"),
        ({"bbox": "1,2,3"}, 400, "invalid_parameter"),
        ({"bbox": "1,1,1,2"}, 400, "invalid_parameter"),
        ({"format": "image/jpeg"}, 400, "invalid_parameter"),
        ({"time": "morgen"}, 400, "invalid_parameter"),
        ({"layers": "nope"}, 404, "layer_not_found"),
        ({"layers": "verdamping,nope"}, 400, "invalid_parameter"),
        ({"request": "GetTile"}, 400, "operation_not_supported"),
        ({"request": "GetFeatureInfo", "query_layers": "verdamping"}, 400, "invalid_parameter"),
        ({"width": None}, 400, "invalid_parameter"),
        ({"version": "1.0.0"}, 400, "invalid_parameter"),
    ],
)
def test_bad_requests_are_clear_json_errors(api, consumer, evaporation, params, status, code):
    query = {
        "request": "GetMap",
        "layers": "verdamping",
        "crs": "EPSG:28992",
        "bbox": ",".join(map(str, RD_BOX)),
        "width": "10",
        "height": "10",
        **params,
    }
    response = _get(api, consumer, **{k: v for k, v in query.items() if v is not None})
    assert response.status_code == status and response.json()["code"] == code


def test_private_layers_are_neither_listed_nor_drawn_for_others(
    api, consumer, outsider, evaporation, private_raster
):
    response = _get(
        api,
        consumer,
        request="GetMap",
        layers=str(private_raster.pk),
        crs="EPSG:28992",
        bbox=",".join(map(str, RD_BOX)),
        width=10,
        height=10,
    )
    assert response.status_code == 404
    root = ElementTree.fromstring(_get(api, outsider, request="GetCapabilities").content)
    names = [e.text for e in root.findall(".//wms:Layer/wms:Layer/wms:Name", NS)]
    assert names == ["geheim-raster"]


def test_anonymous_callers_are_refused(api, evaporation):
    response = api.get(WMS, {"request": "GetCapabilities"})
    assert response.status_code == 403 and response.json()["code"] == "not_authenticated"
