"""Rasters written in the test: known values at known points in a known CRS.

The grid is 20 x 20 pixels of 100 m in EPSG:28992 (RD New) with its top-left corner at
(154000, 464000), around Amersfoort. Pixel (row, col) holds ``row * 100 + col + offset``.
"""

import shutil
import struct
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from django.core.files.storage import FileSystemStorage, Storage
from pyproj import Transformer

from sluis.formats.records import Member
from sluis.kinds import IngestJob
from sluis.readers import gdal

rasterio = gdal.rasterio
ORIGIN_X, ORIGIN_Y, RES, SIZE = 154000.0, 464000.0, 100.0, 20
RD = "EPSG:28992"
FORMAT_BY_SUFFIX = {".tif": "geotiff", ".nc": "netcdf", ".asc": "ascii-grid", ".prj": "prj"}


def grid(offset: float = 0.0, dtype: str = "float32") -> np.ndarray:
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    return (rows * 100 + cols + offset).astype(dtype)


def lonlat_of_pixel(row: int, col: int) -> tuple[float, float]:
    """The WGS84 point at the centre of pixel (row, col)."""
    x = ORIGIN_X + (col + 0.5) * RES
    y = ORIGIN_Y - (row + 0.5) * RES
    lon, lat = Transformer.from_crs(RD, "EPSG:4326", always_xy=True).transform(x, y)
    return lon, lat


def _profile(driver: str, bands: int, dtype: str, nodata, crs) -> dict:
    return {
        "driver": driver,
        "width": SIZE,
        "height": SIZE,
        "count": bands,
        "dtype": dtype,
        "crs": crs,
        "transform": rasterio.transform.Affine(RES, 0, ORIGIN_X, 0, -RES, ORIGIN_Y),
        "nodata": nodata,
    }


def write_geotiff(path: Path, *layers: np.ndarray, nodata=None, crs=RD, tags=None) -> Path:
    layers = layers or (grid(),)
    profile = _profile("GTiff", len(layers), str(layers[0].dtype), nodata, crs)
    with rasterio.open(path, "w", **profile) as out:
        out.write(np.stack(layers))
        if tags:
            out.update_tags(**tags)
    return path


def write_netcdf(path: Path, layers: list[np.ndarray], days: list[float], units: str) -> Path:
    """A NetCDF variable ``Band1`` with a CF time dimension ``time`` (one step per layer)."""
    staged = path.with_suffix(".staging.tif")
    profile = _profile("GTiff", len(layers), str(layers[0].dtype), None, RD)
    with rasterio.open(staged, "w", **profile) as out:
        out.write(np.stack(layers))
        out.update_tags(
            NETCDF_DIM_EXTRA="{time}",
            NETCDF_DIM_time_DEF=f"{{{len(layers)},6}}",
            NETCDF_DIM_time_VALUES="{" + ",".join(str(d) for d in days) + "}",
            **{"time#units": units, "time#standard_name": "time", "time#calendar": "standard"},
        )
    with rasterio.open(staged) as src:
        rasterio.shutil.copy(src, path, driver="netCDF")
    staged.unlink()
    return path


def write_ascii_grid(path: Path, values: np.ndarray, nodata: float = -9999.0) -> Path:
    header = (
        f"ncols {SIZE}\nnrows {SIZE}\nxllcorner {ORIGIN_X}\n"
        f"yllcorner {ORIGIN_Y - SIZE * RES}\ncellsize {RES}\nNODATA_value {nodata}\n"
    )
    rows = "\n".join(" ".join(f"{v:g}" for v in row) for row in values)
    path.write_text(header + rows + "\n")
    return path


def rd_prj_text() -> str:
    return gdal.crs_parse(RD).to_wkt(version="WKT1_ESRI")


def huge_tiff(path: Path, width: int = 1_000_000, height: int = 1_000_000) -> Path:
    """A tiny classic TIFF whose header declares ``width`` x ``height`` 8-bit pixels."""
    entries = [
        (256, 4, 1, width),  # ImageWidth, LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample, SHORT
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: min-is-black
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 1),  # StripByteCounts
    ]
    ifd_offset = 16
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    path.write_bytes(b"II*\0" + struct.pack("<I", ifd_offset) + b"\0" * 8 + ifd)
    return path


def make_job(data_source, files: dict[str, Path], tmp_path: Path, settings=None, upload_id=1):
    """An IngestJob as the engine builds it: generated paths, original names, sniffed formats.

    ``files`` maps the original name to a file written by the test; ``.prj`` sidecars share the
    generated stem of the ``.asc`` with the same original stem.
    """
    work = tmp_path / f"job-{upload_id}"
    work.mkdir()
    stems: dict[str, str] = {}
    members = []
    for number, (name, source) in enumerate(files.items()):
        suffix = Path(name).suffix.lower()
        stem = stems.setdefault(Path(name).stem, f"m{number:04d}")
        target = work / f"{stem}{suffix}"
        shutil.copyfile(source, target)
        members.append(Member(target, name, FORMAT_BY_SUFFIX[suffix], target.stat().st_size))
    return IngestJob(
        upload_id=upload_id,
        data_source=data_source,
        ingest_settings=data_source.ingest_settings if settings is None else settings,
        members=members,
        received_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


class PathlessStorage(Storage):
    """Local storage that, like S3, has no local paths: GDAL must read through ``open``."""

    def __init__(self, location):
        self.inner = FileSystemStorage(location=location)

    def _open(self, name, mode="rb"):
        return self.inner._open(name, mode)

    def _save(self, name, content):
        return self.inner._save(name, content)

    def delete(self, name):
        self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def size(self, name):
        return self.inner.size(name)


def write_cf_netcdf(path: Path, variables: dict[str, float], hours: list[float]) -> Path:
    """A CF NetCDF-4 as climate tools write it: ``time`` in hours, south-up ``lat``/``lon``
    coordinates (no grid_mapping), one (time, lat, lon) variable per name. Cell (t, i, j) of
    variable ``name`` holds ``t * 1000 + i * 10 + j + variables[name]``; lat 52.0..52.3 (i),
    lon 5.0..5.4 (j), cells 0.1 degree."""
    import netCDF4

    with netCDF4.Dataset(path, "w") as ds:
        ds.createDimension("time", len(hours))
        ds.createDimension("lat", 4)
        ds.createDimension("lon", 5)
        coords = {
            "time": ("hours since 2020-01-01 00:00:00", "time", hours),
            "lat": ("degrees_north", "latitude", [52.0, 52.1, 52.2, 52.3]),
            "lon": ("degrees_east", "longitude", [5.0, 5.1, 5.2, 5.3, 5.4]),
        }
        for name, (units, standard_name, values) in coords.items():
            var = ds.createVariable(name, "f8", (name,))
            var.units, var.standard_name = units, standard_name
            var[:] = values
        t, i, j = np.meshgrid(range(len(hours)), range(4), range(5), indexing="ij")
        for name, offset in variables.items():
            var = ds.createVariable(name, "f4", ("time", "lat", "lon"), fill_value=-9999.0)
            var[:] = t * 1000 + i * 10 + j + offset
    return path
