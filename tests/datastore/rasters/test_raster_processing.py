import json
from datetime import UTC, datetime

import numpy as np
import pytest

from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.rasters.services import raster_value_at
from sluis.formats.errors import IngestFailed
from sluis.uploads.storage import object_storage
from tests.datastore.rasters.builders import (
    grid,
    lonlat_of_pixel,
    make_job,
    rd_prj_text,
    write_ascii_grid,
    write_geotiff,
    write_netcdf,
)

JAN1 = datetime(2020, 1, 1, tzinfo=UTC)
JAN2 = datetime(2020, 1, 2, tzinfo=UTC)


def _value(frame, row=3, col=7):
    lon, lat = lonlat_of_pixel(row, col)
    return raster_value_at(frame=frame, lon=lon, lat=lat).values


def test_a_newer_upload_overwrites_the_frame_with_the_same_timestamp(
    raster_source, process, tmp_path
):
    first = write_geotiff(tmp_path / "a.tif", grid(offset=0))
    counts = process(make_job(raster_source, {"evaporation_2020-01-01.tif": first}, tmp_path))
    assert counts.inserted == 1
    old_key = RasterFrame.objects.get().storage_key

    newer = write_geotiff(tmp_path / "b.tif", grid(offset=5000))
    next_day = write_geotiff(tmp_path / "c.tif", grid(offset=9000))
    files = {"evaporation_2020-01-01.tif": newer, "evaporation_2020-01-02.tif": next_day}
    counts = process(make_job(raster_source, files, tmp_path, upload_id=2))

    assert (counts.inserted, counts.updated) == (1, 1)
    frames = list(RasterFrame.objects.order_by("timestamp"))
    assert [f.timestamp for f in frames] == [JAN1, JAN2]
    assert _value(frames[0]) == [5000 + 307]
    assert _value(frames[1]) == [9000 + 307]
    assert not object_storage().exists(old_key)
    assert frames[0].upload_id == 2


def test_a_geotiff_frame_keeps_its_metadata_and_statistics(raster_source, process, tmp_path):
    values = grid()
    values[0, 0] = -9999
    path = write_geotiff(tmp_path / "x.tif", values, nodata=-9999)
    process(make_job(raster_source, {"evap_20200101.tif": path}, tmp_path))
    frame = RasterFrame.objects.get()
    assert (frame.parameter, frame.crs, frame.width, frame.height, frame.bands) == (
        "value",
        "EPSG:28992",
        20,
        20,
        1,
    )
    assert (frame.x_min, frame.y_min, frame.x_max, frame.y_max) == (154000, 462000, 156000, 464000)
    assert 5.37 < frame.west < frame.east < 5.41 and 52.14 < frame.south < frame.north < 52.17
    assert (frame.dtype, frame.nodata_value) == ("float32", -9999.0)
    assert (frame.min, frame.max) == (1.0, 1919.0)
    assert frame.mean == pytest.approx(values[values != -9999].mean(), rel=1e-6)
    assert _value(frame, 0, 0) == [None]


def test_the_stored_object_is_a_tiled_compressed_cog_with_overviews(
    raster_source, process, tmp_path
):
    big = np.tile(grid(), (60, 60))  # 1200 x 1200: large enough for overviews
    path = tmp_path / "big.tif"
    write_geotiff(path, grid())
    from sluis.readers import gdal

    profile = {**gdal.rasterio.open(path).profile, "width": 1200, "height": 1200}
    with gdal.rasterio.open(path, "w", **profile) as out:
        out.write(big[None])
    process(make_job(raster_source, {"big_2020-01-01.tif": path}, tmp_path))
    key = RasterFrame.objects.get().storage_key
    with gdal.stored_raster_open(object_storage(), key) as cog:
        assert cog.profile["tiled"] and cog.profile["compress"] == "deflate"
        assert cog.overviews(1)
        assert cog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"


def test_a_multi_band_geotiff_is_one_frame_with_every_band(raster_source, process, tmp_path):
    path = write_geotiff(tmp_path / "rgb.tif", grid(0), grid(10000), grid(20000))
    process(make_job(raster_source, {"rgb_2020-01-01.tif": path}, tmp_path))
    frame = RasterFrame.objects.get()
    assert frame.bands == 3
    assert _value(frame) == [307, 10307, 20307]
    assert [s["max"] for s in frame.band_stats] == [1919, 11919, 21919]


def test_a_netcdf_with_three_time_steps_becomes_three_frames(raster_source, process, tmp_path):
    path = write_netcdf(
        tmp_path / "e.nc", [grid(0), grid(1000), grid(2000)], [0, 1, 2.25], "days since 2020-01-01"
    )
    counts = process(make_job(raster_source, {"evaporation.nc": path}, tmp_path))
    assert counts.inserted == 3
    frames = list(RasterFrame.objects.order_by("timestamp"))
    assert [f.timestamp for f in frames] == [JAN1, JAN2, datetime(2020, 1, 3, 6, tzinfo=UTC)]
    assert [_value(f) for f in frames] == [[307], [1307], [2307]]
    assert frames[0].crs == "EPSG:28992" and frames[0].bands == 1


def test_an_ascii_grid_takes_its_crs_from_the_prj_beside_it(raster_source, process, tmp_path):
    asc = write_ascii_grid(tmp_path / "g.asc", grid())
    prj = tmp_path / "g.prj"
    prj.write_text(rd_prj_text())
    process(
        make_job(raster_source, {"rain_2020-01-01.asc": asc, "rain_2020-01-01.prj": prj}, tmp_path)
    )
    frame = RasterFrame.objects.get()
    assert frame.timestamp == JAN1 and frame.crs_wkt
    assert _value(frame) == [307]


def test_an_ascii_grid_without_a_crs_fails_naming_the_file(raster_source, process, tmp_path):
    asc = write_ascii_grid(tmp_path / "g.asc", grid())
    with pytest.raises(IngestFailed):
        process(make_job(raster_source, {"rain_2020-01-01.asc": asc}, tmp_path))
    job_problem = RasterFrame.objects.count()
    assert job_problem == 0


def test_source_crs_gives_an_ascii_grid_its_crs(raster_source, process, tmp_path):
    asc = write_ascii_grid(tmp_path / "g.asc", grid())
    settings = {"source_crs": "EPSG:28992"}
    process(make_job(raster_source, {"rain_2020-01-01.asc": asc}, tmp_path, settings=settings))
    assert _value(RasterFrame.objects.get()) == [307]


def test_the_parameter_setting_names_the_frames(raster_source, process, tmp_path):
    path = write_geotiff(tmp_path / "a.tif")
    settings = {"parameter": "evaporation"}
    process(make_job(raster_source, {"x_2020-01-01.tif": path}, tmp_path, settings=settings))
    assert RasterFrame.objects.get().parameter == "evaporation"


def test_a_filename_pattern_reads_the_original_unsanitised_name(raster_source, process, tmp_path):
    path = write_geotiff(tmp_path / "a.tif")
    settings = {"filename_pattern": "evaporation#{timestamp:%Y-%m-%d}.tif"}
    process(
        make_job(raster_source, {"evaporation#2020-1-2.tif": path}, tmp_path, settings=settings)
    )
    assert RasterFrame.objects.get().timestamp == JAN2


def test_the_tiff_datetime_tag_dates_a_file_without_a_date_in_its_name(
    raster_source, process, tmp_path
):
    path = write_geotiff(tmp_path / "a.tif", tags={"TIFFTAG_DATETIME": "2020:01:02 06:30:00"})
    process(make_job(raster_source, {"latest.tif": path}, tmp_path))
    assert RasterFrame.objects.get().timestamp == datetime(2020, 1, 2, 6, 30, tzinfo=UTC)


def test_a_frame_without_a_timestamp_fails_naming_the_file_and_what_was_tried(
    raster_source, process, tmp_path
):
    path = write_geotiff(tmp_path / "a.tif")
    job = make_job(raster_source, {"latest.tif": path}, tmp_path)
    with pytest.raises(IngestFailed):
        process(job)
    message = job.report.problems[0].message
    assert "latest.tif" in message and "TIFF DateTime" in message and "file name" in message
    assert not RasterFrame.objects.exists()


def test_one_bad_file_fails_the_whole_upload_and_keeps_the_stored_frames(
    raster_source, process, tmp_path
):
    process(
        make_job(raster_source, {"e_2020-01-01.tif": write_geotiff(tmp_path / "a.tif")}, tmp_path)
    )
    before = list(RasterFrame.objects.values_list("storage_key", flat=True))
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\0garbage")
    newer = write_geotiff(tmp_path / "b.tif", grid(offset=5000))
    files = {"e_2020-01-01.tif": newer, "e_2020-01-05.tif": bad}
    job = make_job(raster_source, files, tmp_path, upload_id=2)
    with pytest.raises(IngestFailed):
        process(job)
    assert job.report.problems[0].file == "e_2020-01-05.tif"
    assert list(RasterFrame.objects.values_list("storage_key", flat=True)) == before
    assert _value(RasterFrame.objects.get()) == [307]
    stored = object_storage().listdir(f"rasters/{raster_source.pk}")[1]
    assert stored == [before[0].rsplit("/", 1)[1]]


def test_skip_invalid_rows_stores_the_good_files_and_counts_the_bad(
    raster_source, process, tmp_path
):
    bad = tmp_path / "bad.tif"
    bad.write_bytes(b"II*\0garbage")
    files = {"e_2020-01-01.tif": write_geotiff(tmp_path / "a.tif"), "e_2020-01-02.tif": bad}
    settings = {"on_error": "skip_invalid_rows"}
    counts = process(make_job(raster_source, files, tmp_path, settings=settings))
    assert (counts.inserted, counts.rejected) == (1, 1)


def test_two_files_with_one_timestamp_store_the_last_with_a_warning(
    raster_source, process, tmp_path
):
    files = {
        "a_2020-01-01.tif": write_geotiff(tmp_path / "a.tif", grid(0)),
        "b_20200101.tif": write_geotiff(tmp_path / "b.tif", grid(100)),
    }
    job = make_job(raster_source, files, tmp_path)
    assert process(job).inserted == 1
    assert _value(RasterFrame.objects.get()) == [407]
    assert "same timestamp" in job.report.warnings[0]


def test_processing_the_same_upload_twice_stores_the_same_frames(raster_source, process, tmp_path):
    path = write_geotiff(tmp_path / "a.tif")
    process(make_job(raster_source, {"e_2020-01-01.tif": path}, tmp_path))
    counts = process(make_job(raster_source, {"e_2020-01-01.tif": path}, tmp_path, upload_id=2))
    assert (counts.inserted, counts.updated) == (0, 1)
    frame = RasterFrame.objects.get()
    assert _value(frame) == [307]
    assert object_storage().listdir(f"rasters/{raster_source.pk}")[1] == [
        frame.storage_key.rsplit("/", 1)[1]
    ]


def test_hostile_rasters_fail_the_upload_and_store_nothing(raster_source, process, tmp_path):
    from tests.datastore.rasters.builders import huge_tiff

    vrt = tmp_path / "evil.tif"
    vrt.write_text('<VRTDataset rasterXSize="9" rasterYSize="9"></VRTDataset>')
    files = {"huge_2020-01-01.tif": huge_tiff(tmp_path / "h.tif"), "evil_2020-01-02.tif": vrt}
    job = make_job(raster_source, files, tmp_path)
    with pytest.raises(IngestFailed):
        process(job)
    assert [p.file for p in job.report.problems] == ["huge_2020-01-01.tif", "evil_2020-01-02.tif"]
    assert not RasterFrame.objects.exists()
    assert not object_storage().exists(f"rasters/{raster_source.pk}")


def test_the_variable_setting_picks_one_of_several_netcdf_variables(
    raster_source, process, tmp_path
):
    from tests.datastore.rasters.builders import write_cf_netcdf

    path = write_cf_netcdf(tmp_path / "cf.nc", {"evap": 0, "rain": 500}, [0, 6, 12])
    settings = {"variable": "rain", "parameter": "rain"}
    assert (
        process(make_job(raster_source, {"era.nc": path}, tmp_path, settings=settings)).inserted
        == 3
    )
    frames = list(RasterFrame.objects.order_by("timestamp"))
    assert [f.timestamp.hour for f in frames] == [0, 6, 12]
    assert frames[0].crs == "EPSG:4326"
    values = [raster_value_at(frame=f, lon=5.2, lat=52.1).values for f in frames]
    assert values == [[512], [1512], [2512]]


def test_a_netcdf_with_several_variables_and_no_setting_names_them(
    raster_source, process, tmp_path
):
    from tests.datastore.rasters.builders import write_cf_netcdf

    path = write_cf_netcdf(tmp_path / "cf.nc", {"evap": 0, "rain": 500}, [0])
    job = make_job(raster_source, {"era.nc": path}, tmp_path)
    with pytest.raises(IngestFailed):
        process(job)
    message = job.report.problems[0].message
    assert "evap" in message and "rain" in message and "variable" in message


def test_a_truncated_geotiff_fails_naming_the_file_when_its_pixels_are_read(
    raster_source, process, tmp_path
):
    from sluis.readers import gdal

    path = tmp_path / "whole.tif"
    profile = {
        "driver": "GTiff",
        "width": 300,
        "height": 300,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:28992",
        "transform": gdal.rasterio.transform.Affine(1, 0, 0, 0, -1, 0),
        "compress": "deflate",
        "tiled": True,
    }
    with gdal.rasterio.open(path, "w", **profile) as out:
        out.write(np.random.default_rng(1).random((1, 300, 300), dtype="float32"))
    truncated = tmp_path / "cut.tif"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    job = make_job(raster_source, {"cut_2020-01-01.tif": truncated}, tmp_path)
    with pytest.raises(IngestFailed):
        process(job)
    assert job.report.problems[0].file == "cut_2020-01-01.tif"
    assert "cannot be read" in job.report.problems[0].message
    assert not RasterFrame.objects.exists()


def test_a_cog_upload_is_stored_with_its_values(raster_source, process, tmp_path):
    from sluis.readers import gdal

    plain = write_geotiff(tmp_path / "plain.tif", grid(offset=70))
    cog = tmp_path / "in_cog.tif"
    with gdal.rasterio.open(plain) as src:
        gdal.rasterio.shutil.copy(src, cog, driver="COG", COMPRESS="LZW")
    process(make_job(raster_source, {"e_2020-01-01.tif": cog}, tmp_path))
    assert _value(RasterFrame.objects.get()) == [377]


def test_an_unusable_filename_pattern_fails_the_upload_with_the_reason(
    raster_source, process, tmp_path
):
    path = write_geotiff(tmp_path / "a.tif")
    settings = {"filename_pattern": "evaporation.tif"}
    with pytest.raises(IngestFailed, match="filename_pattern"):
        process(make_job(raster_source, {"e_2020-01-01.tif": path}, tmp_path, settings=settings))


def test_a_truncated_netcdf_fails_loudly_and_never_overwrites_frames_with_zeros(
    raster_source, process, tmp_path
):
    days, units = [0, 1, 2], "days since 2020-01-01"
    good = write_netcdf(tmp_path / "good.nc", [grid(0), grid(1000), grid(2000)], days, units)
    process(make_job(raster_source, {"e.nc": good}, tmp_path))
    before = [_value(f) for f in RasterFrame.objects.order_by("timestamp")]
    newer = write_netcdf(tmp_path / "new.nc", [grid(5), grid(6), grid(7)], days, units)
    truncated = tmp_path / "truncated.nc"
    truncated.write_bytes(newer.read_bytes()[: newer.stat().st_size // 2])

    job = make_job(raster_source, {"e.nc": truncated}, tmp_path, upload_id=2)
    with pytest.raises(IngestFailed):
        process(job)

    assert "is truncated" in job.report.problems[0].message
    assert [_value(f) for f in RasterFrame.objects.order_by("timestamp")] == before


def test_a_geotiff_with_an_infinite_pixel_is_stored_with_valid_json_statistics(
    raster_source, process, tmp_path
):
    values = grid()
    values[2, 2] = np.inf
    path = write_geotiff(tmp_path / "inf.tif", values)

    process(make_job(raster_source, {"evap_20200101.tif": path}, tmp_path))

    frame = RasterFrame.objects.get()
    json.dumps(frame.band_stats, allow_nan=False)  # raises on Infinity or NaN
    assert frame.max is None or np.isfinite(frame.max)
