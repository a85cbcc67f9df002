"""Writing one data source's stored data into an export, kind by kind, in open formats.

Rows are read in bounded batches (keyset pages, ``COPY … TO STDOUT`` on PostgreSQL, ``fetchmany``
on SQLite) and objects are streamed from storage in 1 MiB chunks, so memory does not grow with
the data source. Each function returns the counts recorded in the manifest.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from django.db import connection

from sluis.catalog.models import DataSource
from sluis.datastore.files.models import StoredFile
from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.timeseries.models import Series
from sluis.datastore.timeseries.selectors import number_text
from sluis.datastore.vector.models import Feature, VectorVersion, VersionState
from sluis.transfer.archive import ArchiveWriter, HashingWriter
from sluis.transfer.errors import ExportObjectMissing
from sluis.uploads.storage import object_storage

PAGE = 5_000
_CHUNK = 1024 * 1024
EVENTS_HEADER = "timestamp,value,flag\n"
# formats whose bytes are compressed already: stored in the ZIP as they are
_PACKED = {"jpeg", "png", "webp", "gif", "tiff", "geotiff", "pdf", "docx", "xlsx", "pptx"}
_PACKED |= {"odt", "ods", "mp4", "mov", "avi", "mkv", "webm"}


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with ``Z``; fractions of seconds only when present."""
    if value is None:
        return None
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


# --- timeseries -------------------------------------------------------------------------------


def timeseries_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``series.jsonl`` (one record per series), then one ``timestamp,value,flag`` CSV each."""
    series = list(Series.objects.filter(data_source=data_source).order_by("id"))
    events = 0
    with writer.member("timeseries/series.jsonl") as out:
        for number, item in enumerate(series, start=1):
            out.write_text(_json_line(_series_record(item, number)))
            events += item.event_count
    for number, item in enumerate(series, start=1):
        with writer.member(_events_path(number)) as out:
            out.write_text(EVENTS_HEADER)
            _events_write(item.pk, out)
    return {"series": len(series), "events": events}


def _events_path(number: int) -> str:
    return f"timeseries/events/{number:06d}.csv"


def _series_record(series: Series, number: int) -> dict[str, Any]:
    return {
        "events_file": _events_path(number),
        "location": series.location,
        "parameter": series.parameter,
        "unit": series.unit,
        "event_count": series.event_count,
        "first_timestamp": iso(series.first_timestamp),
        "last_timestamp": iso(series.last_timestamp),
        "created": iso(series.created),
    }


def _events_write(series_id: int, out: HashingWriter) -> None:
    if connection.vendor == "postgresql":
        _events_copy(series_id, out)
    else:
        _events_fetch(series_id, out)


# UTC text with "T" and "Z", microseconds only when present: the same text on both engines
_PG_STAMP = (
    "to_char(t, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN to_char(t, 'US') = '000000' THEN '' ELSE '.' || to_char(t, 'US') END || 'Z'"
)
_PG_EVENTS = (
    f"COPY (SELECT {_PG_STAMP}, value, NULLIF(flag, '') FROM "  # noqa: S608 (constants)
    '(SELECT e."timestamp" AT TIME ZONE \'UTC\' AS t, e.value, e.flag, e."timestamp" AS ts '
    "FROM ts_event e WHERE e.series_id = {id}) s "
    "ORDER BY ts) TO STDOUT (FORMAT csv)"
)


def _events_copy(series_id: int, out: HashingWriter) -> None:
    """PostgreSQL writes the CSV itself; blocks are passed on as they come."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_PG_EVENTS.format(id=int(series_id))) as copy:
            for block in copy:
                out.write(block)


def _events_fetch(series_id: int, out: HashingWriter) -> None:
    statement = (
        "SELECT replace(e.\"timestamp\", ' ', 'T') || 'Z', e.value, e.flag FROM ts_event e "
        'WHERE e.series_id = %s ORDER BY e."timestamp"'
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [series_id])
        while rows := cursor.fetchmany(PAGE * 4):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows((stamp, number_text(value), flag) for stamp, value, flag in rows)
            out.write_text(buffer.getvalue())


# --- vector -----------------------------------------------------------------------------------


def vector_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """The current version's features as newline-delimited GeoJSON (GeoJSONSeq), by id."""
    version = VectorVersion.objects.filter(
        data_source=data_source, state=VersionState.CURRENT
    ).first()
    count = 0
    with writer.member("vector/features.geojsonl") as out:
        if version is not None:
            for rows in _feature_pages(version.pk):
                out.write_text("".join(_feature_line(*row) for row in rows))
                count += len(rows)
    return {"features": count}


def _feature_pages(version_id: int) -> Iterator[list[tuple]]:
    last = 0
    while True:
        rows = list(
            Feature.objects.filter(version_id=version_id, id__gt=last)
            .order_by("id")
            .values_list("id", "id_src", "geometry", "properties")[:PAGE]
        )
        if not rows:
            return
        last = rows[-1][0]
        yield [row[1:] for row in rows]


def _feature_line(id_src: str | None, geometry: str | None, properties: str) -> str:
    ident = "" if id_src is None else f'"id":{json.dumps(id_src, ensure_ascii=False)},'
    return (
        f'{{"type":"Feature",{ident}"geometry":{geometry or "null"},"properties":{properties}}}\n'
    )


# --- rasters ----------------------------------------------------------------------------------


def rasters_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``frames.jsonl`` (every frame's metadata), then each stored COG as it is."""
    frames = list(RasterFrame.objects.filter(data_source=data_source).order_by("id"))
    with writer.member("rasters/frames.jsonl") as out:
        for number, frame in enumerate(frames, start=1):
            out.write_text(_json_line(_frame_record(frame, number)))
    for number, frame in enumerate(frames, start=1):
        _object_copy(writer, frame.storage_key, _cog_path(number), frame.size, compress=False)
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
        "bounds_wgs84": [frame.west, frame.south, frame.east, frame.north],
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


# --- files ------------------------------------------------------------------------------------


def files_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``files.jsonl`` (every file's metadata), then each file's bytes and its thumbnail."""
    files = list(StoredFile.objects.filter(data_source=data_source).order_by("id"))
    with writer.member("files/files.jsonl") as out:
        for item in files:
            out.write_text(_json_line(_file_record(item)))
    for item in files:
        record = _file_record(item)
        compress = item.format not in _PACKED
        _object_copy(writer, item.key, record["file"], item.size, compress=compress)
        if record["thumbnail"]:
            _object_copy(writer, item.thumbnail_key, record["thumbnail"], None, compress=False)
    return {"files": len(files)}


def _file_record(item: StoredFile) -> dict[str, Any]:
    thumbnail = None
    if item.thumbnail_key:
        thumbnail = f"files/thumbnails/{item.name}.thumb.{item.thumbnail_key.rsplit('.', 1)[-1]}"
    return {
        "file": f"files/data/{item.name}",
        "name": item.name,
        "original_name": item.original_filename,
        "format": item.format,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "timestamp": iso(item.timestamp),
        "timestamp_source": item.timestamp_source,
        "latitude": item.latitude,
        "longitude": item.longitude,
        "width": item.width,
        "height": item.height,
        "duration": item.duration,
        "page_count": item.page_count,
        "thumbnail": thumbnail,
        "thumbnail_content_type": item.thumbnail_content_type,
        "created": iso(item.created),
        "updated": iso(item.updated),
    }


# --- objects ----------------------------------------------------------------------------------


def _object_copy(
    writer: ArchiveWriter, key: str, path: str, size: int | None, *, compress: bool
) -> None:
    """Stream a stored object into the member ``path`` (local file or S3 object alike)."""
    storage = object_storage()
    if not storage.exists(key):
        raise ExportObjectMissing(
            f"The stored object {key} ({path}) is missing from object storage; the data source "
            "cannot be exported completely."
        )
    with (
        storage.open(key, "rb") as source,
        writer.member(path, compress=compress, size=size) as out,
    ):
        _pump(source.read, out)


def _pump(read: Callable[[int], bytes], out: HashingWriter) -> None:
    while chunk := read(_CHUNK):
        out.write(chunk)


EXPORTERS: dict[str, Callable[..., dict[str, int]]] = {
    "timeseries": timeseries_export,
    "vector": vector_export,
    "raster": rasters_export,
    "file": files_export,
}
