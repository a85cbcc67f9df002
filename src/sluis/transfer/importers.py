"""Reading an export's data back into a new data source, kind by kind, all or nothing.

Every importer gets the opened archive, a ``create`` callable that makes the data source and
its sync task, and a ``saved`` list it appends each object key it writes to (the caller deletes
them when anything fails). Database writes go through the datastore's own bulk paths and happen
inside one transaction together with ``create()``: a failure leaves no data source behind.
Timeseries are staged before that transaction (the bulk path's temporary table), so the write
lock is held only for the final merge.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction

from sluis.catalog.services import CreatedSource
from sluis.datastore.files.models import StoredFile, TimestampSource
from sluis.datastore.files.services import stored_file_key
from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.timeseries.bulk import stager_for
from sluis.datastore.timeseries.services import events_merge
from sluis.datastore.vector.services import vector_dataset_replace
from sluis.ingest.gdal import stored_raster_open
from sluis.ingest.readers.file_meta import CONTENT_TYPES
from sluis.ingest.readers.file_names import name_sanitise
from sluis.ingest.readers.vector_features import FeatureBatch
from sluis.ingest.sniffing import HEAD_SIZE, sniff, zip_head_document_format
from sluis.transfer.archive import ArchiveReader, MemberReader
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.uploads.storage import object_storage

Create = Callable[[], CreatedSource]
LINE_MAX = 64 * 1024 * 1024
_CSV_TYPES = {"timestamp": pa.timestamp("us", tz="UTC"), "value": pa.float64(), "flag": pa.string()}
_TEXT_FORMATS = {"txt", "csv", "json"}
_THUMBNAIL_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}


def records(archive: ArchiveReader, path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, JSON object) of a JSON Lines member, checksum verified at the end."""
    with archive.open(path) as member:
        number = 0
        while line := member.readline(LINE_MAX):
            number += 1
            try:
                record = json.loads(line)
            except ValueError as exc:
                raise _invalid(path, number, f"not JSON ({exc})") from exc
            if not isinstance(record, dict):
                raise _invalid(path, number, "not a JSON object")
            yield number, record


def _invalid(path: str, line: int | None, problem: str) -> ImportArchiveInvalid:
    where = f"{path} line {line}" if line else path
    return ImportArchiveInvalid(f"{where}: {problem}.")


def counts_check(archive: ArchiveReader, counts: dict[str, int]) -> dict[str, int]:
    """The counts found equal the manifest's (checked before the import commits)."""
    declared = archive.manifest.get("counts")
    if declared != counts:
        raise ImportArchiveInvalid(f"The archive holds {counts}; manifest.json says {declared}.")
    return counts


class Fields:
    """Typed access to one record's fields; a wrong type names the member, line and field."""

    def __init__(self, path: str, line: int, record: dict[str, Any]):
        self.path, self.line, self.record = path, line, record

    def get(self, name: str, kinds: type | tuple[type, ...], *, optional: bool = False) -> Any:
        value = self.record.get(name)
        if value is None and optional:
            return None
        if (isinstance(value, bool) and bool not in _tuple(kinds)) or not isinstance(value, kinds):
            raise _invalid(self.path, self.line, f"field {name!r} is missing or of the wrong type")
        return value

    def number(self, name: str, *, optional: bool = False) -> float | None:
        value = self.get(name, (int, float), optional=optional)
        return None if value is None else float(value)

    def time(self, name: str) -> datetime:
        text = self.get(name, str)
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            raise _invalid(self.path, self.line, f"{name} {text!r} is not ISO 8601") from exc
        if value.tzinfo is None:
            raise _invalid(self.path, self.line, f"{name} {text!r} has no time zone")
        return value

    def problem(self, text: str) -> ImportArchiveInvalid:
        return _invalid(self.path, self.line, text)


def _tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


# --- timeseries -------------------------------------------------------------------------------


def timeseries_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Stage every series' events (checksums verified), then create and merge in one go."""
    series = [
        _series(Fields("timeseries/series.jsonl", n, r))
        for n, r in records(archive, "timeseries/series.jsonl")
    ]
    keys = [(item["location"], item["parameter"]) for item in series]
    if len(set(keys)) != len(keys):
        raise ImportArchiveInvalid("timeseries/series.jsonl lists a location and parameter twice.")
    units = {k: item["unit"] for k, item in enumerate(series) if item["unit"]}
    total = sum(item["event_count"] for item in series)
    counts = counts_check(archive, {"series": len(series), "events": total})
    with stager_for(connection) as stager:
        for key, item in enumerate(series):
            staged = _events_stage(archive, item["events_file"], key, stager)
            if staged != item["event_count"]:
                raise ImportArchiveInvalid(
                    f"{item['events_file']} holds {staged} events; series.jsonl says "
                    f"{item['event_count']}."
                )
        archive.check_complete()
        with transaction.atomic():
            created = create()
            result, _ = events_merge(
                data_source=created.data_source, stager=stager, keys=keys, units=units
            )
            if result.inserted != total:
                raise ImportArchiveInvalid(
                    "An events file repeats a timestamp: "
                    f"{total - result.inserted} event(s) are duplicates."
                )
    return created, counts


def _series(fields: Fields) -> dict[str, Any]:
    count = fields.get("event_count", int)
    if count < 0:
        raise fields.problem("event_count is negative")
    return {
        "events_file": fields.get("events_file", str),
        "location": fields.get("location", str),
        "parameter": fields.get("parameter", str),
        "unit": fields.get("unit", str, optional=True) or "",
        "event_count": count,
    }


def _events_stage(archive: ArchiveReader, path: str, key: int, stager) -> int:
    staged = 0
    with archive.open(path) as member:
        try:
            reader = pacsv.open_csv(
                member,
                read_options=pacsv.ReadOptions(block_size=8 * 1024 * 1024),
                convert_options=pacsv.ConvertOptions(
                    column_types=_CSV_TYPES,
                    null_values=[""],
                    strings_can_be_null=False,
                    timestamp_parsers=[pacsv.ISO8601],
                ),
            )
            if reader.schema.names != list(_CSV_TYPES):
                raise _invalid(path, 1, "the header is not timestamp,value,flag")
            for batch in reader:
                staged += _batch_stage(batch, path, key, stager)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise _invalid(path, None, f"not an events CSV ({exc})") from exc
    return staged


def _batch_stage(batch: pa.RecordBatch, path: str, key: int, stager) -> int:
    if not batch.num_rows:
        return 0
    stamps, values, flags = batch.column(0), batch.column(1), batch.column(2)
    if stamps.null_count or values.null_count:
        raise _invalid(path, None, "a row has no timestamp or no value")
    size = batch.num_rows
    stager.add(
        np.full(size, key, dtype=np.int32),
        stamps.cast(pa.int64()).to_numpy(),
        values.to_numpy(),
        flags,
        np.arange(stager.rows, stager.rows + size, dtype=np.int64),
    )
    return size


# --- vector -----------------------------------------------------------------------------------


def vector_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Replace the new data source's (empty) features by the archive's, one version."""
    path = "vector/features.geojsonl"
    with transaction.atomic():
        created = create()
        if archive.expected[path]["size"] == 0:  # a data source that never had features
            with archive.open(path):
                pass
            archive.check_complete()
            return created, counts_check(archive, {"features": 0})
        counts = vector_dataset_replace(
            data_source=created.data_source,
            batches=_feature_batches(archive, path, settings.SLUIS_VECTOR_BATCH_SIZE),
            before_publish=archive.check_complete,
        )
        result = counts_check(archive, {"features": counts.inserted})
    return created, result


def _feature_batches(archive: ArchiveReader, path: str, size: int) -> Iterator[FeatureBatch]:
    rows: list[tuple[str | None, str | None, str]] = []
    with archive.open(path) as member:
        for line in _lines(member):
            rows.append(_feature_row(path, line))
            if len(rows) >= size:
                yield _feature_batch(path, rows)
                rows = []
    if rows:
        yield _feature_batch(path, rows)


def _lines(member: MemberReader) -> Iterator[tuple[int, bytes]]:
    number = 0
    while line := member.readline(LINE_MAX):
        number += 1
        yield number, line


def _feature_row(path: str, numbered: tuple[int, bytes]) -> tuple[str | None, str | None, str]:
    number, line = numbered
    try:
        feature = json.loads(line)
    except ValueError as exc:
        raise _invalid(path, number, f"not JSON ({exc})") from exc
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise _invalid(path, number, "not a GeoJSON Feature")
    ident, geometry, properties = (
        feature.get("id"),
        feature.get("geometry"),
        feature.get("properties"),
    )
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, str | int | float)):
        raise _invalid(path, number, "the id is not a string or number")
    if geometry is not None and not isinstance(geometry, dict):
        raise _invalid(path, number, "the geometry is not an object")
    if properties is not None and not isinstance(properties, dict):
        raise _invalid(path, number, "the properties are not an object")
    return (
        None if ident is None else str(ident),
        None if geometry is None else _compact(geometry),
        _compact(properties or {}),
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _feature_batch(path: str, rows: list[tuple[str | None, str | None, str]]) -> FeatureBatch:
    """Bounds from the geometries themselves (GEOS), NaN for a null or empty geometry."""
    ids, geometries, properties = (list(column) for column in zip(*rows, strict=True))
    bounds = np.full((len(rows), 4), np.nan)
    present = [i for i, g in enumerate(geometries) if g is not None]
    if present:
        try:
            shapes = shapely.from_geojson([geometries[i] for i in present])
        except shapely.errors.GEOSException as exc:
            raise _invalid(path, None, f"a geometry is not valid GeoJSON ({exc})") from exc
        bounds[present] = shapely.bounds(shapes)
    return FeatureBatch(ids, geometries, properties, bounds)


# --- rasters ----------------------------------------------------------------------------------


def rasters_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Each COG stored under a new key and checked against its metadata; rows in one go."""
    path = "rasters/frames.jsonl"
    frames = [_frame(Fields(path, n, r)) for n, r in records(archive, path)]
    if len({(f.parameter, f.timestamp) for f, _ in frames}) != len(frames):
        raise ImportArchiveInvalid(f"{path} lists a parameter and timestamp twice.")
    with transaction.atomic():
        created = create()
        source = created.data_source
        for frame, member_path in frames:
            frame.data_source = source
            frame.storage_key = _object_import(
                archive, member_path, f"rasters/{source.pk}/{uuid.uuid4().hex}.tif", saved
            )
            _cog_check(frame, member_path)
        RasterFrame.objects.bulk_create([f for f, _ in frames], batch_size=500)
        archive.check_complete()
        counts = counts_check(archive, {"frames": len(frames)})
    return created, counts


def _frame(fields: Fields) -> tuple[RasterFrame, str]:
    bounds = _floats(fields, "bounds")
    wgs84 = _floats(fields, "bounds_wgs84")
    band_stats = fields.get("band_stats", list)
    frame = RasterFrame(
        parameter=fields.get("parameter", str),
        timestamp=fields.time("timestamp"),
        source_name=fields.get("source_name", str)[:500],
        size=fields.get("size", int),
        crs=fields.get("crs", str),
        crs_wkt=fields.get("crs_wkt", str),
        width=fields.get("width", int),
        height=fields.get("height", int),
        bands=fields.get("bands", int),
        dtype=fields.get("dtype", str),
        nodata=fields.get("nodata", str, optional=True) or "",
        min=fields.number("min", optional=True),
        max=fields.number("max", optional=True),
        mean=fields.number("mean", optional=True),
        band_stats=band_stats,
    )
    frame.x_min, frame.y_min, frame.x_max, frame.y_max = bounds
    frame.west, frame.south, frame.east, frame.north = wgs84
    return frame, fields.get("file", str)


def _floats(fields: Fields, name: str) -> list[float]:
    values = fields.get(name, list)
    if len(values) != 4 or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in values
    ):
        raise fields.problem(f"{name} is not four finite numbers")
    return [float(v) for v in values]


def _cog_check(frame: RasterFrame, member_path: str) -> None:
    """The stored object is a GeoTIFF (GTiff driver only) with the shape its record claims."""
    try:
        with stored_raster_open(object_storage(), frame.storage_key) as dataset:
            actual = (dataset.width, dataset.height, dataset.count, dataset.dtypes[0])
    except Exception as exc:  # any GDAL refusal: the member is not a readable GeoTIFF
        raise _invalid(member_path, None, f"not a readable GeoTIFF ({exc})") from exc
    claimed = (frame.width, frame.height, frame.bands, frame.dtype)
    if actual != claimed:
        raise _invalid(member_path, None, f"is {actual}, its record says {claimed}")


# --- files ------------------------------------------------------------------------------------


def files_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Each file's bytes (content checked against its format) and thumbnail, rows in one go."""
    path = "files/files.jsonl"
    files = [_file(Fields(path, n, r)) for n, r in records(archive, path)]
    if len({f.name for f, _, _ in files}) != len(files):
        raise ImportArchiveInvalid(f"{path} lists a file name twice.")
    with transaction.atomic():
        created = create()
        for row, data_path, thumbnail_path in files:
            row.data_source = created.data_source
            row.key = stored_file_key(
                data_source_id=created.data_source.pk, upload_id=None, name=row.name, fmt=row.format
            )
            row.key = _object_import(archive, data_path, row.key, saved, expect=row)
            if thumbnail_path:
                thumbnail = f"{row.key}.thumb.{thumbnail_path.rsplit('.', 1)[-1]}"
                row.thumbnail_key = _object_import(
                    archive, thumbnail_path, thumbnail, saved, expect=row.thumbnail_content_type
                )
        StoredFile.objects.bulk_create([row for row, _, _ in files], batch_size=500)
        archive.check_complete()
        counts = counts_check(archive, {"files": len(files)})
    return created, counts


def _file(fields: Fields) -> tuple[StoredFile, str, str | None]:
    name, fmt = fields.get("name", str), fields.get("format", str)
    if name != name_sanitise(name):
        raise fields.problem(f"the name {name!r} is not a name Sluis stores files under")
    if fmt not in CONTENT_TYPES:
        raise fields.problem(f"the format {fmt!r} is not a file format Sluis stores")
    source = fields.get("timestamp_source", str)
    if source not in TimestampSource.values:
        raise fields.problem(f"timestamp_source {source!r} is unknown")
    thumbnail = fields.get("thumbnail", str, optional=True)
    thumbnail_type = fields.get("thumbnail_content_type", str, optional=True) or ""
    if thumbnail and thumbnail_type not in _THUMBNAIL_FORMATS:
        raise fields.problem(f"thumbnail_content_type {thumbnail_type!r} is not an image type")
    row = StoredFile(
        name=name,
        original_name=fields.get("original_name", str),
        format=fmt,
        content_type=CONTENT_TYPES[fmt],
        size=fields.get("size", int),
        sha256=fields.get("sha256", str),
        timestamp=fields.time("timestamp"),
        timestamp_source=source,
        latitude=fields.number("latitude", optional=True),
        longitude=fields.number("longitude", optional=True),
        width=fields.get("width", int, optional=True),
        height=fields.get("height", int, optional=True),
        duration=fields.number("duration", optional=True),
        page_count=fields.get("page_count", int, optional=True),
        thumbnail_content_type=thumbnail_type if thumbnail else "",
    )
    return row, fields.get("file", str), thumbnail


# --- objects ----------------------------------------------------------------------------------


class _Stream:
    """A non-seekable file for ``Storage.save``: the sniffed head, then the rest of a member."""

    closed = False

    def __init__(self, head: bytes, member: MemberReader):
        self.head, self.member = head, member

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = (self.head, b"") if size < 0 else (self.head[:size], self.head[size:])
            return data
        return self.member.read(size)

    def seekable(self) -> bool:
        return False


def _object_import(
    archive: ArchiveReader, path: str, key: str, saved: list[str], *, expect: Any = None
) -> str:
    """Stream a member into object storage at ``key``; its checksum is verified after."""
    storage = object_storage()
    with archive.open(path) as member:
        head = member.read(HEAD_SIZE)
        _content_check(path, head, expect)
        saved.append(key)  # before saving: a failed save may leave a partial object there
        stored = storage.save(key, File(_Stream(head, member), name=key))
        if stored != key:
            saved.append(stored)
    if isinstance(expect, StoredFile) and (
        member.size != expect.size or member.digest.hexdigest() != expect.sha256
    ):
        raise _invalid(path, None, "its size or sha256 differs from its record in files.jsonl")
    return stored


def _content_check(path: str, head: bytes, expect: Any) -> None:
    """A file's bytes are of its recorded format; a thumbnail is the image its type says."""
    if expect is None:
        return
    found = sniff(head, path)
    if found == "zip":
        found = zip_head_document_format(head)
    wanted = expect.format if isinstance(expect, StoredFile) else _THUMBNAIL_FORMATS[expect]
    same_text = {found, wanted} <= _TEXT_FORMATS
    if found != wanted and not same_text and not {found, wanted} <= {"tiff", "geotiff"}:
        raise _invalid(path, None, f"holds {found} content, its record says {wanted}")


IMPORTERS: dict[str, Callable[..., tuple[CreatedSource, dict[str, int]]]] = {
    "timeseries": timeseries_import,
    "vector": vector_import,
    "raster": rasters_import,
    "file": files_import,
}
