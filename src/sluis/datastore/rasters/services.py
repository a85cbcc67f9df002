"""Storing raster frames and reading them back (values at a point, PNG previews).

Writing: the frames' COGs are saved to the object storage first, under generated keys; then one
short transaction inserts new rows and repoints existing ones (same data source, parameter and
timestamp). The replaced objects are deleted only after the commit; if anything fails, the
objects saved by this call are deleted and the rows are untouched.
"""

from __future__ import annotations

import io
import math
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.core.files import File
from django.db import transaction
from PIL import Image
from pyproj import CRS as ProjCRS
from pyproj import Transformer

from sluis.catalog.models import DataSource
from sluis.datastore.rasters.models import RasterFrame
from sluis.formats.records import Counts
from sluis.readers.gdal import Resampling, stored_raster_open
from sluis.readers.raster.frames import FrameResult, overall_stats
from sluis.uploads.storage import object_storage

COG_CONTENT_TYPE = "image/tiff; application=geotiff; profile=cloud-optimized"
# viridis, 9 anchors from dark (low) to yellow (high); linear in between
_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 141],
        [39, 173, 129],
        [92, 200, 99],
        [170, 220, 50],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


class _MovableFile(File):
    """A local file that FileSystemStorage may move into place instead of copying."""

    def __init__(self, path: Path):
        super().__init__(path.open("rb"), name=str(path))
        self.path = str(path)

    def temporary_file_path(self) -> str:
        return self.path


def raster_frames_store(
    *, data_source: DataSource, parameter: str, frames: list[FrameResult], upload_id: int | None
) -> Counts:
    """Store ``frames`` (local COGs) for ``data_source``: insert new keys, overwrite existing."""
    storage = object_storage()
    saved: list[str] = []
    try:
        for frame in frames:
            saved.append(_object_save(storage, data_source, frame.path))
        with transaction.atomic():
            counts, replaced = _rows_upsert(data_source, parameter, frames, saved, upload_id)
            transaction.on_commit(lambda: _objects_delete(replaced))
    except BaseException:
        _objects_delete(saved)
        raise
    return counts


def _object_save(storage: Any, data_source: DataSource, path: Path) -> str:
    key = f"rasters/{data_source.pk}/{uuid.uuid4().hex}.tif"
    with _MovableFile(path) as content:
        return storage.save(key, content)


def _objects_delete(keys: list[str]) -> None:
    storage = object_storage()
    for key in keys:
        storage.delete(key)


def _rows_upsert(
    data_source: DataSource,
    parameter: str,
    frames: list[FrameResult],
    keys: list[str],
    upload_id: int | None,
) -> tuple[Counts, list[str]]:
    existing = {
        row.timestamp: row
        for row in RasterFrame.objects.select_for_update().filter(
            data_source=data_source,
            parameter=parameter,
            timestamp__in=[f.plan.timestamp for f in frames],
        )
    }
    new, updated, replaced = [], [], []
    for frame, key in zip(frames, keys, strict=True):
        row = existing.get(frame.plan.timestamp)
        if row is None:
            row = RasterFrame(data_source=data_source, parameter=parameter)
            new.append(row)
        else:
            replaced.append(row.storage_key)
            updated.append(row)
        _row_fill(row, frame, key, upload_id)
        row.size = frame.size
    RasterFrame.objects.bulk_create(new)
    for row in updated:
        row.save()
    return Counts(inserted=len(new), updated=len(updated)), replaced


def _row_fill(row: RasterFrame, frame: FrameResult, key: str, upload_id: int | None) -> None:
    stats = overall_stats(frame.band_stats)
    row.timestamp = frame.plan.timestamp
    row.storage_key = key
    row.source_name = frame.plan.label[:500]
    row.upload_id = upload_id
    row.crs, row.crs_wkt = frame.crs_name, frame.crs_wkt
    row.x_min, row.y_min, row.x_max, row.y_max = frame.bounds
    row.west, row.south, row.east, row.north = frame.bounds_wgs84 or (None, None, None, None)
    row.scale, row.offset, row.unit = frame.scale, frame.offset, frame.unit
    row.width, row.height, row.bands = frame.width, frame.height, frame.bands
    row.dtype = frame.dtype
    row.nodata = "" if frame.nodata is None else repr(frame.nodata)
    row.min, row.max, row.mean = stats["min"], stats["max"], stats["mean"]
    row.band_stats = frame.band_stats


# --- Read-back --------------------------------------------------------------------------------


@dataclass
class PointValue:
    """Pixel values of every band at one point; ``values`` is None outside the raster."""

    x: float
    y: float
    row: int | None
    col: int | None
    values: list[float | int | None] | None


@lru_cache(maxsize=64)
def _from_wgs84(crs_wkt: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", ProjCRS.from_wkt(crs_wkt), always_xy=True)


def raster_value_at(*, frame: RasterFrame, lon: float, lat: float) -> PointValue:
    """The values at a WGS84 point, reprojected into the frame's CRS; nodata and NaN are None."""
    x, y = _from_wgs84(frame.crs_wkt).transform(lon, lat)
    if not (math.isfinite(x) and math.isfinite(y)):
        return PointValue(x=x, y=y, row=None, col=None, values=None)
    with stored_raster_open(object_storage(), frame.storage_key) as dataset:
        row, col = dataset.index(x, y)
        if not (0 <= row < dataset.height and 0 <= col < dataset.width):
            return PointValue(x=x, y=y, row=None, col=None, values=None)
        pixel = dataset.read(window=((row, row + 1), (col, col + 1)), masked=True)
    return PointValue(x=x, y=y, row=row, col=col, values=[_plain(v) for v in pixel[:, 0, 0]])


def _plain(value: Any) -> float | int | None:
    if value is np.ma.masked:
        return None
    item = value.item()
    return None if isinstance(item, float) and not math.isfinite(item) else item


def raster_preview_png(*, frame: RasterFrame, width: int, band: int, max_size: int) -> bytes:
    """A viridis PNG of one band, ``width`` pixels wide (aspect kept, both sides <= max_size),
    read from the COG's overviews; nodata and NaN are transparent."""
    out_width, out_height = _preview_size(frame.width, frame.height, width, max_size)
    with stored_raster_open(object_storage(), frame.storage_key) as dataset:
        data = dataset.read(
            band, out_shape=(out_height, out_width), resampling=Resampling.nearest, masked=True
        )
    values = np.ma.masked_invalid(data.astype("float64"))
    low, high = value_range(frame, band, values)
    return viridis_png(values, low, high)


def viridis_png(values: np.ma.MaskedArray, low: float, high: float) -> bytes:
    """A 2-D masked array as a viridis RGBA PNG from ``low`` to ``high``; masked is transparent."""
    scaled = np.clip((values.filled(low) - low) / ((high - low) or 1.0), 0.0, 1.0)
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    positions = scaled * (len(_VIRIDIS) - 1)
    for channel in range(3):
        rgba[..., channel] = np.interp(positions, np.arange(len(_VIRIDIS)), _VIRIDIS[:, channel])
    rgba[..., 3] = np.where(np.ma.getmaskarray(values), 0, 255)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def _preview_size(width: int, height: int, wanted: int, max_size: int) -> tuple[int, int]:
    out_width = min(wanted, max_size)
    out_height = max(1, round(out_width * height / width))
    if out_height > max_size:
        out_height = max_size
        out_width = max(1, round(out_height * width / height))
    return out_width, out_height


def value_range(frame: RasterFrame, band: int, values: np.ma.MaskedArray) -> tuple[float, float]:
    """The colour scale of a band: its stored min/max, else those of ``values``."""
    stats = frame.band_stats[band - 1] if band <= len(frame.band_stats) else None
    if stats is not None:
        return float(stats["min"]), float(stats["max"])
    if values.count() == 0:
        return 0.0, 1.0
    return float(values.min()), float(values.max())
