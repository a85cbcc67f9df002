"""A classic NetCDF's expected size comes from its header: complete files match exactly, a
file missing even its last byte is found short (libnetcdf would read the gap as zeros)."""

import netCDF4
import numpy as np
import pytest

from sluis.readers.raster.classic import HeaderDamaged, classic_expected_size


def write(path, fmt: str, unlimited: bool):
    with netCDF4.Dataset(path, "w", format=fmt) as ds:
        ds.setncattr("title", "hostile")
        ds.createDimension("time", None if unlimited else 3)
        ds.createDimension("y", 5)
        ds.createDimension("x", 7)
        time = ds.createVariable("time", "f8", ("time",))
        time.units = "days since 2020-01-01"
        time[:] = [0, 1, 2]
        ds.createVariable("y", "f4", ("y",))[:] = np.arange(5)
        ds.createVariable("x", "f4", ("x",))[:] = np.arange(7)
        ds.createVariable("mask", "i1", ("y", "x"))[:] = np.ones((5, 7))
        ds.createVariable("rain", "f4", ("time", "y", "x"))[:] = np.ones((3, 5, 7))
    return path


@pytest.mark.parametrize("fmt", ["NETCDF3_CLASSIC", "NETCDF3_64BIT_OFFSET", "NETCDF3_64BIT_DATA"])
@pytest.mark.parametrize("unlimited", [False, True])
def test_complete_files_match_and_a_missing_byte_is_found(tmp_path, fmt, unlimited):
    path = write(tmp_path / "a.nc", fmt, unlimited)
    size = path.stat().st_size

    assert classic_expected_size(path) <= size
    path.write_bytes(path.read_bytes()[: classic_expected_size(path) - 1])
    assert classic_expected_size(path) > path.stat().st_size


def test_netcdf4_and_other_files_are_not_judged(tmp_path):
    assert classic_expected_size(write(tmp_path / "a.nc", "NETCDF4", False)) is None
    (other := tmp_path / "b.tif").write_bytes(b"II*\0" + bytes(100))
    assert classic_expected_size(other) is None


def test_a_header_cut_short_is_damaged(tmp_path):
    path = write(tmp_path / "a.nc", "NETCDF3_CLASSIC", False)
    path.write_bytes(path.read_bytes()[:40])

    with pytest.raises(HeaderDamaged):
        classic_expected_size(path)
