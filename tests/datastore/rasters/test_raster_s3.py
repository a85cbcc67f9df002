"""Rasters on S3 object storage (a real moto_server): stored, overwritten, read back."""

import pytest

from sluis.datastore.rasters.models import RasterFrame
from tests.datastore.rasters.builders import grid, lonlat_of_pixel, make_job, write_geotiff
from tests.uploads.conftest import moto_endpoint, s3_storage  # noqa: F401 (fixtures)

pytestmark = pytest.mark.services


def test_frames_on_s3_are_overwritten_and_read_back(
    api,
    consumer,
    raster_source,
    process,
    tmp_path,
    s3_storage,  # noqa: F811
):
    first = write_geotiff(tmp_path / "a.tif", grid(0))
    process(make_job(raster_source, {"e_2020-01-01.tif": first}, tmp_path))
    old_key = RasterFrame.objects.get().storage_key
    newer = write_geotiff(tmp_path / "b.tif", grid(5000))
    process(make_job(raster_source, {"e_2020-01-01.tif": newer}, tmp_path, upload_id=2))

    frame = RasterFrame.objects.get()
    keys = [obj.key for obj in s3_storage.objects.all()]
    assert keys == [frame.storage_key] and frame.storage_key != old_key
    lon, lat = lonlat_of_pixel(3, 7)
    url = f"/api/v1/rasters/{frame.pk}/value/"
    body = api.get(url, {"lon": lon, "lat": lat, "token": consumer.token}).json()
    assert body["value"] == 5307
    download = api.get(f"/api/v1/rasters/{frame.pk}/download/", {"token": consumer.token})
    assert download.status_code == 302
