"""Export and import of a raster (frames and their COGs) data source
(``sluis source export|import``).

The export writes the stored data in open formats (docs/formats/export.md), reading rows in
bounded batches and streaming objects; the import checks everything in the archive before it
writes anything, then writes in one transaction. Declared in this kind's ``Kind``.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction

from sluis.catalog.models import DataSource
from sluis.catalog.services import CreatedSource
from sluis.datastore.rasters.models import RasterFrame
from sluis.formats.errors import UnreadableFile
from sluis.readers.gdal import raster_open
from sluis.transfer.archive import ArchiveReader, ArchiveWriter
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.transfer.exporters import iso, json_line, object_copy
from sluis.transfer.import_objects import extract, store, work_folder
from sluis.transfer.records import Create, Fields, counts_check, invalid, records


def rasters_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``frames.jsonl`` (every frame's metadata), then each stored COG as it is."""
    frames = list(RasterFrame.objects.filter(data_source=data_source).order_by("id"))
    with writer.member("rasters/frames.jsonl") as out:
        for number, frame in enumerate(frames, start=1):
            out.write_text(json_line(_frame_record(frame, number)))
    for number, frame in enumerate(frames, start=1):
        object_copy(writer, frame.storage_key, _cog_path(number), frame.size, compress=False)
    return {"frames": len(frames)}


def _cog_path(number: int) -> str:
    return f"rasters/cogs/{number:06d}.tif"


def _frame_record(frame: RasterFrame, number: int) -> dict[str, Any]:
    return {
        "file": _cog_path(number),
        "parameter": frame.parameter,
        "timestamp": iso(frame.timestamp),
        "source_name": frame.source_name,
        "size": frame.size,
        "crs": frame.crs,
        "crs_wkt": frame.crs_wkt,
        "bounds": [frame.x_min, frame.y_min, frame.x_max, frame.y_max],
        "bounds_wgs84": (
            None if frame.west is None else [frame.west, frame.south, frame.east, frame.north]
        ),
        "width": frame.width,
        "height": frame.height,
        "bands": frame.bands,
        "dtype": frame.dtype,
        "nodata": frame.nodata,
        "min": frame.min,
        "max": frame.max,
        "mean": frame.mean,
        "band_stats": frame.band_stats,
        "created": iso(frame.created),
        "updated": iso(frame.updated),
    }


def rasters_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Every COG extracted and checked against its record, then stored with its row."""
    path = "rasters/frames.jsonl"
    frames = records(archive, path, _frame)
    if len({(f.parameter, f.timestamp) for f, _ in frames}) != len(frames):
        raise ImportArchiveInvalid(f"{path} lists a parameter and timestamp twice.")
    with work_folder() as work:
        local = []
        for number, (frame, member_path) in enumerate(frames):
            target = work / f"{number:06d}.tif"
            extract(archive, member_path, target)
            _cog_check(target, frame, member_path)
            local.append(target)
        archive.check_complete()
        counts = counts_check(archive, {"frames": len(frames)})
        with transaction.atomic():
            created = create()
            source = created.data_source
            for (frame, _), target in zip(frames, local, strict=True):
                frame.data_source = source
                key = f"rasters/{source.pk}/{uuid.uuid4().hex}.tif"
                frame.storage_key = store(target, key, saved)
            RasterFrame.objects.bulk_create([f for f, _ in frames], batch_size=500)
    return created, counts


def _frame(fields: Fields) -> tuple[RasterFrame, str]:
    frame = RasterFrame(
        parameter=fields.text("parameter", 200),
        timestamp=fields.time("timestamp"),
        source_name=fields.get("source_name", str)[:500],
        size=fields.get("size", int),
        crs=fields.text("crs", 200),
        crs_wkt=fields.get("crs_wkt", str),
        width=fields.get("width", int),
        height=fields.get("height", int),
        bands=fields.get("bands", int),
        dtype=fields.text("dtype", 16),
        nodata=fields.text("nodata", 40, optional=True) or "",
        min=fields.number("min", optional=True),
        max=fields.number("max", optional=True),
        mean=fields.number("mean", optional=True),
        band_stats=fields.get("band_stats", list),
    )
    frame.x_min, frame.y_min, frame.x_max, frame.y_max = _floats(fields, "bounds")
    if fields.get("bounds_wgs84", list, optional=True) is None:  # no finite WGS84 envelope
        frame.west = frame.south = frame.east = frame.north = None
    else:
        frame.west, frame.south, frame.east, frame.north = _floats(fields, "bounds_wgs84")
    return frame, fields.get("file", str)


def _floats(fields: Fields, name: str) -> list[float]:
    values = fields.get(name, list)
    if len(values) != 4 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise fields.problem(f"{name} is not four finite numbers")
    return [float(v) for v in values]


def _cog_check(path: Path, frame: RasterFrame, member_path: str) -> None:
    """The member is a GeoTIFF (GTiff driver only) of the shape its record claims."""
    try:
        with raster_open(path, "geotiff", member_path) as dataset:
            actual = (dataset.width, dataset.height, dataset.count, dataset.dtypes[0])
    except UnreadableFile as exc:
        raise invalid(member_path, None, f"not a readable GeoTIFF ({exc.detail})") from exc
    claimed = (frame.width, frame.height, frame.bands, frame.dtype)
    if actual != claimed:
        raise invalid(member_path, None, f"is {actual}, its record says {claimed}")
