"""Timeseries JSON: a list of long-format records, or series documents with their events.

Accepted shapes (keys renamed by the ``columns`` setting like the CSV columns)::

    [{"location": "L1", "parameter": "h", "timestamp": "2025-01-01T00:00:00Z", "value": 1.2}]
    [{"location": "L1", "parameter": "h", "unit": "m",
      "events": [{"timestamp": "2025-01-01T00:00:00Z", "value": 1.2, "flag": "0"}]}]
    {"location": "L1", "parameter": "h", "events": [...]}

JSON has no useful line numbers once parsed, so problems name the record instead
(``feature`` = ``[3]`` or ``[0].events[5]``). The whole file is parsed at once; the engine caps
JSON files at 100 MB, which bounds memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sluis.readers.timeseries.batch import FIELDS, RawBatch, ReadContext, ReaderError

BATCH_ROWS = 50_000


def read_json_timeseries(
    path: Path, ctx: ReadContext, ingest_settings: dict[str, Any], *, batch_rows: int = BATCH_ROWS
) -> Iterator[RawBatch]:
    """Yield raw batches of one JSON file; a file that is not JSON raises ``ReaderError``."""
    document = load_json(path)
    keys = {name: (ingest_settings.get("columns") or {}).get(name, name) for name in FIELDS}
    keys["events"] = "events"
    items = document if isinstance(document, list) else [document]
    if not isinstance(document, (list, dict)):
        raise ReaderError("the JSON document must be a list of records or a series object")
    rows: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(items):
        rows.extend(_rows(item, f"[{index}]", keys, ctx))
        if len(rows) >= batch_rows:
            yield _batch(rows, keys)
            rows = []
    if rows:
        yield _batch(rows, keys)


def load_json(path: Path) -> Any:
    """The parsed document; ``ReaderError`` for text that is not UTF-8 JSON."""
    try:
        with open(path, "rb") as handle:
            return json.load(handle)
    except UnicodeDecodeError as exc:
        raise ReaderError(f"the file is not UTF-8 JSON ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise ReaderError(f"invalid JSON: {exc.msg} (line {exc.lineno})", line=exc.lineno) from exc
    except RecursionError as exc:
        raise ReaderError("the JSON document is nested too deeply") from exc


def _rows(item: Any, where: str, keys: dict[str, str], ctx: ReadContext):
    if not isinstance(item, dict):
        ctx.problem("a record must be a JSON object", feature=where, value=type(item).__name__)
        ctx.report.rejected += 1
        return []
    events = item.get(keys["events"])
    if events is None:
        return [(where, item)]
    if not isinstance(events, list):
        ctx.problem("'events' must be a list", feature=where, value=type(events).__name__)
        ctx.report.rejected += 1
        return []
    shared = {k: v for k, v in item.items() if k != keys["events"]}
    return [
        (f"{where}.events[{j}]", {**shared, **event} if isinstance(event, dict) else {})
        for j, event in enumerate(events)
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value)[:100]
    return str(value)


def _batch(rows: list[tuple[str, dict[str, Any]]], keys: dict[str, str]) -> RawBatch:
    columns = {}
    for name in FIELDS:
        key = keys[name]
        if any(key in record for _, record in rows):
            columns[name] = pa.array([_text(record.get(key)) for _, record in rows], pa.string())
    return RawBatch(
        columns=columns,
        lines=np.zeros(len(rows), dtype=np.int64),
        features=[where for where, _ in rows],
    )
