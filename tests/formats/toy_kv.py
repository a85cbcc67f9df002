"""A toy timeseries format, ``key=value`` text, added the way docs/development.md says: this one
reader module (its sniffer and its reader) plus one registry line (in the test that uses it).

Each non-empty line is one event: ``location=L1 parameter=h timestamp=2025-01-01T00:00:00Z
value=1.5 unit=m``. Unknown keys are ignored; a missing key is an empty field, which the shared
timeseries checks report as a problem on that line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sluis.formats.magic import Head
from sluis.readers.timeseries.batch import FIELDS, RawBatch, ReadContext, ReaderError

_LINE = re.compile(rb"^\s*[A-Za-z_]\w*=\S*(\s+[A-Za-z_]\w*=\S*)+\s*$")


def looks_like_kv(head: Head) -> bool:
    """The sniffer: text whose first non-empty line is two or more ``key=value`` pairs."""
    lines = [line for line in head.text.splitlines()[:5] if line.strip()]
    return head.is_text and bool(lines) and all(_LINE.match(line) for line in lines[:-1] or lines)


def read_kv_timeseries(
    path: Path, ctx: ReadContext, ingest_settings: dict[str, Any], *, batch_rows: int = 10_000
) -> Iterator[RawBatch]:
    """Yield raw batches of one ``key=value`` file (the timeseries reader protocol)."""
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        text = path.read_text(encoding=ingest_settings.get("encoding") or "utf-8")
    except UnicodeDecodeError as exc:
        raise ReaderError(f"the file is not text ({exc.reason})") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            rows.append((number, dict(pair.partition("=")[::2] for pair in line.split())))
        if len(rows) >= batch_rows:
            yield _batch(rows)
            rows = []
    if rows:
        yield _batch(rows)


def _batch(rows: list[tuple[int, dict[str, str]]]) -> RawBatch:
    columns = {
        name: pa.array([record.get(name, "") for _, record in rows], pa.string())
        for name in FIELDS
        if any(name in record for _, record in rows)
    }
    return RawBatch(columns=columns, lines=np.array([n for n, _ in rows], dtype=np.int64))
