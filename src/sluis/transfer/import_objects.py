"""Importing the kinds stored as objects: raster frames (COGs) and files.

Two phases, so that the database's write transaction stays short (on SQLite it is the one write
lock of the installation) and nothing reaches object storage before every member checked out:

1. Every member is extracted to a private work folder beside the spool (same filesystem as local
   storage, so storing is a rename), its checksum verified, its content checked: a COG is opened
   with the GTiff driver only and must have the size, bands and type its record says; a file's
   bytes must be of its recorded format and match its recorded size and sha256.
2. One transaction creates the data source, stores the objects under the usual keys (each key
   appended to ``saved`` before it is written, so the caller can delete them on failure) and
   inserts the rows in bulk.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.db import transaction

from sluis.catalog.services import CreatedSource
from sluis.datastore.files.models import StoredFile, TimestampSource
from sluis.datastore.files.services import stored_file_key
from sluis.datastore.rasters.models import RasterFrame
from sluis.ingest.gdal import UnreadableFile, raster_open
from sluis.ingest.readers.file_meta import CONTENT_TYPES
from sluis.ingest.sniffing import HEAD_SIZE, sniff, zip_head_document_format
from sluis.names import stored_filename_sanitise
from sluis.transfer.archive import ArchiveReader, MemberReader
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.transfer.records import Fields, counts_check, invalid, records
from sluis.uploads.storage import IMPORT_FOLDER_PREFIX, object_storage, spool_dir

Create = Callable[[], CreatedSource]
_CHUNK = 1024 * 1024
_TEXT_FORMATS = {"txt", "csv", "json"}
_THUMBNAIL_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}


# --- rasters ----------------------------------------------------------------------------------


def rasters_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Every COG extracted and checked against its record, then stored with its row."""
    path = "rasters/frames.jsonl"
    frames = records(archive, path, _frame)
    if len({(f.parameter, f.timestamp) for f, _ in frames}) != len(frames):
        raise ImportArchiveInvalid(f"{path} lists a parameter and timestamp twice.")
    with _work_folder() as work:
        local = []
        for number, (frame, member_path) in enumerate(frames):
            target = work / f"{number:06d}.tif"
            _extract(archive, member_path, target)
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
                frame.storage_key = _store(target, key, saved)
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


# --- files ------------------------------------------------------------------------------------


def files_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Every file (and thumbnail) extracted and checked, then stored with its row."""
    path = "files/files.jsonl"
    files = records(archive, path, _file)
    if len({row.name for row, _, _ in files}) != len(files):
        raise ImportArchiveInvalid(f"{path} lists a file name twice.")
    with _work_folder() as work:
        local = [_file_extract(archive, work, number, item) for number, item in enumerate(files)]
        archive.check_complete()
        counts = counts_check(archive, {"files": len(files)})
        with transaction.atomic():
            created = create()
            for (row, _, thumbnail_path), (data, thumbnail) in zip(files, local, strict=True):
                row.data_source = created.data_source
                key = stored_file_key(
                    data_source_id=row.data_source.pk, upload_id=None, name=row.name, fmt=row.format
                )
                row.key = _store(data, key, saved)
                if thumbnail is not None:
                    extension = thumbnail_path.rsplit(".", 1)[-1]
                    row.thumbnail_key = _store(thumbnail, f"{row.key}.thumb.{extension}", saved)
            StoredFile.objects.bulk_create([row for row, _, _ in files], batch_size=500)
    return created, counts


def _file(fields: Fields) -> tuple[StoredFile, str, str | None]:
    name, fmt = fields.get("name", str), fields.get("format", str)
    if name != stored_filename_sanitise(name):
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
        original_filename=fields.get("original_name", str),  # the export format's name
        format=fmt,
        content_type=CONTENT_TYPES[fmt],
        size=fields.get("size", int),
        sha256=fields.text("sha256", 64),
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


def _file_extract(
    archive: ArchiveReader, work: Path, number: int, item: tuple[StoredFile, str, str | None]
) -> tuple[Path, Path | None]:
    row, data_path, thumbnail_path = item
    data = work / f"{number:06d}.data"
    member = _extract(archive, data_path, data, expect=row.format)
    if member.size != row.size or member.digest.hexdigest() != row.sha256:
        raise invalid(data_path, None, "its size or sha256 differs from its record in files.jsonl")
    if thumbnail_path is None:
        return data, None
    thumbnail = work / f"{number:06d}.thumb"
    _extract(
        archive, thumbnail_path, thumbnail, expect=_THUMBNAIL_FORMATS[row.thumbnail_content_type]
    )
    return data, thumbnail


# --- objects ----------------------------------------------------------------------------------


@contextmanager
def _work_folder() -> Iterator[Path]:
    """A private folder in the spool; ``sluis storage sweep`` removes one a killed import left."""
    parent = spool_dir()
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=IMPORT_FOLDER_PREFIX, dir=parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _extract(
    archive: ArchiveReader, path: str, target: Path, *, expect: str | None = None
) -> MemberReader:
    """Copy the member ``path`` to ``target``; checksum verified, content sniffed if asked."""
    with archive.open(path) as member, target.open("xb") as out:
        head = member.read(HEAD_SIZE)
        if expect is not None:
            _content_check(path, head, expect)
        out.write(head)
        while chunk := member.read(_CHUNK):
            out.write(chunk)
    return member


def _content_check(path: str, head: bytes, wanted: str) -> None:
    """The bytes are of the recorded format (text formats and TIFF flavours count as one)."""
    found = sniff(head, path)
    if found == "zip":
        found = zip_head_document_format(head)
    same = {found, wanted} <= _TEXT_FORMATS or {found, wanted} <= {"tiff", "geotiff"}
    if found != wanted and not same:
        raise invalid(path, None, f"holds {found} content, its record says {wanted}")


class _Movable(File):
    """A local file that FileSystemStorage may move into place instead of copying."""

    def temporary_file_path(self) -> str:
        return self.name


def _store(path: Path, key: str, saved: list[str]) -> str:
    """Store the local file under ``key`` (a rename on local storage, an upload on S3)."""
    saved.append(key)  # before saving: a failed save may leave a partial object there
    with _Movable(path.open("rb"), name=str(path)) as content:
        stored = object_storage().save(key, content)
    if stored != key:
        saved.append(stored)
    return stored
