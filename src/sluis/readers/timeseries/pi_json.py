"""Delft-FEWS PI-JSON timeseries: what FEWS web services and their Python clients write.

    {"version": "1.25", "timeZone": "0.0", "timeSeries": [
      {"header": {"locationId": "L1", "parameterId": "H.meting", "units": "m",
                  "missVal": "-999.0", "qualifierId": ["validatie"], "ensembleMemberIndex": "3"},
       "events": [{"date": "2022-05-01", "time": "00:00:00", "value": "-0.95", "flag": "0"}]}]}

The same rules as PI-XML (``pixml``): ``timeZone`` hours east of GMT for every date, else the
data source's ``timezone``; an event equal to ``missVal`` (or without a value) is skipped;
qualifiers and the ensemble member are part of the series' parameter. Problems name the event
(``feature`` = ``timeSeries[0].events[5]``). The file is parsed at once (JSON budget: 100 MB).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sluis.readers.timeseries.batch import RawBatch, ReadContext, ReaderError
from sluis.readers.timeseries.json import load_json
from sluis.readers.timeseries.pixml import offset_text, series_parameter


def read_pi_json(
    path: Path, ctx: ReadContext, settings: dict[str, Any], **_: Any
) -> Iterator[RawBatch]:
    """One raw batch per series; a document that is not PI-JSON raises ``ReaderError``."""
    document = load_json(path)
    if not isinstance(document, dict) or not isinstance(document.get("timeSeries"), list):
        raise ReaderError("not a PI-JSON timeseries document (no 'timeSeries' list)")
    offset = _offset(document.get("timeZone"))
    for index, series in enumerate(document["timeSeries"]):
        where = f"timeSeries[{index}]"
        if not isinstance(series, dict) or not isinstance(series.get("header", {}), dict):
            ctx.problem("a series must be an object with a 'header'", feature=where)
            ctx.report.rejected += 1
            continue
        events = series.get("events") or []
        if not isinstance(events, list):
            ctx.problem("'events' must be a list", feature=where)
            ctx.report.rejected += 1
            continue
        if events:
            yield _batch(series.get("header") or {}, events, where, offset)


def _offset(value: Any) -> str:
    if value in (None, ""):
        return ""
    try:
        return offset_text(str(value))
    except ValueError:
        raise ReaderError(f"timeZone {value!r} is not a number of hours") from None


def _batch(header: dict, events: list, where: str, offset: str) -> RawBatch:
    qualifiers = header.get("qualifierId") or []
    if isinstance(qualifiers, str):
        qualifiers = [qualifiers]
    member = header.get("ensembleMemberIndex", header.get("ensembleMemberId", ""))
    parameter = series_parameter(
        _text(header.get("parameterId")), [_text(q) for q in qualifiers], _text(member)
    )
    count = len(events)
    rows = [event if isinstance(event, dict) else {} for event in events]

    def stamp(event: dict) -> str:
        date = _text(event.get("date"))
        return f"{date}T{_text(event.get('time')) or '00:00:00'}{offset}" if date else ""

    return RawBatch(
        columns={
            "location": pa.array([_text(header.get("locationId"))] * count, pa.string()),
            "parameter": pa.array([parameter] * count, pa.string()),
            "unit": pa.array([_text(header.get("units"))] * count, pa.string()),
            "timestamp": pa.array([stamp(event) for event in rows], pa.string()),
            "value": pa.array([_text(event.get("value")) for event in rows], pa.string()),
            "flag": pa.array([_text(event.get("flag")) for event in rows], pa.string()),
        },
        lines=np.zeros(count, dtype=np.int64),
        missing_value=_number(header.get("missVal", "NaN")),
        features=[f"{where}.events[{j}]" for j in range(count)],
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
