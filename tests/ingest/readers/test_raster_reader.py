"""The raster reader refuses hostile files from their header, before reading any pixel."""

import pytest

from sluis.formats.records import Member
from sluis.readers.raster.frames import (
    RasterBudgets,
    RasterOptions,
    RasterProblem,
    frames_plan,
)
from tests.datastore.rasters.builders import grid, huge_tiff, write_geotiff, write_netcdf

BUDGETS = RasterBudgets(
    max_width=100_000,
    max_height=100_000,
    max_bands=4,
    max_pixels=10_000_000,
    max_frames=10,
    max_block_bytes=64 * 1024 * 1024,
)
OPTIONS = RasterOptions.from_settings({})
VRT = (
    '<VRTDataset rasterXSize="10" rasterYSize="10"><VRTRasterBand dataType="Byte" band="1">'
    "<SimpleSource><SourceFilename>/etc/passwd</SourceFilename></SimpleSource>"
    "</VRTRasterBand></VRTDataset>"
)


def _member(path, name, fmt="geotiff"):
    return Member(path, name, fmt, path.stat().st_size)


def _plan(path, name, fmt="geotiff", budgets=BUDGETS, options=OPTIONS):
    return frames_plan(_member(path, name, fmt), options=options, budgets=budgets)


def test_a_geotiff_declaring_a_million_by_a_million_pixels_is_rejected(tmp_path):
    path = huge_tiff(tmp_path / "m0001.tif")
    with pytest.raises(RasterProblem, match=r"huge_2020-01-01\.tif: width 1000000 exceeds"):
        _plan(path, "huge_2020-01-01.tif")


def test_the_pixel_budget_counts_every_band(tmp_path):
    path = write_geotiff(tmp_path / "a.tif", grid(), grid(), grid())
    small = RasterBudgets(**{**BUDGETS.__dict__, "max_pixels": 1000})
    with pytest.raises(RasterProblem, match="20 x 20 x 3 values exceed 1000"):
        _plan(path, "a_2020-01-01.tif", budgets=small)


def test_too_many_bands_are_rejected(tmp_path):
    path = write_geotiff(tmp_path / "a.tif", *[grid()] * 5)
    with pytest.raises(RasterProblem, match="5 bands exceed 4"):
        _plan(path, "a_2020-01-01.tif")


def test_netcdf_time_steps_count_against_the_frame_budget(tmp_path):
    path = write_netcdf(tmp_path / "a.nc", [grid()] * 3, [0, 1, 2], "days since 2020-01-01")
    few = RasterBudgets(**{**BUDGETS.__dict__, "max_frames": 2})
    with pytest.raises(RasterProblem, match="3 frames exceed 2"):
        _plan(path, "a.nc", "netcdf", budgets=few)


def test_a_vrt_disguised_as_tif_is_not_read(tmp_path):
    path = tmp_path / "m0001.tif"
    path.write_text(VRT)
    with pytest.raises(RasterProblem, match=r"evil_2020-01-01\.tif: not a readable geotiff"):
        _plan(path, "evil_2020-01-01.tif")


def test_a_netcdf_variable_that_is_not_there_is_named(tmp_path):
    path = write_netcdf(tmp_path / "a.nc", [grid()], [0], "days since 2020-01-01")
    options = RasterOptions.from_settings({"variable": "rain"})
    with pytest.raises(RasterProblem, match="'rain'"):
        _plan(path, "a.nc", "netcdf", options=options)


def test_the_variable_setting_picks_the_netcdf_variable(tmp_path):
    path = write_netcdf(tmp_path / "a.nc", [grid()] * 2, [0, 1], "days since 2020-01-01")
    options = RasterOptions.from_settings({"variable": "Band1"})
    assert len(_plan(path, "a.nc", "netcdf", options=options)) == 2


def test_non_cf_time_units_are_a_clear_problem(tmp_path):
    path = write_netcdf(tmp_path / "a.nc", [grid()] * 2, [0, 1], "fortnights")
    with pytest.raises(RasterProblem, match=r"a\.nc: .*time"):
        _plan(path, "a.nc", "netcdf")


def test_a_bad_source_crs_setting_is_refused():
    with pytest.raises(RasterProblem, match="source_crs"):
        RasterOptions.from_settings({"source_crs": "EPSG:999999"})


def test_internal_blocks_larger_than_the_budget_are_rejected(tmp_path):
    path = write_geotiff(tmp_path / "a.tif", grid())  # 20 x 20 float32 strips: 1600 bytes
    tight = RasterBudgets(**{**BUDGETS.__dict__, "max_block_bytes": 1000})
    with pytest.raises(RasterProblem, match="internal blocks"):
        _plan(path, "a_2020-01-01.tif", budgets=tight)


def test_a_plan_reads_one_frame_per_geotiff_with_its_timestamp(tmp_path):
    path = write_geotiff(tmp_path / "a.tif", grid(), grid())
    (plan,) = _plan(path, "evap_2020-01-01T0600.tif")
    assert plan.timestamp.isoformat() == "2020-01-01T06:00:00+00:00" and plan.bands is None


def test_an_unknown_time_zone_setting_is_refused():
    with pytest.raises(RasterProblem, match="Mars/Olympus"):
        RasterOptions.from_settings({"timezone": "Mars/Olympus"})
