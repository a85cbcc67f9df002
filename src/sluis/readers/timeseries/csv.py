"""Timeseries CSV, long (``location,parameter,timestamp,value[,unit][,flag]``) and wide
(``timestamp,LOC001/waterlevel,LOC002/waterlevel,...``).

The file is read in chunks of whole lines (memory stays bounded for a 500 MB upload; one line may
not exceed ``MAX_LINE_BYTES``). Each chunk is parsed by pyarrow's multi-threaded CSV parser; a chunk
pyarrow cannot take as-is (rows with the wrong number of fields, blank lines, quoted line breaks)
is re-parsed with the stdlib ``csv`` module, which knows the exact line of every row. Line numbers
in problems are physical lines of the file, the header being line 1.

Auto-detected: BOM, delimiter (``,`` ``;`` tab ``|`` counted in the header), line endings
(``\\n``, ``\\r\\n``, ``\\r``), encoding per chunk (UTF-8, else Latin-1). Settings override them.
Exports of DINOloket, KNMI and Rijkswaterstaat Waterinfo are recognised (``csv_profiles``) unless
the ``columns`` setting maps the columns itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sluis.readers.timeseries.batch import (
    FIELDS,
    RawBatch,
    ReadContext,
    ReaderError,
)
from sluis.readers.timeseries.csv_profiles import (
    Profile,
    csv_profile,
    header_offset,
    profile_batches,
    profile_columns,
)

BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_FIELD_BYTES = 128 * 1024  # a longer field is its row's problem (no timeseries value is)
DELIMITERS = (",", ";", "\t", "|")
ALIASES = {
    "location": ("location", "location_id", "locationid", "loc"),
    "parameter": ("parameter", "parameter_id", "parameterid", "param"),
    "timestamp": ("timestamp", "datetime", "date_time", "time", "date"),
    "value": ("value", "val"),
    "unit": ("unit", "units"),
    "flag": ("flag", "quality", "qualifier"),
}


def read_csv_timeseries(
    path: Path,
    ctx: ReadContext,
    ingest_settings: dict[str, Any],
    *,
    chunk_bytes: int = 8 << 20,
    max_columns: int = 10_000,
) -> Iterator[RawBatch]:
    """Yield raw batches of one CSV file; file-level problems raise ``ReaderError``, among them a
    header of more than ``max_columns`` columns (refused before any row is read)."""
    profile = None if "columns" in ingest_settings else csv_profile(path)
    if profile is not None and profile.header_line == 0:
        return  # an export that says it holds no measurements
    with open(path, "rb") as handle:
        first = 1
        if profile is not None:
            handle.seek(header_offset(path, profile.header_line))
            first = profile.header_line
            _profile_context(profile, ctx, ingest_settings)
        chunks = _line_chunks(handle, chunk_bytes, first)
        try:
            _, header_bytes, _ = next(chunks)
        except StopIteration:
            raise ReaderError("the file is empty") from None
        header_text = _decode(header_bytes, ingest_settings, first).rstrip("\r\n")
        if profile is not None:
            header_text = header_text.lstrip("#")
        delimiter = (
            ingest_settings.get("delimiter")
            or (profile.delimiter if profile else "")
            or _sniff_delimiter(header_text)
        )
        ctx.comma_separates_fields = delimiter == ","
        names = _header_names(header_text, delimiter, max_columns)
        layout = (
            _Profiled(profile, names, first) if profile else _layout(names, ingest_settings, ctx)
        )
        for start, chunk, _ in chunks:
            table_columns, lines = _parse_chunk(
                chunk, start, names, delimiter, ingest_settings, ctx
            )
            if len(lines):
                yield from layout.batches(table_columns, lines)


def _header_names(header_text: str, delimiter: str, max_columns: int) -> list[str]:
    """The header's column names; refused past ``max_columns`` (a wide CSV makes one series,
    and one batch per chunk, of each column)."""
    csv.field_size_limit(MAX_LINE_BYTES)
    names = next(csv.reader([header_text], delimiter=delimiter), [])
    if len(names) > max_columns:
        raise ReaderError(
            f"the header has {len(names)} columns; at most {max_columns} are accepted "
            "(SLUIS_TIMESERIES_MAX_COLUMNS)",
            line=1,
        )
    return names


def _profile_context(profile: Profile, ctx: ReadContext, ingest_settings: dict[str, Any]) -> None:
    """The profile's time format and zone, unless the data source sets its own format; a
    profile whose file states its zone (Waterinfo: CET) keeps it."""
    if profile.timestamp_format and not ingest_settings.get("timestamp_format"):
        ctx.timestamp_format = profile.timestamp_format
    if profile.timezone:
        ctx.timezone = profile.timezone


def _line_chunks(handle, chunk_bytes: int, line: int = 1) -> Iterator[tuple[int, bytes, int]]:
    """Yield (first line number, bytes of whole lines, line count): the header alone first.

    ``line`` is the number of the line the handle is positioned at (the header's)."""
    carry = b""
    first = True
    cr_only = None
    while True:
        block = handle.read(chunk_bytes)
        if cr_only is None and block.startswith(BOM):
            block = block[len(BOM) :]
        if cr_only is None and block:
            cr_only = b"\n" not in block[:MAX_LINE_BYTES] and b"\r" in block
        if cr_only:
            block = block.replace(b"\r", b"\n")
        data = carry + block
        if not block:
            if data.strip():
                yield from _emit(data + b"\n", line, first)
            return
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > MAX_LINE_BYTES:
                raise ReaderError(f"line {line} is longer than {MAX_LINE_BYTES} bytes", line=line)
            carry = data
            continue
        if data.find(b"\n") > MAX_LINE_BYTES:  # the carried line, now complete
            raise ReaderError(f"line {line} is longer than {MAX_LINE_BYTES} bytes", line=line)
        carry = data[cut:]
        for item in _emit(data[:cut], line, first):
            yield item
            line = item[0] + item[2]
        first = False


def _emit(data: bytes, line: int, first: bool) -> Iterator[tuple[int, bytes, int]]:
    if b"\x00" in data:
        bad = line + data[: data.index(b"\x00")].count(b"\n")
        raise ReaderError(f"line {bad} holds a NUL byte: this is not a text CSV file", line=bad)
    if first:
        cut = data.index(b"\n") + 1
        yield line, data[:cut], 1
        data, line = data[cut:], line + 1
    if data:
        yield line, data, data.count(b"\n")


def _decode(data: bytes, ingest_settings: dict[str, Any], line: int) -> str:
    encoding = ingest_settings.get("encoding")
    if encoding:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReaderError(f"near line {line}: not {encoding} text ({exc})", line=line) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _utf8(data: bytes, ingest_settings: dict[str, Any], line: int) -> bytes:
    encoding = (ingest_settings.get("encoding") or "").lower().replace("_", "-")
    if encoding in ("", "utf-8", "utf8"):
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            if encoding:
                raise ReaderError(f"near line {line}: not UTF-8 text", line=line) from None
    return _decode(data, ingest_settings, line).encode("utf-8")


def _sniff_delimiter(header: str) -> str:
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _parse_chunk(chunk, start, names, delimiter, ingest_settings, ctx):
    """Parse whole lines; returns ({column: string array}, line numbers)."""
    data = _utf8(chunk, ingest_settings, start)
    regular = b"\n\n" not in data and b"\n\r\n" not in data and not data.startswith((b"\n", b"\r"))
    if regular:
        columns = _parse_fast(data, names, delimiter)
        if columns is not None:
            count = len(next(iter(columns.values()))) if columns else 0
            return columns, np.arange(start, start + count, dtype=np.int64)
    return _parse_exact(data.decode("utf-8"), start, names, delimiter, ctx)


def _parse_fast(data: bytes, names, delimiter) -> dict[str, pa.Array] | None:
    irregular: list[bool] = []

    def on_invalid(row) -> str:
        irregular.append(True)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=_unique(names), block_size=4 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, newlines_in_values=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in _unique(names)},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if irregular:
        return None
    return {name: table.column(i).combine_chunks() for i, name in enumerate(_unique(names))}


def _parse_exact(text: str, start: int, names, delimiter, ctx: ReadContext):
    """Row by row with exact line numbers; rows of the wrong width are problems."""
    width = len(names)
    rows: list[list[str]] = []
    lines: list[int] = []
    csv.field_size_limit(MAX_LINE_BYTES)  # the line budget bounds fields; see MAX_FIELD_BYTES
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    last = 0
    for row in reader:
        line = start + last
        last = reader.line_num
        if not row or row == [""]:
            continue
        if len(row) > width and not any(field.strip() for field in row[width:]):
            row = row[:width]  # a trailing delimiter after the last field
        if problem := _row_problem(row, width):
            ctx.problem(problem, line=line, value=delimiter.join(row)[:200])
            ctx.report.rejected += 1
            continue
        rows.append(row)
        lines.append(line)
    columns = {
        name: pa.array([row[i] for row in rows], pa.string())
        for i, name in enumerate(_unique(names))
    }
    return columns, np.asarray(lines, dtype=np.int64)


def _row_problem(row: list[str], width: int) -> str | None:
    if len(row) != width:
        return f"row has {len(row)} fields, the header has {width}"
    if max(map(len, row)) > MAX_FIELD_BYTES:
        return f"a field is longer than {MAX_FIELD_BYTES // 1024} KiB"
    return None


def _unique(names: list[str]) -> list[str]:
    """pyarrow needs distinct column names; repeated header names get a suffix."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return out


def _layout(names: list[str], ingest_settings: dict[str, Any], ctx: ReadContext):
    found = _find_columns(_unique(names), ingest_settings.get("columns") or {})
    if "timestamp" not in found:
        raise ReaderError(
            f"no timestamp column in the header ({_listing(names)}); name it with the "
            'columns setting, e.g. {"columns": {"timestamp": "Datum"}} (an empty header, as '
            'pandas writes for its index, is "")',
            line=1,
        )
    if "location" in found or "value" in found:
        return _Long(found, ctx)
    return _Wide(found["timestamp"], [n for n in _unique(names) if n != found["timestamp"]], ctx)


def _find_columns(names: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Canonical field → header name, by the ``columns`` setting, else by name or alias."""
    lowered = {name.strip().lower(): name for name in names}
    found = {}
    for field_name in FIELDS:
        wanted = mapping.get(field_name)
        mapped = isinstance(wanted, str)  # "" names an empty header (a pandas index column)
        candidates = (wanted,) if isinstance(wanted, str) else ALIASES[field_name]
        for candidate in candidates:
            if candidate.strip().lower() in lowered:
                found[field_name] = lowered[candidate.strip().lower()]
                break
        else:
            if mapped:
                raise ReaderError(
                    f"column {wanted!r} (setting columns.{field_name}) is not in the header "
                    f"({_listing(names)})",
                    line=1,
                )
    return found


def _listing(names: list[str]) -> str:
    return ", ".join(repr(name) for name in names[:20]) or "empty"


class _Profiled:
    """A portal export (``csv_profiles``): its columns mean what the profile says."""

    def __init__(self, profile: Profile, names: list[str], line: int):
        stripped = [name.strip() for name in _unique(names)]
        missing = profile_columns(profile, stripped)
        if missing:
            raise ReaderError(
                f"looks like a {profile.name} but lacks the column(s) {', '.join(missing)}",
                line=line,
            )
        self.profile = profile
        self.names = dict(zip(_unique(names), stripped, strict=True))

    def batches(self, columns: dict[str, pa.Array], lines: np.ndarray) -> Iterator[RawBatch]:
        by_name = {self.names[name]: array for name, array in columns.items()}
        for series in profile_batches(self.profile, by_name, len(lines)):
            yield RawBatch(columns=series, lines=lines, missing_value=self.profile.missing)


class _Long:
    def __init__(self, found: dict[str, str], ctx: ReadContext):
        missing = [f for f in ("location", "value") if f not in found]
        if "parameter" not in found and not ctx.parameter:
            missing.append("parameter")
        if missing:
            raise ReaderError(
                "missing column(s): " + ", ".join(missing) + " (long format needs location, "
                "parameter, timestamp, value; or set a fixed 'parameter')",
                line=1,
            )
        self.found = found

    def batches(self, columns: dict[str, pa.Array], lines: np.ndarray) -> Iterator[RawBatch]:
        yield RawBatch(
            columns={field_name: columns[name] for field_name, name in self.found.items()},
            lines=lines,
        )


class _Wide:
    """One value column per series: ``LOC/parameter``, or a location with a fixed parameter."""

    def __init__(self, timestamp: str, series: list[str], ctx: ReadContext):
        if not series:
            raise ReaderError("no series columns next to the timestamp column", line=1)
        self.timestamp = timestamp
        self.series = [(name, *self._split(name, ctx)) for name in series]

    @staticmethod
    def _split(name: str, ctx: ReadContext) -> tuple[str, str]:
        if ctx.parameter:
            return name.strip(), ctx.parameter
        location, slash, parameter = name.strip().rpartition("/")
        if not slash or not location or not parameter:
            raise ReaderError(
                f"column {name!r} is not 'location/parameter' (wide format) and no fixed "
                "'parameter' is set",
                line=1,
                field=name,
            )
        return location, parameter

    def batches(self, columns: dict[str, pa.Array], lines: np.ndarray) -> Iterator[RawBatch]:
        count = len(lines)
        for name, location, parameter in self.series:
            yield RawBatch(
                columns={
                    "location": pa.array([location] * count, pa.string()),
                    "parameter": pa.array([parameter] * count, pa.string()),
                    "timestamp": columns[self.timestamp],
                    "value": columns[name],
                },
                lines=lines,
            )
