"""Listing stored objects with their size and age, on local storage and on S3.

Django's storage API lists names only (``listdir``), so an age and a size would cost one
``HEAD`` per object on S3. The two backends Sluis supports list them in the same pass instead:
a directory walk with ``stat`` locally, the bucket's paginated ``ListObjectsV2`` (1,000 keys per
request, size and last-modified included) on S3. Other backends fall back to the storage API.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.core.files.storage import Storage

from sluis.uploads.storage import is_local

BATCH = 1000


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: datetime


def objects_list(storage: Storage, prefix: str) -> Iterator[list[StoredObject]]:
    """Every object under ``prefix/``, in batches (one database lookup per batch)."""
    if is_local(storage):
        listing = _local(Path(storage.location), prefix)
    elif hasattr(storage, "bucket"):
        listing = _s3(storage, prefix)
    else:
        listing = _generic(storage, prefix)
    batch: list[StoredObject] = []
    for item in listing:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _local(root: Path, prefix: str) -> Iterator[StoredObject]:
    folder = root / prefix
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            try:
                stat = path.stat()
            except FileNotFoundError:  # removed while we walked
                continue
            modified = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
            yield StoredObject(path.relative_to(root).as_posix(), stat.st_size, modified)


def _s3(storage, prefix: str) -> Iterator[StoredObject]:
    location = (storage.location or "").strip("/")
    full = f"{location}/{prefix}/" if location else f"{prefix}/"
    cut = len(location) + 1 if location else 0
    for summary in storage.bucket.objects.filter(Prefix=full):
        yield StoredObject(summary.key[cut:], summary.size, summary.last_modified)


def _generic(storage: Storage, prefix: str) -> Iterator[StoredObject]:
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in files:
        key = f"{prefix}/{name}"
        yield StoredObject(key, storage.size(key), storage.get_modified_time(key))
    for folder in folders:
        yield from _generic(storage, f"{prefix}/{folder}")
