"""Export and import of a file (stored files and thumbnails) data source
(``sluis source export|import``).

The export writes the stored data in open formats (docs/formats/export.md), reading rows in
bounded batches and streaming objects; the import checks everything in the archive before it
writes anything, then writes in one transaction. Declared in this kind's ``Kind``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from sluis.catalog.models import DataSource
from sluis.catalog.services import CreatedSource
from sluis.datastore.files.models import StoredFile, TimestampSource
from sluis.datastore.files.services import stored_file_key
from sluis.formats.registry import format_get, formats_read_by
from sluis.names import stored_filename_sanitise
from sluis.transfer.archive import ArchiveReader, ArchiveWriter
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.transfer.exporters import iso, json_line, object_copy
from sluis.transfer.import_objects import extract, store, work_folder
from sluis.transfer.records import Create, Fields, counts_check, invalid, records

# formats whose bytes are compressed already: stored in the ZIP as they are
_PACKED = {
    "jpeg",
    "png",
    "webp",
    "gif",
    "heic",
    "avif",
    "tiff",
    "geotiff",
    "pdf",
    "docx",
    "xlsx",
    "pptx",
}
_PACKED |= {"odt", "ods", "mp4", "mov", "avi", "mkv", "webm"}


def files_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``files.jsonl`` (every file's metadata), then each file's bytes and its thumbnail."""
    files = list(StoredFile.objects.filter(data_source=data_source).order_by("id"))
    with writer.member("files/files.jsonl") as out:
        for item in files:
            out.write_text(json_line(_file_record(item)))
    for item in files:
        record = _file_record(item)
        compress = item.format not in _PACKED
        object_copy(writer, item.key, record["file"], item.size, compress=compress)
        if record["thumbnail"]:
            object_copy(writer, item.thumbnail_key, record["thumbnail"], None, compress=False)
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


_THUMBNAIL_FORMATS = {"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}


def files_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Every file (and thumbnail) extracted and checked, then stored with its row."""
    path = "files/files.jsonl"
    files = records(archive, path, _file)
    if len({row.name for row, _, _ in files}) != len(files):
        raise ImportArchiveInvalid(f"{path} lists a file name twice.")
    with work_folder() as work:
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
                row.key = store(data, key, saved)
                if thumbnail is not None and thumbnail_path:
                    extension = thumbnail_path.rsplit(".", 1)[-1]
                    row.thumbnail_key = store(thumbnail, f"{row.key}.thumb.{extension}", saved)
            StoredFile.objects.bulk_create([row for row, _, _ in files], batch_size=500)
    return created, counts


def _file(fields: Fields) -> tuple[StoredFile, str, str | None]:
    name, fmt = fields.get("name", str), fields.get("format", str)
    if name != stored_filename_sanitise(name):
        raise fields.problem(f"the name {name!r} is not a name Sluis stores files under")
    if fmt not in formats_read_by("file"):
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
        content_type=format_get(fmt).content_type,
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
    member = extract(archive, data_path, data, expect=row.format)
    if member.size != row.size or member.digest.hexdigest() != row.sha256:
        raise invalid(data_path, None, "its size or sha256 differs from its record in files.jsonl")
    if thumbnail_path is None:
        return data, None
    thumbnail = work / f"{number:06d}.thumb"
    extract(
        archive, thumbnail_path, thumbnail, expect=_THUMBNAIL_FORMATS[row.thumbnail_content_type]
    )
    return data, thumbnail
