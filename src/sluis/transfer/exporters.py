"""The shared pieces of the kinds' exporters (each kind's own: ``datastore/<kind>/transfer.py``).

Rows are read in bounded batches (keyset pages, ``COPY … TO STDOUT`` on PostgreSQL, ``fetchmany``
on SQLite) and objects are streamed from storage in 1 MiB chunks, so memory does not grow with
the data source. Each function returns the counts recorded in the manifest."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sluis.transfer.archive import ArchiveWriter, HashingWriter
from sluis.transfer.errors import ExportObjectMissing
from sluis.uploads.storage import object_storage

PAGE = 5_000


_CHUNK = 1024 * 1024


def iso(value: datetime | None) -> str | None:
    """UTC ISO 8601 with ``Z``; fractions of seconds only when present."""
    if value is None:
        return None
    text = value.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def object_copy(
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
        pump(source.read, out)


def pump(read: Callable[[int], bytes], out: HashingWriter) -> None:
    while chunk := read(_CHUNK):
        out.write(chunk)
