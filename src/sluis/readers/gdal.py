"""The only module that opens files with GDAL (through rasterio and pyogrio).

Parsers see only what they are allowed to: drivers that can reach other files or
the network (VRT, MRF, WMS, HTTP, ...) are deregistered before GDAL loads, and every open names
the one driver its sniffed format allows, so a VRT disguised as ``.tif`` is refused. Other modules
must import rasterio and pyogrio through here, never directly, so the hardening is always applied.
"""

import io
import logging
import math
import os
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Set before rasterio/pyogrio load their bundled GDALs: GDAL reads these at driver registration.
_SKIPPED_RASTER_DRIVERS = "VRT MRF WMS WMTS WCS DAAS EEDAI PLMOSAIC OGCAPI STACIT STACTA"
# OGR_SKIP is comma-separated (GDAL_SKIP takes spaces).
_SKIPPED_VECTOR_DRIVERS = "OGR_VRT,HTTP,CSW,WFS,OAPIF,NGW,Carto,AmigoCloud,Elasticsearch,GDALG"
os.environ["GDAL_SKIP"] = _SKIPPED_RASTER_DRIVERS
os.environ["OGR_SKIP"] = _SKIPPED_VECTOR_DRIVERS
os.environ["GDAL_HTTP_TIMEOUT"] = "1"
os.environ["CPL_VSIL_CURL_ALLOWED_EXTENSIONS"] = ".sluis-never"
os.environ["GDAL_DISABLE_READDIR_ON_OPEN"] = "EMPTY_DIR"
os.environ["OGR_GEOJSON_MAX_OBJ_SIZE"] = "0"  # GeoJSON size is bounded by our own JSON budget
os.environ["GDAL_PAM_ENABLED"] = "NO"  # never read or write .aux.xml sidecars next to our files


class _SkipListNoise(logging.Filter):
    """Drops GDAL's "Unable to find driver X to unload from GDAL_SKIP" warnings.

    rasterio and pyogrio bundle two GDAL builds with different drivers, and both read the one
    skip list above: each warns once per process about the drivers it lacks. A driver that is
    absent cannot be opened either, so the warning says nothing about any upload.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "to unload from GDAL_SKIP" not in record.getMessage()


logging.getLogger("rasterio._env").addFilter(_SkipListNoise())

import numpy as np  # noqa: E402
import pyogrio  # noqa: E402
import pyogrio.raw  # noqa: E402
import rasterio  # noqa: E402
import rasterio.shutil  # noqa: E402
import rasterio.warp  # noqa: E402
from rasterio._err import CPLE_BaseError  # noqa: E402  (GDAL errors raised mid-read)
from rasterio.crs import CRS  # noqa: E402
from rasterio.enums import Resampling  # noqa: E402
from rasterio.errors import CRSError, RasterioError, RasterioIOError  # noqa: E402
from rasterio.transform import Affine  # noqa: E402
from rasterio.transform import from_bounds as transform_from_bounds  # noqa: E402

from sluis.formats.errors import UnreadableFile  # noqa: E402

RASTER_DRIVERS = {
    "geotiff": "GTiff",
    "netcdf": "netCDF",
    "ascii-grid": "AAIGrid",
    "erdas-img": "HFA",  # a single .img; spill files (.ige, above 2 GiB) are not read
}
_NETCDF_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,127}")
VECTOR_DRIVERS = {
    "geojson": "GeoJSON",
    "geojsonseq": "GeoJSONSeq",
    "shp": "ESRI Shapefile",
    "gpkg": "GPKG",
    "flatgeobuf": "FlatGeobuf",
    # LIBKML reads ExtendedData (the attributes); the plain KML driver drops them. KML reaches
    # GDAL only after defusedxml refused any DTD; NetworkLinks and remote styles are not fetched
    # (network access is off, LIBKML_RESOLVE_STYLE is unset).
    "kml": "LIBKML",
    "csv": "CSV",
    "gpx": "GPX",
    "filegdb": "OpenFileGDB",  # GDAL's own reader: no Esri library
}


# re-exported: no other module imports rasterio
__all__ = ["CRS", "Affine", "Resampling", "transform_from_bounds"]


def raster_open(path: Path, fmt: str, name: str = "") -> Any:
    """Open a raster with only the driver of its sniffed format ``fmt`` allowed."""
    driver = RASTER_DRIVERS.get(fmt)
    if driver is None:
        raise UnreadableFile(f"{name or path.name}: {fmt!r} is not a raster format.")
    # A supplier's .aux.xml beside it (extracted from the same zip) may hold the georeferencing
    sidecar = path.with_name(path.name + ".aux.xml").is_file()
    try:
        if not sidecar:
            return rasterio.open(path, driver=driver)
        # the extraction folder is Sluis's own: GDAL may list it to find the sidecar
        with rasterio.Env(GDAL_PAM_ENABLED="YES", GDAL_DISABLE_READDIR_ON_OPEN="NO"):
            return rasterio.open(path, driver=driver)
    except RasterioIOError as exc:
        raise UnreadableFile(f"{name or path.name}: not a readable {fmt} file ({exc}).") from exc


def netcdf_variable_open(path: Path, variable: str, name: str = "") -> Any:
    """Open one variable of a NetCDF file that holds several (a GDAL subdataset)."""
    if not _NETCDF_VARIABLE.fullmatch(variable):
        raise UnreadableFile(f"{name or path.name}: {variable!r} is not a NetCDF variable name.")
    try:
        return rasterio.open(f'NETCDF:"{path}":{variable}', driver="netCDF")
    except RasterioIOError as exc:
        raise UnreadableFile(
            f"{name or path.name}: NetCDF variable {variable!r} cannot be read ({exc})."
        ) from exc


def crs_parse(text: str) -> CRS:
    """A CRS from a ``.prj`` (ESRI or OGC WKT) or a setting (``EPSG:28992``); ValueError if not."""
    try:
        return CRS.from_user_input(text.strip())
    except CRSError as exc:
        raise ValueError(f"not a coordinate reference system ({exc})") from exc


def band_statistics(
    dataset: Any, bands: list[int], cache_mb: int = 256
) -> list[dict[str, float] | None]:
    """Exact min/max/mean per band, computed from the pixels block by block.

    Nodata and non-finite values are excluded; a packed band's values are unpacked (scale and
    offset applied). Statistics embedded in the file (``STATISTICS_*``) are never used: they
    may be stale. ``None`` for a band without a single valid pixel.
    """
    with rasterio.Env(GDAL_CACHEMAX=cache_mb, GDAL_PAM_ENABLED="NO"):
        try:
            return [_band_statistics(dataset, band) for band in bands]
        except (RasterioError, CPLE_BaseError) as exc:
            raise UnreadableFile(f"pixels cannot be read ({exc}).") from exc


def _band_statistics(dataset: Any, band: int) -> dict[str, float] | None:
    nodata = dataset.nodatavals[band - 1]
    low, high, total, count = math.inf, -math.inf, 0.0, 0
    for _, window in dataset.block_windows(band):
        values = dataset.read(band, window=window).astype("float64", copy=False)
        valid = np.isfinite(values)
        if nodata is not None and not math.isnan(nodata):
            valid &= values != nodata
        picked = values[valid]
        if picked.size:
            low, high = min(low, float(picked.min())), max(high, float(picked.max()))
            total += float(picked.sum())
            count += int(picked.size)
    if count == 0:
        return None
    scale, offset = band_scaling(dataset, band)
    ends = sorted((low * scale + offset, high * scale + offset))
    return {"min": ends[0], "max": ends[1], "mean": total / count * scale + offset}


def band_scaling(dataset: Any, band: int) -> tuple[float, float]:
    """The band's packing (scale, offset): physical = stored * scale + offset."""
    scale = dataset.scales[band - 1] if dataset.scales else 1.0
    offset = dataset.offsets[band - 1] if dataset.offsets else 0.0
    return float(scale or 1.0), float(offset or 0.0)


def band_unit(dataset: Any, band: int) -> str:
    """The unit the file names for the band (GeoTIFF unit type, NetCDF ``units``), or ''."""
    units = dataset.units[band - 1] if dataset.units else ""
    return (units or dataset.tags(band).get("units", "") or "")[:50]


def cog_write(
    src: Any,
    dst: Path,
    *,
    options: dict[str, str],
    cache_mb: int,
    bands: list[int] | None = None,
    crs: CRS | None = None,
) -> None:
    """Write ``src`` (all bands, or ``bands``) to ``dst`` as a Cloud Optimized GeoTIFF.

    The whole dataset goes straight through GDAL's COG driver (as ``gdal_translate -of COG``:
    windowed, bounded by ``cache_mb`` of block cache). A subset of bands or a replaced CRS is
    first staged, window by window, into an uncompressed tiled GeoTIFF next to ``dst``, because
    the VRT driver that would describe it without copying is disabled on purpose.
    """
    with rasterio.Env(GDAL_CACHEMAX=cache_mb, GDAL_PAM_ENABLED="NO"):
        try:
            chosen = bands or list(src.indexes)
            packed = any(band_scaling(src, band) != (1.0, 0.0) for band in chosen)
            if bands is None and crs is None and not packed:
                rasterio.shutil.copy(src, dst, driver="COG", **options)
                return
            staged = dst.with_suffix(".staged.tif")
            try:
                _stage(src, staged, chosen, crs, unpack=packed)
                with rasterio.open(staged, driver="GTiff") as staged_src:
                    rasterio.shutil.copy(staged_src, dst, driver="COG", **options)
            finally:
                staged.unlink(missing_ok=True)
        except (RasterioError, CPLE_BaseError) as exc:
            raise UnreadableFile(f"pixels cannot be read ({exc}).") from exc


def _stage(src: Any, dst: Path, bands: list[int], crs: CRS | None, *, unpack: bool) -> None:
    """Copy ``bands`` window by window; ``unpack``: as float32 physical values, nodata NaN."""
    first = bands[0] - 1
    profile = {
        "driver": "GTiff",
        "width": src.width,
        "height": src.height,
        "count": len(bands),
        "dtype": "float32" if unpack else src.dtypes[first],
        "crs": crs or src.crs,
        "transform": src.transform,
        "nodata": math.nan if unpack else src.nodatavals[first],
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "BIGTIFF": "IF_SAFER",
    }
    with rasterio.open(dst, "w", **profile) as out:
        for _, window in out.block_windows(1):
            block = src.read(bands, window=window)
            out.write(_unpacked(src, bands, block) if unpack else block, window=window)


def _unpacked(src: Any, bands: list[int], block: np.ndarray) -> np.ndarray:
    out = block.astype("float32")
    for i, band in enumerate(bands):
        nodata = src.nodatavals[band - 1]
        scale, offset = band_scaling(src, band)
        invalid = ~np.isfinite(out[i])
        if nodata is not None and not math.isnan(nodata):
            invalid |= block[i] == nodata
        out[i] = out[i] * scale + offset
        out[i][invalid] = np.nan
    return out


def bounds_wgs84(crs: CRS, bounds: tuple[float, ...]) -> tuple[float, float, float, float] | None:
    """``bounds`` (left, bottom, right, top in ``crs``) as west, south, east, north degrees.

    ``None`` when they have no finite WGS84 envelope (a geostationary view reaching past the
    Earth's disc, for instance): such a frame is never found by a bounding-box search."""
    try:
        box = rasterio.warp.transform_bounds(crs, "EPSG:4326", *bounds, densify_pts=21)
    except (RasterioError, CPLE_BaseError, ValueError):
        return None
    west, south, east, north = (float(value) for value in box)
    if not all(math.isfinite(value) for value in (west, south, east, north)):
        return None
    return west, south, east, north


def bounds_transform(src_crs: Any, dst_crs: Any, bounds: tuple[float, ...]) -> tuple[float, ...]:
    """``bounds`` (left, bottom, right, top) from one CRS into another, edges densified.

    ValueError when they cannot be transformed (outside the area of use: no finite result)."""
    try:
        out = tuple(rasterio.warp.transform_bounds(src_crs, dst_crs, *bounds, densify_pts=21))
    except (RasterioError, CPLE_BaseError, CRSError) as exc:
        raise ValueError(f"bounds cannot be transformed ({exc})") from exc
    if not all(map(math.isfinite, out)):
        raise ValueError("bounds cannot be transformed (not finite)")
    return out


def array_reproject(source: Any, destination: Any, **kwargs: Any) -> None:
    """``rasterio.warp.reproject`` between in-memory arrays (no file is opened)."""
    rasterio.warp.reproject(source=source, destination=destination, **kwargs)


def stored_raster_open(storage: Any, key: str) -> Any:
    """Open a stored COG (GTiff driver only): by path on local storage, else through a
    Python opener so that GDAL reads only the byte ranges it needs."""
    try:
        local = storage.path(key)
    except NotImplementedError:
        return rasterio.open(key, driver="GTiff", opener=storage.open)
    return rasterio.open(local, driver="GTiff")


# Formats GDAL would open with another driver unless told: newline-delimited GeoJSON is also
# valid input to the GeoJSON driver, which then reads its first feature only.
_DRIVER_PREFIX = {"geojsonseq": "GeoJSONSeq:"}


def _source(path: Path, fmt: str) -> str | Path:
    prefix = _DRIVER_PREFIX.get(fmt)
    return f"{prefix}{path}" if prefix else path


def vector_info(path: Path, fmt: str, layer: str | int | None = None, name: str = "") -> dict:
    """Layer metadata (``pyogrio.read_info``) after checking GDAL chose the expected driver."""
    try:
        info = pyogrio.read_info(_source(path, fmt), layer=layer)
    except Exception as exc:  # pyogrio raises several unrelated DataSource/Layer errors
        raise UnreadableFile(f"{name or path.name}: not a readable {fmt} file ({exc}).") from exc
    _check_driver(info.get("driver"), fmt, name or path.name)
    return info


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
        opened = pyogrio.raw.open_arrow(_source(path, fmt), layer=layer, use_pyarrow=True, **kwargs)
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
    layers = pyogrio.list_layers(_source(path, fmt))
    return [(str(row[0]), None if row[1] is None else str(row[1])) for row in layers]


def _check_driver(actual: str | None, fmt: str, name: str) -> None:
    expected = VECTOR_DRIVERS.get(fmt)
    if expected is None or actual != expected:
        raise UnreadableFile(f"{name}: opened as {actual!r}, expected {expected!r} for {fmt}.")


def wkb_linearise(wkb: list[bytes]) -> list[bytes]:
    """Curved WKB geometries as linear WKB, by GDAL's own linear approximation.

    They go through GDAL's GeoJSON writer in memory: a format without curves makes OGR convert
    each one (``OGRGeometryFactory::forceTo``, as ``ogr2ogr -nlt CONVERT_TO_LINEAR`` does).
    """
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CRS on the scratch layer: it is never kept
        pyogrio.raw.write(
            buffer,
            geometry=np.asarray(wkb, dtype=object),
            field_data=[],
            fields=[],
            geometry_type="Unknown",
            driver="GeoJSON",
            layer_options={"RFC7946": "NO", "SIGNIFICANT_FIGURES": "17", "WRITE_BBOX": "NO"},
        )
        geometries = pyogrio.raw.read(io.BytesIO(buffer.getvalue()))[2]
    return list(geometries)


def wkt_linear(texts: list[str], work_dir: Path) -> list[bytes | None]:
    """WKT (curved ones included) as linear WKB read by GDAL's CSV driver; None if unreadable."""
    scratch = work_dir / "sluis-wkt-scratch.csv"
    lines = ["WKT,n"] + ['"' + text.replace('"', '""') + f'",{n}' for n, text in enumerate(texts)]
    scratch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL warns about each unreadable WKT
            geometries = pyogrio.raw.read(
                scratch, GEOM_POSSIBLE_NAMES="WKT", KEEP_GEOM_COLUMNS="NO"
            )[2]
    finally:
        scratch.unlink(missing_ok=True)
    return list(geometries)
