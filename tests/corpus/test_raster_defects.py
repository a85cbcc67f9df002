"""Issue 16's raster defects, on real files: stale statistics, packed values, no WGS84 envelope,
rasters without a time."""

import pytest

from sluis.datastore.rasters.models import RasterFrame
from sluis.uploads.models import Upload
from tests.corpus.cases import CORPUS
from tests.corpus.runner import corpus_upload

pytestmark = pytest.mark.django_db
FIXED = {"frame_time": "2020-06-01T00:00:00Z"}


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}


def _frames(api, user, make_source, name, settings):
    """Upload ``name`` (a corpus path, or an absolute one) and list the stored frames."""
    source = make_source(name="Grids", kind="raster", ingest_settings=settings)
    outcome = corpus_upload(api=api, user=user, source=source, path=CORPUS / name)
    assert outcome.status == "processed", outcome.describe()
    url = f"/api/v1/rasters/?data_source={source.data_source.pk}&token={user.token}"
    response = api.get(url)
    assert response.status_code == 200
    return response.json()["results"]


def test_statistics_are_computed_from_the_pixels_not_copied_from_stale_tags(
    api, supplier, make_source
):
    # the file embeds STATISTICS_MEAN=29.947726688477 for band 1; its valid pixels say otherwise
    frame = _frames(api, supplier, make_source, "raster/rasterio/RGB.byte.tif", FIXED)[0]
    assert frame["band_stats"][0]["mean"] == pytest.approx(44.434478650699106)
    assert frame["band_stats"][0]["min"] == 1


def test_a_packed_netcdf_reports_physical_values_with_its_scale_offset_and_unit(
    api, supplier, make_source
):
    frame = _frames(api, supplier, make_source, "raster/rioxarray/tmmx_20190121.nc", {})[0]
    assert (frame["scale"], frame["offset"], frame["unit"]) == (
        pytest.approx(0.1),
        220.0,
        "K",
    )
    assert frame["dtype"] == "float32"
    assert 240 < frame["min"] < frame["mean"] < frame["max"] < 320  # kelvin, not stored integers
    url = f"/api/v1/rasters/{frame['id']}/value/?lon=-100&lat=40&token={supplier.token}"
    value = api.get(url)
    assert value.status_code == 200, value.content
    assert 240 < value.json()["value"] < 320


def test_a_geostationary_frame_has_no_wgs84_bounds_and_every_listing_still_answers(
    api, supplier, make_source
):
    frame = _frames(api, supplier, make_source, "raster/rasterio/goes.tif", FIXED)[0]
    assert frame["bounds_wgs84"] is None
    assert all(isinstance(v, float) for v in frame["bounds"])


def test_a_raster_without_any_time_takes_the_upload_time_when_the_setting_says_so(
    api, supplier, make_source
):
    received = {"frame_time": "received"}
    frame = _frames(api, supplier, make_source, "raster/rasterio/byte.tif", received)[0]
    stored = RasterFrame.objects.get(pk=frame["id"])
    assert stored.timestamp == Upload.objects.get().received_at


def test_an_erdas_imagine_img_is_a_raster_frame(api, supplier, make_source, tmp_path):
    """No public ERDAS Imagine file small enough was at hand: this one is written by GDAL's own
    HFA driver, as ArcGIS and ERDAS write them (single .img, no spill file)."""
    import numpy

    from sluis.readers.gdal import rasterio

    path = tmp_path / "landuse_2021-05-01.img"
    values = numpy.arange(12, dtype="int16").reshape(1, 3, 4)
    transform = rasterio.Affine(25.0, 0, 155000.0, 0, -25.0, 463000.0)
    profile = {"driver": "HFA", "width": 4, "height": 3, "count": 1, "dtype": "int16"}
    with rasterio.open(
        path, "w", crs="EPSG:28992", transform=transform, nodata=0, **profile
    ) as out:
        out.write(values)
    (frame,) = _frames(api, supplier, make_source, path, {})

    assert (frame["width"], frame["height"], frame["crs"]) == (4, 3, "EPSG:28992")
    assert (frame["min"], frame["max"]) == (1, 11)  # 0 is nodata
    assert frame["timestamp"] == "2021-05-01T00:00:00Z"


def test_a_tiff_georeferenced_by_its_aux_xml_sidecar_in_the_zip_is_a_frame(
    api, supplier, make_source, tmp_path
):
    """The TIFF is a real one without GeoTIFF tags; the sidecar is what ArcGIS and GDAL write
    for such a file (its SRS and geotransform)."""
    import zipfile

    tiff = (CORPUS / "file/pdf-samples/smile.tiff").read_bytes()
    aux = (
        "<PAMDataset><SRS>EPSG:28992</SRS>"
        "<GeoTransform>155000, 10, 0, 463000, 0, -10</GeoTransform></PAMDataset>"
    )
    path = tmp_path / "smile.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("scan/Smile.TIF", tiff)
        archive.writestr("scan/Smile.TIF.aux.xml", aux)
    (frame,) = _frames(api, supplier, make_source, path, FIXED)

    assert frame["crs"] == "EPSG:28992"
    assert frame["bounds"][0] == 155000 and frame["bounds"][3] == 463000
