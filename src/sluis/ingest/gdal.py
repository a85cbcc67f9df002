"""The only module that opens files with GDAL (through rasterio and pyogrio).

Parsers see only what they are allowed to (SECURITY.md): drivers that can reach other files or
the network (VRT, MRF, WMS, HTTP, ...) are deregistered before GDAL loads, and every open names
the one driver its sniffed format allows, so a VRT disguised as ``.tif`` is refused. Other modules
must import rasterio and pyogrio through here, never directly, so the hardening is always applied.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Set before rasterio/pyogrio load their bundled GDALs: GDAL reads these at driver registration.
_SKIPPED_RASTER_DRIVERS = "VRT MRF WMS WMTS WCS DAAS EEDAI PLMOSAIC NGW OGCAPI STACIT STACTA GDALG"
# OGR_SKIP is comma-separated (GDAL_SKIP takes spaces).
_SKIPPED_VECTOR_DRIVERS = "OGR_VRT,HTTP,CSW,WFS,OAPIF,NGW,Carto,AmigoCloud,Elasticsearch,GDALG"
os.environ["GDAL_SKIP"] = _SKIPPED_RASTER_DRIVERS
os.environ["OGR_SKIP"] = _SKIPPED_VECTOR_DRIVERS
os.environ["GDAL_HTTP_TIMEOUT"] = "1"
os.environ["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = ".sluis-never"
os.environ["GDAL_DISABLE_READDIR_ON_OPEN"] = "EMPTY_DIR"
os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # GeoJSON size is bounded by our own JSON budget

import pyogrio  # noqa: E402
import pyogrio.raw  # noqa: E402
import rasterio  # noqa: E402
from rasterio.errors import RasterioIOError  # noqa: E402

from sluis.ingest.contracts import IngestFailed  # noqa: E402

RASTER_DRIVERS = {"geotiff": "GTiff", "netcdf": "netCDF", "ascii-grid": "AAIGrid"}
VECTOR_DRIVERS = {
    "geojson": "GeoJSON",
    "shp": "ESRI Shapefile",
    "gpkg": "GPKG",
    "flatgeobuf": "FlatGeobuf",
    # LIBKML reads ExtendedData (the attributes); the plain KML driver drops them. KML reaches
    # GDAL only after defusedxml refused any DTD; NetworkLinks and remote styles are not fetched
    # (network access is off, LIBKML_RESOLVE_STYLE is unset).
    "kml": "LIBKML",
    "csv": "CSV",
}


class UnreadableFile(IngestFailed):
    code = "unreadable_file"
    default_detail = "The file could not be read in its format."


def raster_open(path: Path, fmt: str, name: str = "") -> Any:
    """Open a raster with only the driver of its sniffed format ``fmt`` allowed."""
    driver = RASTER_DRIVERS.get(fmt)
    if driver is None:
        raise UnreadableFile(f"{name or path.name}: {fmt!r} is not a raster format.")
    try:
        return rasterio.open(path, driver=driver)
    except RasterioIOError as exc:
        raise UnreadableFile(f"{name or path.name}: not a readable {fmt} file ({exc}).") from exc


def vector_info(path: Path, fmt: str, layer: str | int | None = None, name: str = "") -> dict:
    """Layer metadata (``pyogrio.read_info``) after checking GDAL chose the expected driver."""
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # pyogrio raises several unrelated DataSource/Layer errors
        raise UnreadableFile(f"{name or path.name}: not a readable {fmt} file ({exc}).") from exc
    _check_driver(info.get("driver"), fmt, name or path.name)
    return info


def vector_layers(path: Path) -> list[str]:
    """Names of the layers of a vector dataset (GeoPackage may hold several)."""
    return [str(row[0]) for row in pyogrio.list_layers(path)]


def vector_read(path: Path, fmt: str, **kwargs: Any) -> tuple:
    """``pyogrio.raw.read`` (meta, fids, WKB geometries, field arrays) for a checked dataset."""
    vector_info(path, fmt, layer=kwargs.get("layer"))
    return pyogrio.raw.read(path, **kwargs)


def vector_arrow_batches(
    path: Path, fmt: str, *, layer: str | int | None = None, name: str = "", **kwargs: Any
) -> Iterator[tuple[dict, Any]]:
    """(meta, pyarrow RecordBatch) pairs of one layer, streamed from GDAL after the driver check.

    Streaming keeps a large GeoPackage out of memory. Only GDAL's own failures are turned into
    ``UnreadableFile``; whatever the caller raises while handling a batch passes through as is.
    """
    label = name or path.name
    vector_info(path, fmt, layer=layer, name=label)
    with _read_errors(label, fmt):
        opened = pyogrio.raw.open_arrow(path, layer=layer, use_pyarrow=True, **kwargs)
        meta, reader = opened.__enter__()
    try:
        while True:
            with _read_errors(label, fmt):
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    return
            yield meta, batch
    finally:
        opened.__exit__(None, None, None)


@contextmanager
def _read_errors(name: str, fmt: str) -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # pyogrio raises several unrelated DataSource/Layer/Arrow errors
        raise UnreadableFile(f"{name}: not a readable {fmt} file ({exc}).") from exc


def vector_layer_list(path: Path, fmt: str, name: str = "") -> list[tuple[str, str | None]]:
    """(layer name, geometry type or None for attribute tables) after checking the driver."""
    vector_info(path, fmt, layer=0, name=name)
    layers = pyogrio.list_layers(path)
    return [(str(row[0]), None if row[1] is None else str(row[1])) for row in layers]


def _check_driver(actual: str | None, fmt: str, name: str) -> None:
    expected = VECTOR_DRIVERS.get(fmt)
    if expected is None or actual != expected:
        raise UnreadableFile(f"{name}: opened as {actual!r}, expected {expected!r} for {fmt}.")
