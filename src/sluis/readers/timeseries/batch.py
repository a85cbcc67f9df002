"""Shared core of the timeseries readers: string columns in, validated events out.

Every timeseries reader (CSV long and wide, JSON, PI-XML) frames its input into ``RawBatch``es:
string columns named ``location``, ``parameter``, ``timestamp``, ``value``, ``unit``, ``flag``
plus the source line of every row. ``convert`` turns a raw batch into an ``EventBatch`` with
vectorised pyarrow kernels (the speed of a 5 M-row upload is decided here), and records every
invalid row in the report with its file, line, field, value and a readable message.

Behaviour that users see (docs/formats/timeseries.md):
- an empty value, or a value equal to the source's missing value (PI ``missVal``), is not an
  event: the row is skipped and counted in one warning;
- unparseable values, ``NaN``/``Inf``, unparseable timestamps, local times that do not exist or
  are ambiguous (DST changes) in the source's time zone, and empty location/parameter/timestamp
  are row problems.

No Django here: readers produce plain records and never touch the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sluis.formats.records import Report

FIELDS = ("location", "parameter", "timestamp", "value", "unit", "flag")
# A time followed by a zone designator: Z, +01, +0100 or +01:00.
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
_MIN_US = -62135596800 * 1_000_000  # 0001-01-01T00:00:00Z
_MAX_US = 253402300799 * 1_000_000  # 9999-12-31T23:59:59Z
_TS_UTC = pa.timestamp("us", "UTC")
# Longest text the store keeps (sluis.datastore.timeseries.models); longer is a row problem.
MAX_LENGTHS = {"location": 200, "parameter": 200, "unit": 50, "flag": 32}


class ReaderError(Exception):
    """The file as a whole cannot be read (no header, unknown columns, broken XML...)."""

    def __init__(self, message: str, *, line: int | None = None, field: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


@dataclass
class ReadContext:
    """What a reader needs to know about the data source and where problems go."""

    file: str
    report: Report
    timezone: str = "UTC"
    timestamp_format: str | None = None
    decimal: str | None = None  # None: '.' and, unless ',' separates fields, ',' too
    comma_separates_fields: bool = False
    parameter: str | None = None
    unit: str | None = None
    skipped_missing: int = 0

    @classmethod
    def from_settings(
        cls, *, file: str, report: Report, ingest_settings: dict[str, Any]
    ) -> ReadContext:
        return cls(
            file=file,
            report=report,
            timezone=ingest_settings.get("timezone") or "UTC",
            timestamp_format=ingest_settings.get("timestamp_format") or None,
            decimal=ingest_settings.get("decimal") or None,
            parameter=ingest_settings.get("parameter") or None,
            unit=ingest_settings.get("unit") or None,
        )

    def problem(
        self,
        message: str,
        *,
        line: int | None = None,
        field: str = "",
        value: Any = "",
        feature: str | None = None,
    ) -> None:
        """Record one problem; past the report's room only its count grows (bounded)."""
        text = "" if value is None else str(value)[:200]
        self.report.add(
            message, file=self.file, line=line, field=field, value=text, feature=feature
        )

    def file_problem(self, error: ReaderError) -> None:
        self.problem(error.message, line=error.line, field=error.field)
        self.report.rejected += 1


@dataclass
class RawBatch:
    """Up to a batch of rows as strings (``None`` = absent), with their source line numbers."""

    columns: dict[str, pa.Array]
    lines: np.ndarray
    missing_value: float | None = None  # PI missVal: equal values are "no value"
    features: list[str] | None = None  # where rows have no line (JSON): "[3].events[5]"

    @property
    def size(self) -> int:
        return len(self.lines)


@dataclass
class EventBatch:
    """Valid events: one row per event, arrays of equal length."""

    location: pa.Array
    parameter: pa.Array
    unit: pa.Array
    timestamp: np.ndarray  # int64 microseconds since the epoch, UTC
    value: np.ndarray  # float64, finite
    flag: pa.Array
    lines: np.ndarray = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.lines)


def convert(raw: RawBatch, ctx: ReadContext) -> EventBatch:
    """Validate and type one raw batch; invalid rows go to the report and are left out."""
    n = raw.size
    cols = {name: _clean(raw.columns.get(name), n) for name in FIELDS}
    if ctx.parameter and raw.columns.get("parameter") is None:
        cols["parameter"] = pa.array([ctx.parameter] * n, pa.string())
    if ctx.unit and raw.columns.get("unit") is None:
        cols["unit"] = pa.array([ctx.unit] * n, pa.string())
    bad = np.zeros(n, dtype=bool)
    for name in ("location", "parameter", "timestamp"):
        _flag(ctx, raw, bad, _np(pc.equal(cols[name], "")), name, cols[name], f"{name} is empty")
    for name, limit in MAX_LENGTHS.items():
        too_long = _np(pc.greater(pc.utf8_length(cols[name]), limit))
        _flag(
            ctx, raw, bad, too_long, name, cols[name], f"{name} is longer than {limit} characters"
        )
    values, missing = _values(cols["value"], raw, ctx, bad)
    stamps = _timestamps(cols["timestamp"], raw, ctx, bad)
    ctx.report.rejected += int(bad.sum())
    keep = ~bad & ~missing
    ctx.skipped_missing += int((missing & ~bad).sum())
    mask = pa.array(keep)
    return EventBatch(
        location=cols["location"].filter(mask),
        parameter=cols["parameter"].filter(mask),
        unit=cols["unit"].filter(mask),
        timestamp=stamps[keep],
        value=values[keep],
        flag=cols["flag"].filter(mask),
        lines=raw.lines[keep],
    )


def _clean(array: pa.Array | None, n: int) -> pa.Array:
    if array is None:
        return pa.array([""] * n, pa.string())
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return pc.utf8_trim_whitespace(array.fill_null(""))


def _np(boolean: pa.Array) -> np.ndarray:
    return np.asarray(boolean.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _flag(ctx, raw, bad, mask, field_name, strings, message) -> None:
    """Mark rows in ``mask`` bad and list them (up to the report's cap)."""
    if not mask.any():
        return
    bad |= mask
    indices = np.flatnonzero(mask)
    shown = indices[: ctx.report.room]
    for index in shown:
        value = strings[int(index)].as_py()
        if raw.features is not None:
            ctx.problem(message, feature=raw.features[index], field=field_name, value=value)
        else:
            ctx.problem(message, line=int(raw.lines[index]), field=field_name, value=value)
    ctx.report.count_unlisted(len(indices) - len(shown))


def _values(strings: pa.Array, raw: RawBatch, ctx: ReadContext, bad: np.ndarray):
    """Parse values; return (float64 array, mask of rows that carry no value)."""
    empty = _np(pc.equal(strings, ""))
    text = strings
    if ctx.decimal == "," or (ctx.decimal is None and not ctx.comma_separates_fields):
        text = pc.replace_substring(strings, ",", ".")
    text = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)
    try:
        values = _np_float(pc.cast(text, pa.float64()))
        unparseable = np.zeros(len(values), dtype=bool)
    except pa.ArrowInvalid:
        values, unparseable = _floats_row_by_row(text)
    missing = empty.copy()
    if raw.missing_value is not None and not math.isnan(raw.missing_value):
        missing |= ~unparseable & (values == raw.missing_value)
    elif raw.missing_value is not None:
        missing |= ~unparseable & np.isnan(values)
    _flag(ctx, raw, bad, unparseable & ~empty, "value", strings, "value is not a number")
    nonfinite = ~unparseable & ~missing & ~np.isfinite(values)
    _flag(ctx, raw, bad, nonfinite, "value", strings, "value is not a finite number (NaN/Inf)")
    return values, missing


def _np_float(array: pa.Array) -> np.ndarray:
    return np.asarray(array.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64)


def _floats_row_by_row(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The slow path, taken only for a batch that holds an unparseable value."""
    values = np.full(len(text), np.nan)
    bad = np.zeros(len(text), dtype=bool)
    for index, item in enumerate(text.to_pylist()):
        if item is None:
            continue
        try:
            values[index] = float(item)
        except ValueError:
            bad[index] = True
    return values, bad


def _timestamps(strings: pa.Array, raw: RawBatch, ctx: ReadContext, bad: np.ndarray):
    """Parse timestamps to UTC microseconds; rows that fail are flagged with a reason."""
    n = len(strings)
    present = ~_np(pc.equal(strings, ""))
    if ctx.timestamp_format:
        micros, aware, failed = _with_format(strings, present, ctx.timestamp_format)
    else:
        aware = _np(pc.match_substring_regex(strings, _OFFSET)) & present
        micros, failed = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
        _iso(strings, aware, micros, failed, zoned=True)
        _iso(strings, present & ~aware, micros, failed, zoned=False)
    expected = ctx.timestamp_format or "ISO 8601"
    _flag(ctx, raw, bad, failed, "timestamp", strings, f"timestamp is not {expected}")
    naive = present & ~aware & ~failed
    if naive.any():
        _localize(micros, naive, strings, raw, ctx, bad)
    out_of_range = present & ~failed & ((micros < _MIN_US) | (micros > _MAX_US))
    _flag(ctx, raw, bad, out_of_range, "timestamp", strings, "timestamp is out of range")
    return micros


def _with_format(strings, present, fmt):
    nulls = pa.scalar(None, pa.string())
    parsed = pc.strptime(
        pc.if_else(pa.array(present), strings, nulls), format=fmt, unit="us", error_is_null=True
    )
    failed = present & ~_np(pc.is_valid(parsed))
    aware = present if parsed.type.tz is not None else np.zeros(len(strings), dtype=bool)
    micros = np.array(pc.cast(parsed, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
    return micros, aware, failed


def _iso(strings, rows, micros, failed, *, zoned: bool) -> None:
    """ISO 8601 for ``rows``: vectorised; per row only when the batch holds a bad one."""
    if not rows.any():
        return
    subset = pc.if_else(pa.array(rows), strings, pa.scalar(None, pa.string()))
    try:
        parsed = pc.cast(subset, _TS_UTC if zoned else pa.timestamp("us"))
        values = np.asarray(pc.cast(parsed, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        micros[rows] = values[rows]
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        for index in np.flatnonzero(rows):
            parsed = _iso_one(strings[int(index)].as_py(), zoned=zoned)
            if parsed is None:
                failed[index] = True
            else:
                micros[index] = parsed


def _iso_one(text: str, *, zoned: bool) -> int | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if (moment.tzinfo is not None) != zoned:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _localize(micros, naive, strings, raw, ctx, bad) -> None:
    """Read naive times in ``ctx.timezone``; DST gaps and repeats are row problems."""
    if ctx.timezone.upper() == "UTC":
        return
    local = pa.array(np.where(naive, micros, 0).astype("datetime64[us]"))
    try:
        early = pc.assume_timezone(
            local, ctx.timezone, ambiguous="earliest", nonexistent="earliest"
        )
        late = pc.assume_timezone(local, ctx.timezone, ambiguous="latest", nonexistent="latest")
    except pa.ArrowInvalid as exc:
        raise ReaderError(f"time zone {ctx.timezone!r} cannot be used: {exc}") from exc
    first = np.asarray(pc.cast(early, pa.int64()).to_numpy(), dtype=np.int64)
    last = np.asarray(pc.cast(late, pa.int64()).to_numpy(), dtype=np.int64)
    gap = naive & (last - first == 1)
    twice = naive & (last - first > 1)
    zone = ctx.timezone
    _flag(ctx, raw, bad, gap, "timestamp", strings, f"local time does not exist in {zone} (DST)")
    _flag(ctx, raw, bad, twice, "timestamp", strings, f"local time is ambiguous in {zone} (DST)")
    micros[naive] = first[naive]
