"""Writing stored files: bytes and thumbnails to object storage, rows in one short transaction.

Order of work, so that a failure at any point leaves the stored data exactly as before:
1. Files whose name is stored with the same sha256 are ``unchanged`` and not touched.
2. The new bytes and thumbnails are written to object storage under generated keys.
3. One transaction inserts the new rows and points overwritten rows at their new keys.
4. After commit the old objects of overwritten rows are deleted (``transaction.on_commit``);
   if the transaction fails, the objects written in step 2 are deleted instead.

Keys are derived from the upload id and the sanitised name, so a re-run of the same upload after
a crash writes to the same keys instead of leaving a second copy behind.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from sluis.formats.records import Counts
from sluis.readers.files.images import Thumbnail
from sluis.readers.files.meta import FileMeta
from sluis.uploads.storage import object_storage

from .models import StoredFile

log = logging.getLogger(__name__)
_LOOKUP_CHUNK = 500
_EXTENSIONS = {"jpeg": "jpg", "geotiff": "tif", "tiff": "tif"}


@dataclass
class FileToStore:
    """One read and validated file, ready to be written."""

    path: Path
    name: str
    original_filename: str
    format: str
    meta: FileMeta
    timestamp: datetime
    timestamp_source: str
    thumbnail: Thumbnail | None = None


@dataclass
class _Written:
    file: FileToStore
    key: str
    thumbnail_key: str


def files_store(*, data_source, upload_id: int | None, files: list[FileToStore]) -> Counts:
    """Append ``files`` to ``data_source``: new names are inserted, stored names with other
    content overwritten, identical content left alone. All or nothing."""
    existing = _existing(data_source, [f.name for f in files])
    changed = [
        f for f in files if f.name not in existing or existing[f.name].sha256 != f.meta.sha256
    ]
    written: list[_Written] = []
    try:
        for item in changed:
            written.append(_write_objects(data_source.pk, upload_id, item))
        with transaction.atomic():
            _save_rows(data_source, upload_id, written, existing)
    except BaseException:
        _delete_objects(_keys(written))
        raise
    updated = sum(1 for w in written if w.file.name in existing)
    return Counts(
        inserted=len(written) - updated, updated=updated, unchanged=len(files) - len(written)
    )


def _existing(data_source, names: list[str]) -> dict[str, StoredFile]:
    found: dict[str, StoredFile] = {}
    for start in range(0, len(names), _LOOKUP_CHUNK):
        chunk = names[start : start + _LOOKUP_CHUNK]
        for row in StoredFile.objects.filter(data_source=data_source, name__in=chunk):
            found[row.name] = row
    return found


def _object_key(data_source_id: int, upload_id: int | None, item: FileToStore) -> str:
    return stored_file_key(
        data_source_id=data_source_id, upload_id=upload_id, name=item.name, fmt=item.format
    )


def stored_file_key(*, data_source_id: int, upload_id: int | None, name: str, fmt: str) -> str:
    """The object key of a file's bytes: derived from the upload and the sanitised name."""
    digest = hashlib.sha256(name.encode()).hexdigest()[:24]
    extension = _EXTENSIONS.get(fmt, fmt)
    return f"files/{data_source_id}/{upload_id or 0}/{digest}.{extension}"


def _write_objects(data_source_id: int, upload_id: int | None, item: FileToStore) -> _Written:
    """The file's bytes and its thumbnail ("beside" it: the same key plus ``.thumb.jpg``)."""
    key = _object_key(data_source_id, upload_id, item)
    with item.path.open("rb") as handle:
        written = _Written(item, _save(key, File(handle)), "")
    if item.thumbnail is None:
        return written
    thumbnail = ContentFile(item.thumbnail.data)
    try:
        written.thumbnail_key = _save(f"{key}.thumb.{item.thumbnail.extension}", thumbnail)
    except BaseException:
        _delete_objects(_keys([written]))
        raise
    return written


def _save(key: str, content: File) -> str:
    """Write ``content`` at exactly ``key`` (a re-run replaces what a crashed run left)."""
    storage = object_storage()
    if storage.exists(key):
        storage.delete(key)
    return storage.save(key, content)


def _save_rows(data_source, upload_id, written: list[_Written], existing) -> None:
    new_rows: list[StoredFile] = []
    old_keys: list[str] = []
    for item in written:
        row = existing.get(item.file.name)
        if row is not None:
            old_keys.extend(k for k in (row.key, row.thumbnail_key) if k)
        else:
            row = StoredFile(data_source=data_source, name=item.file.name)
            new_rows.append(row)
        _fill(row, upload_id, item)
    StoredFile.objects.bulk_create(new_rows, batch_size=500)
    updated = [existing[w.file.name] for w in written if w.file.name in existing]
    StoredFile.objects.bulk_update(updated, _UPDATED_FIELDS, batch_size=500)
    stale = sorted(set(old_keys) - set(_keys(written)))
    transaction.on_commit(partial(_delete_objects, stale), robust=True)


_UPDATED_FIELDS = [
    "upload_id",
    "original_filename",
    "format",
    "content_type",
    "size",
    "sha256",
    "key",
    "thumbnail_key",
    "thumbnail_content_type",
    "timestamp",
    "timestamp_source",
    "latitude",
    "longitude",
    "width",
    "height",
    "duration",
    "page_count",
    "updated",
]


def _fill(row: StoredFile, upload_id: int | None, item: _Written) -> None:
    file, meta = item.file, item.file.meta
    row.upload_id = upload_id
    row.original_filename, row.format = file.original_filename, file.format
    row.content_type, row.size, row.sha256 = meta.content_type, meta.size, meta.sha256
    row.key, row.thumbnail_key = item.key, item.thumbnail_key
    row.thumbnail_content_type = file.thumbnail.content_type if file.thumbnail else ""
    row.timestamp, row.timestamp_source = file.timestamp, file.timestamp_source
    row.latitude, row.longitude = meta.latitude, meta.longitude
    row.width, row.height = meta.width, meta.height
    row.duration, row.page_count = meta.duration, meta.page_count
    row.updated = timezone.now()


def _keys(written: Iterable[_Written]) -> list[str]:
    return [k for w in written for k in (w.key, w.thumbnail_key) if k]


def _delete_objects(keys: list[str]) -> None:
    """Best effort: a key that cannot be deleted is logged, never raised (the data is right)."""
    storage = object_storage()
    for key in keys:
        try:
            storage.delete(key)
        except OSError:
            log.warning("could not delete stored object %s", key, exc_info=True)
