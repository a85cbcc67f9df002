"""Raster reader: GeoTIFF (incl. COG, multi-band), NetCDF with a time dimension, ASCII grid.

No Django here. Reading is two steps, so a bad upload costs no pixel reads:

1. ``frames_plan`` opens a member's header only: checks the budgets (size, bands, block size,
   frames), finds the CRS and every frame's timestamp, and returns one ``FramePlan`` per frame
   (a GeoTIFF or ASCII grid is one frame with all its bands; each NetCDF time step is a frame).
   Anything wrong raises ``RasterProblem`` with a sentence naming the file.
2. ``frame_write`` streams one planned frame into a local Cloud Optimized GeoTIFF (windowed,
   bounded memory) and returns its metadata and statistics.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from sluis.formats.errors import UnreadableFile
from sluis.formats.records import Member
from sluis.readers import gdal, timestamps
from sluis.readers.raster.classic import HeaderDamaged, classic_expected_size
from sluis.readers.timestamps import FilenamePattern, TimestampError

PRJ_MAX_BYTES = 64 * 1024


class RasterProblem(ValueError):
    """A member (or one of its frames) cannot be stored; the message names the file and why."""


@dataclass(frozen=True)
class RasterBudgets:
    """Limits checked on the header, before a single pixel is read."""

    max_width: int
    max_height: int
    max_bands: int
    max_pixels: int  # width x height x bands of one frame
    max_frames: int  # frames in one upload
    max_block_bytes: int  # one internal block (tile/strip/chunk) of one band, decompressed


@dataclass(frozen=True)
class RasterOptions:
    """The data source's ingest settings that concern rasters."""

    filename_pattern: FilenamePattern | None
    timezone: ZoneInfo
    variable: str | None
    source_crs: Any | None  # gdal.CRS
    frame_time: datetime | None = None  # the time of a frame that carries none (last rule)

    @classmethod
    def from_settings(
        cls, ingest_settings: dict[str, Any], received_at: datetime | None = None
    ) -> RasterOptions:
        """Raises RasterProblem for a pattern, time zone, CRS or frame time that cannot be used.

        ``frame_time`` is ``"received"`` (the upload's receipt time, ``received_at``) or an
        ISO 8601 time (naive: in ``timezone``)."""
        zone = _zone(ingest_settings.get("timezone") or "UTC")
        return cls(
            _pattern(ingest_settings.get("filename_pattern")),
            zone,
            ingest_settings.get("variable"),
            _source_crs(ingest_settings.get("source_crs")),
            _frame_time(ingest_settings.get("frame_time"), zone, received_at),
        )


def _frame_time(value: str | None, zone: ZoneInfo, received_at: datetime | None) -> datetime | None:
    if not value:
        return None
    if value == "received":
        return received_at
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise RasterProblem(
            f"frame_time {value!r} is neither 'received' nor an ISO 8601 time."
        ) from exc
    return timestamps.as_utc(parsed, zone)


def _pattern(pattern: str | None) -> FilenamePattern | None:
    try:
        return FilenamePattern(pattern) if pattern else None
    except TimestampError as exc:
        raise RasterProblem(str(exc)) from exc


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RasterProblem(f"timezone {name!r} is not a known IANA time zone.") from exc


def _source_crs(text: str | None) -> Any | None:
    if not text:
        return None
    try:
        return gdal.crs_parse(text)
    except ValueError as exc:
        raise RasterProblem(f"source_crs {text!r}: {exc}.") from exc


@dataclass(frozen=True)
class FramePlan:
    """One frame to store: which member, which bands, when, and in which CRS."""

    member: Member
    label: str  # "evap.nc, time step 2 of 3": used in messages
    timestamp: datetime
    bands: list[int] | None  # None: every band of the member (GeoTIFF, ASCII grid)
    crs: Any | None  # replaces the file's CRS (source_crs setting or .prj); None: keep it
    variable: str | None


@dataclass
class FrameResult:
    """A frame written to a local COG, with the metadata the database keeps."""

    plan: FramePlan
    path: Path
    crs_wkt: str
    crs_name: str
    bounds: tuple[float, float, float, float]
    bounds_wgs84: tuple[float, float, float, float] | None  # None: no finite WGS84 envelope
    width: int
    height: int
    bands: int
    dtype: str
    nodata: float | None
    band_stats: list[dict[str, float] | None]
    size: int = 0  # bytes of the written COG
    scale: float = 1.0  # the file's packing: physical = stored * scale + offset (already applied)
    offset: float = 0.0
    unit: str = ""


def frames_plan(
    member: Member, *, options: RasterOptions, budgets: RasterBudgets, prj: Path | None = None
) -> list[FramePlan]:
    """Every frame of ``member``, from its header only (see module docstring)."""
    if member.format == "netcdf":
        _check_complete(member)
    with _open(member, options.variable) as src:
        _check_budgets(src, member, budgets)
        crs_override = _crs_override(src, member, options, prj)
        times = _frame_times(src, member, options)
    variable = options.variable if member.format == "netcdf" else None
    if len(times) == 1:
        return [FramePlan(member, member.name, times[0], None, crs_override, variable)]
    return [
        FramePlan(
            member, f"{member.name}, time step {i} of {len(times)}", t, [i], crs_override, variable
        )
        for i, t in enumerate(times, start=1)
    ]


def _check_complete(member: Member) -> None:
    """A classic NetCDF shorter than its header promises is truncated: its missing data would
    be read as zeros (``sluis.readers.raster.classic``)."""
    try:
        expected = classic_expected_size(member.path)
    except HeaderDamaged as exc:
        raise RasterProblem(f"{member.name}: its NetCDF header is damaged.") from exc
    actual = member.path.stat().st_size
    if expected is not None and actual < expected:
        raise RasterProblem(
            f"{member.name}: is truncated: its header describes {expected} bytes, the file holds "
            f"{actual}; nothing of it was stored."
        )


def _crs_override(src: Any, member: Member, options: RasterOptions, prj: Path | None) -> Any:
    """The CRS replacing the file's (setting, .prj, CF lon/lat); None to keep the file's own."""
    if src.transform.is_identity:
        raise RasterProblem(f"{member.name}: is not georeferenced (no geotransform).")
    override = options.source_crs or _prj_crs(prj, member)
    if override is None and src.crs is None and _cf_lon_lat(src, member):
        override = gdal.crs_parse("EPSG:4326")
    if override is None and src.crs is None:
        hint = (
            "add a .prj file with the same name beside it or set source_crs."
            if member.format == "ascii-grid"
            else "set the data source's source_crs setting."
        )
        raise RasterProblem(f"{member.name}: has no coordinate reference system; {hint}")
    return override


@contextmanager
def _open(member: Member, variable: str | None) -> Iterator[Any]:
    try:
        if member.format == "netcdf" and variable:
            src = gdal.netcdf_variable_open(member.path, variable, member.name)
        else:
            src = gdal.raster_open(member.path, member.format, member.name)
    except UnreadableFile as exc:
        raise RasterProblem(str(exc.detail)) from exc
    with src:
        if member.format == "netcdf" and src.count == 0:
            _no_single_variable(src, member)
        yield src


def _no_single_variable(src: Any, member: Member) -> None:
    names = ", ".join(_subdataset_variable(s) for s in src.subdatasets)
    if not names:
        raise RasterProblem(f"{member.name}: holds no gridded variable (x, y and at most time).")
    raise RasterProblem(
        f"{member.name}: holds several variables ({names}); "
        "set the data source's 'variable' setting to the one to store."
    )


def _cf_lon_lat(src: Any, member: Member) -> bool:
    """A NetCDF grid on CF longitude/latitude coordinates without a grid_mapping: WGS84."""
    if member.format != "netcdf":
        return False
    values = {value.lower() for key, value in src.tags().items() if "#" in key}
    return bool(values & {"longitude", "degrees_east", "degree_east", "degrees_e"})


def _subdataset_variable(subdataset: str) -> str:
    return subdataset.rsplit(":", 1)[-1]


def _prj_crs(prj: Path | None, member: Member) -> Any | None:
    if prj is None:
        return None
    text = prj.read_bytes()[:PRJ_MAX_BYTES].decode("utf-8", errors="replace")
    try:
        return gdal.crs_parse(text)
    except ValueError as exc:
        raise RasterProblem(f"{member.name}: its .prj file is not readable: {exc}.") from exc


def _check_budgets(src: Any, member: Member, budgets: RasterBudgets) -> None:
    width, height, count = src.width, src.height, src.count
    per_frame = 1 if member.format == "netcdf" and _time_dimension(src, member) else count
    checks = [
        (width > budgets.max_width, f"width {width} exceeds {budgets.max_width} pixels"),
        (height > budgets.max_height, f"height {height} exceeds {budgets.max_height} pixels"),
        (per_frame > budgets.max_bands, f"{per_frame} bands exceed {budgets.max_bands}"),
        (
            width * height * per_frame > budgets.max_pixels,
            f"{width} x {height} x {per_frame} values exceed {budgets.max_pixels}",
        ),
        (count // per_frame > budgets.max_frames, f"{count} frames exceed {budgets.max_frames}"),
    ]
    for failed, why in checks:
        if failed:
            raise RasterProblem(f"{member.name}: {why} (raster budget); nothing was read.")
    if "complex" in src.dtypes[0]:
        raise RasterProblem(f"{member.name}: complex ({src.dtypes[0]}) values are not supported.")
    block_rows, block_cols = src.block_shapes[0]
    block_bytes = block_rows * block_cols * np.dtype(src.dtypes[0]).itemsize
    if block_bytes > budgets.max_block_bytes:
        raise RasterProblem(
            f"{member.name}: internal blocks of {block_cols} x {block_rows} pixels "
            f"({block_bytes} bytes) exceed {budgets.max_block_bytes} bytes (raster budget)."
        )


def _time_dimension(src: Any, member: Member) -> str | None:
    """The one extra (time) dimension of a NetCDF variable, if it has one."""
    extra = src.tags().get("NETCDF_DIM_EXTRA", "").strip("{} ")
    names = [name.strip() for name in extra.split(",") if name.strip()]
    if len(names) > 1:
        raise RasterProblem(
            f"{member.name}: has dimensions {', '.join(names)} besides x and y; "
            "only one extra dimension (time) is supported."
        )
    return names[0] if names else None


def _frame_times(src: Any, member: Member, options: RasterOptions) -> list[datetime]:
    dimension = _time_dimension(src, member) if member.format == "netcdf" else None
    if dimension and src.count > 1:
        return _cf_times(src, member, dimension)  # a name can date one frame, not many
    tried: list[str] = []
    try:
        found = _single_time(src, member, options, dimension, tried)
    except TimestampError as exc:
        raise RasterProblem(f"{member.name}: {exc}") from exc
    if found is None:
        raise RasterProblem(f"{member.name}: no timestamp found; tried " + "; ".join(tried) + ".")
    return [found]


def _single_time(
    src: Any, member: Member, options: RasterOptions, dimension: str | None, tried: list[str]
) -> datetime | None:
    """First that applies: filename pattern, TIFF DateTime, NetCDF time, a date in the name."""
    if options.filename_pattern is not None:
        if found := options.filename_pattern.match(member.name, options.timezone):
            return found
        tried.append(f"filename_pattern {options.filename_pattern.pattern!r} (no match)")
    if member.format == "geotiff":
        tag = src.tags().get("TIFFTAG_DATETIME")
        if found := timestamps.from_tiff_datetime(tag, options.timezone):
            return found
        tried.append("the TIFF DateTime tag " + (f"({tag!r} unreadable)" if tag else "(absent)"))
    if member.format == "netcdf":
        if dimension:
            return _cf_times(src, member, dimension)[0]
        tried.append("the NetCDF time coordinate (the variable has no time dimension)")
    if options.filename_pattern is None:
        if found := timestamps.from_name(member.name, options.timezone):
            return found
        tried.append("a date in the file name such as 2020-01-01, 20200101 or 2020-01-01T0600")
    if options.frame_time is not None:
        return options.frame_time
    tried.append("the data source's frame_time setting (absent)")
    return None


def _cf_times(src: Any, member: Member, dimension: str) -> list[datetime]:
    tags = src.tags()
    units = tags.get(f"{dimension}#units", "")
    try:
        values = [float(src.tags(band)[f"NETCDF_DIM_{dimension}"]) for band in src.indexes]
        return timestamps.from_cf(values, units, tags.get(f"{dimension}#calendar"))
    except TimestampError as exc:
        raise RasterProblem(f"{member.name}: the {dimension!r} coordinate: {exc}") from exc
    except (KeyError, ValueError) as exc:
        raise RasterProblem(
            f"{member.name}: the {dimension!r} coordinate is not a CF time (a value or its "
            "units cannot be read)."
        ) from exc


def frame_write(
    plan: FramePlan, dst: Path, *, cog_options: dict[str, str], cache_mb: int
) -> FrameResult:
    """Write one planned frame to ``dst`` as a COG; statistics come from the source pixels.

    The statistics pass runs in a second thread on its own dataset handle while GDAL encodes the
    COG (both release the GIL), so it costs little wall time; both share GDAL's bounded cache.
    Only GeoTIFFs overlap: NetCDF's libraries are not thread-safe, so there it runs first.
    """
    with _open(plan.member, plan.variable) as src, ThreadPoolExecutor(max_workers=1) as pool:
        bands = plan.bands or list(src.indexes)
        stats = pool.submit(_statistics, plan, bands, cache_mb)
        if plan.member.format != "geotiff":  # libnetcdf/HDF5 are not thread-safe: one at a time
            stats.result()
        gdal.cog_write(
            src, dst, options=cog_options, cache_mb=cache_mb, bands=plan.bands, crs=plan.crs
        )
        crs = plan.crs or src.crs
        bounds = tuple(src.bounds)
        scale, offset = gdal.band_scaling(src, bands[0])
        packed = (scale, offset) != (1.0, 0.0)
        nodata = math.nan if packed else src.nodatavals[bands[0] - 1]
        return FrameResult(
            plan=plan,
            path=dst,
            crs_wkt=crs.to_wkt(),
            crs_name=_crs_name(crs),
            bounds=bounds,
            bounds_wgs84=gdal.bounds_wgs84(crs, bounds),
            scale=scale,
            offset=offset,
            unit=gdal.band_unit(src, bands[0]),
            width=src.width,
            height=src.height,
            bands=len(bands),
            dtype="float32" if packed else src.dtypes[bands[0] - 1],
            nodata=None if nodata is None else float(nodata),
            band_stats=[_finite(band) for band in stats.result()],
            size=dst.stat().st_size,
        )


def _finite(stats: dict[str, float] | None) -> dict[str, float] | None:
    """A band's statistics only when every one is finite: an infinite pixel must not make them
    Infinity, which JSON (and the database's JSON check) refuses."""
    if stats is None or not all(math.isfinite(value) for value in stats.values()):
        return None
    return stats


def _statistics(plan: FramePlan, bands: list[int], cache_mb: int) -> list:
    with _open(plan.member, plan.variable) as src:
        return gdal.band_statistics(src, bands, cache_mb)


def _crs_name(crs: Any) -> str:
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else crs.to_string()[:200]


def overall_stats(band_stats: list[dict[str, float] | None]) -> dict[str, float | None]:
    """Min, max and mean over all bands (the mean of band means: bands share a pixel grid)."""
    valid = [stats for stats in band_stats if stats is not None]
    if not valid:
        return {"min": None, "max": None, "mean": None}
    mean = sum(s["mean"] for s in valid) / len(valid)
    return {
        "min": min(s["min"] for s in valid),
        "max": max(s["max"] for s in valid),
        "mean": mean if math.isfinite(mean) else None,
    }
