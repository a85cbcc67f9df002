import io

import numpy as np
import pytest
from PIL import Image

from tests.datastore.rasters.builders import (
    grid,
    lonlat_of_pixel,
    make_job,
    write_geotiff,
    write_netcdf,
)


@pytest.fixture
def stored(raster_source, process, tmp_path):
    """Three daily frames (2020-01-01..03) of ``raster_source``; pixel (0, 0) is nodata."""
    layers = [grid(0), grid(1000), grid(2000)]
    for layer in layers:
        layer[0, 0] = -9999
    path = write_netcdf(tmp_path / "e.nc", layers, [0, 1, 2], "days since 2020-01-01")
    process(make_job(raster_source, {"evaporation.nc": path}, tmp_path))
    # the NetCDF driver keeps its own fill value: restate nodata through a GeoTIFF frame instead
    tif = write_geotiff(tmp_path / "d.tif", layers[0], nodata=-9999)
    process(make_job(raster_source, {"e_2020-01-01.tif": tif}, tmp_path, upload_id=2))
    return raster_source


def _get(api, user, url, **params):
    return api.get(url, {**params, "token": user.token})


def test_the_list_filters_by_data_source_and_time_range(api, consumer, stored):
    body = _get(
        api,
        consumer,
        "/api/v1/rasters/",
        data_source=stored.pk,
        start="2020-01-02",
        end="2020-01-03T00:00:00Z",
    ).json()
    assert body["count"] == 2
    assert [r["timestamp"] for r in body["results"]] == [
        "2020-01-02T00:00:00Z",
        "2020-01-03T00:00:00Z",
    ]
    first = body["results"][0]
    assert first["data_source"] == {"id": stored.pk, "name": "Evaporation"}
    assert first["crs"] == "EPSG:28992" and first["bounds"] == [154000, 462000, 156000, 464000]
    assert first["links"]["value"].endswith(f"/api/v1/rasters/{first['id']}/value/")


def test_a_bad_start_is_a_400_naming_it(api, consumer, stored):
    response = _get(api, consumer, "/api/v1/rasters/", start="yesterday")
    assert response.status_code == 400 and "'start'" in response.json()["detail"]


def test_without_a_token_the_rasters_are_403(api, stored):
    assert api.get("/api/v1/rasters/").status_code == 403


def test_frames_of_a_private_source_of_another_org_are_invisible(
    api, outsider, make_source, process, tmp_path, other_org
):
    private = make_source(name="Secret", kind="raster", private=True).data_source
    path = write_geotiff(tmp_path / "a.tif")
    process(make_job(private, {"s_2020-01-01.tif": path}, tmp_path))
    frame_id = private.raster_frames.get().pk
    assert _get(api, outsider, "/api/v1/rasters/").json()["count"] == 0
    response = _get(api, outsider, f"/api/v1/rasters/{frame_id}/")
    assert response.status_code == 404 and response.json()["code"] == "raster_not_found"
    lon, lat = lonlat_of_pixel(3, 7)
    response = _get(
        api, outsider, "/api/v1/rasters/values/", data_source=private.pk, lon=lon, lat=lat
    )
    assert response.status_code == 404


def test_the_detail_has_the_metadata(api, consumer, stored):
    frame = stored.raster_frames.order_by("timestamp").first()
    body = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/").json()
    assert (body["width"], body["height"], body["bands"], body["dtype"]) == (20, 20, 1, "float32")
    assert body["nodata"] == -9999 and body["min"] == 1 and body["max"] == 1919
    assert "Amersfoort" in body["crs_wkt"]


def test_value_returns_the_pixel_at_a_wgs84_point(api, consumer, stored):
    frame = stored.raster_frames.order_by("timestamp")[1]
    lon, lat = lonlat_of_pixel(3, 7)
    body = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/value/", lon=lon, lat=lat).json()
    assert body["value"] == 1307 and body["values"] == [1307]
    assert (body["row"], body["col"]) == (3, 7)


def test_value_is_null_outside_the_raster_and_on_nodata(api, consumer, stored):
    frame = stored.raster_frames.order_by("timestamp").first()
    url = f"/api/v1/rasters/{frame.pk}/value/"
    assert _get(api, consumer, url, lon=4.0, lat=51.0).json()["value"] is None
    lon, lat = lonlat_of_pixel(0, 0)
    body = _get(api, consumer, url, lon=lon, lat=lat).json()
    assert body["value"] is None and body["values"] == [None]


def test_value_without_lat_is_a_400(api, consumer, stored):
    frame = stored.raster_frames.first()
    response = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/value/", lon=5.0)
    assert response.status_code == 400 and response.json()["code"] == "invalid_parameter"


def test_values_return_the_timeseries_at_a_point(api, consumer, stored):
    lon, lat = lonlat_of_pixel(3, 7)
    body = _get(
        api,
        consumer,
        "/api/v1/rasters/values/",
        data_source=stored.pk,
        lon=lon,
        lat=lat,
        start="2020-01-02",
    ).json()
    assert body["count"] == 2
    assert [(r["timestamp"], r["value"]) for r in body["results"]] == [
        ("2020-01-02T00:00:00Z", 1307),
        ("2020-01-03T00:00:00Z", 2307),
    ]


def test_values_past_the_frame_cap_ask_to_narrow_the_range(api, consumer, stored, settings):
    settings.SLUIS_RASTER_VALUES_MAX_FRAMES = 2
    lon, lat = lonlat_of_pixel(3, 7)
    response = _get(
        api, consumer, "/api/v1/rasters/values/", data_source=stored.pk, lon=lon, lat=lat
    )
    assert response.status_code == 400 and response.json()["code"] == "too_many_frames"


def test_download_redirects_to_a_signed_link_serving_the_cog(api, consumer, stored):
    frame = stored.raster_frames.order_by("timestamp").first()
    response = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/download/")
    assert response.status_code == 302
    download = api.get(response["Location"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("image/tiff")
    assert "evaporation_value_20200101T000000Z.tif" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:4] == b"II*\x00"


def test_preview_is_a_png_of_the_asked_width_with_nodata_transparent(api, consumer, stored):
    frame = stored.raster_frames.order_by("timestamp").first()
    response = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/preview.png", width=40)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (40, 40) and image.mode == "RGBA"
    pixels = np.asarray(image)
    assert pixels[0, 0, 3] == 0 and pixels[10, 10, 3] == 255
    assert tuple(pixels[39, 39, :3]) != tuple(pixels[2, 2, :3])


def test_preview_wider_than_allowed_is_a_400(api, consumer, stored):
    frame = stored.raster_frames.first()
    response = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/preview.png", width=100000)
    assert response.status_code == 400


def test_values_are_read_through_the_storage_when_it_has_no_local_paths(
    api, consumer, raster_source, process, tmp_path, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "sluis": {
            "BACKEND": "tests.datastore.rasters.builders.PathlessStorage",
            "OPTIONS": {"location": tmp_path / "pathless"},
        },
    }
    path = write_geotiff(tmp_path / "a.tif", grid(offset=42))
    process(make_job(raster_source, {"e_2020-01-01.tif": path}, tmp_path))
    frame = raster_source.raster_frames.get()
    lon, lat = lonlat_of_pixel(3, 7)
    body = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/value/", lon=lon, lat=lat).json()
    assert body["value"] == 349
    preview = _get(api, consumer, f"/api/v1/rasters/{frame.pk}/preview.png", width=10)
    assert preview.status_code == 200
