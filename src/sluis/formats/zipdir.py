"""A bounded walk of a ZIP's central directory, before ``zipfile`` parses it.

``zipfile.ZipFile`` builds one object per central-directory entry, whatever the end record
declares: an end record saying one entry over a directory of millions costs gigabytes and
minutes. ``directory_scan`` reads the end record, checks the directory lies inside the file and
counts entry headers one by one (nothing kept per entry), stopping at a limit; ``ZipFile`` is
opened only once the count is known to be within budget, and parses exactly the same bytes.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_CENTRAL_HEADER = 46
_CENTRAL_SIGNATURE = b"PK\x01\x02"


@dataclass(frozen=True)
class DirectoryScan:
    """What the walk found: the end record's count, the headers counted (at most the limit)
    and, for a damaged directory, a sentence saying why."""

    declared: int
    counted: int
    problem: str | None = None


def directory_scan(path: Path, *, limit: int) -> DirectoryScan:
    """Walk the central directory of the ZIP at ``path``, counting at most ``limit`` entries."""
    with path.open("rb") as handle:
        # zipfile's end-record reader (zip64 aware) is private but has been stable for decades.
        record = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
        if record is None:
            return DirectoryScan(0, 0, "it has no central directory")
        declared = record[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
        if declared > limit:
            return DirectoryScan(declared, 0)
        bounds = _bounds(record)
        if bounds is None:
            return DirectoryScan(declared, 0, "its central directory lies outside the file")
        counted = _count(handle, *bounds, limit)
    if counted is None:
        return DirectoryScan(declared, 0, "a central directory entry is invalid")
    return DirectoryScan(declared, counted)


def _bounds(record: list[int]) -> tuple[int, int] | None:
    """Start and size of the directory as ``ZipFile`` computes them (data prepended to the
    archive shifts every offset); None when the recorded offset points outside the file."""
    size = record[zipfile._ECD_SIZE]  # type: ignore[attr-defined]
    offset = record[zipfile._ECD_OFFSET]  # type: ignore[attr-defined]
    end = record[zipfile._ECD_LOCATION]  # type: ignore[attr-defined]
    if record[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:  # type: ignore[attr-defined]
        end -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator  # type: ignore[attr-defined]
    if size < 0 or offset < 0 or offset + size > end:
        return None
    return end - size, size


def _count(handle: IO[bytes], start: int, size: int, limit: int) -> int | None:
    """Entry headers in ``size`` bytes from ``start``, stopping at ``limit``; None if one is
    not a central-directory header."""
    handle.seek(start)
    count, walked = 0, 0
    while walked < size and count < limit:
        header = handle.read(_CENTRAL_HEADER)
        if len(header) < _CENTRAL_HEADER or header[:4] != _CENTRAL_SIGNATURE:
            return None
        lengths = sum(int.from_bytes(header[i : i + 2], "little") for i in (28, 30, 32))
        handle.seek(lengths, 1)
        walked += _CENTRAL_HEADER + lengths
        count += 1
    return count
