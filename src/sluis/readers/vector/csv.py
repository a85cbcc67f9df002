"""CSV as vector data: a point per row from lon/lat columns, or any geometry from a WKT column.

Read with pyarrow (typed columns, fast). Geometry columns come from the ``geometry_columns``
setting (``{"lon": .., "lat": ..}`` or ``{"wkt": ..}``) or are recognised by name when that is
unambiguous. Lon/lat values are taken as WGS84 (EPSG:4326) unless ``source_crs`` says otherwise;
WKT carries no CRS, so it needs ``source_crs``. Line numbers count the header as line 1.
No Django here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyarrow import csv as pacsv

from sluis.formats.records import Member
from sluis.readers import gdal
from sluis.readers.vector.features import RawBatch, VectorInputError, VectorOptions
from sluis.readers.vector.geometries import surface_problem, wkt_kind

LON_NAMES = ("lon", "lng", "long", "longitude", "x")
LAT_NAMES = ("lat", "latitude", "y")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "wkt_geometry")
DELIMITERS = (",", ";", "\t", "|")
MAX_LINE_BYTES = 8 << 20  # a longer line is refused before pyarrow reads the file
_BLOCK = 16 << 20  # pyarrow's block size: must hold the longest line
_CHUNK = 1 << 20


def csv_batches(member: Member, options: VectorOptions) -> Iterator[RawBatch]:
    table = _read_table(member, options)
    if table.num_rows > options.max_features:
        raise VectorInputError(
            f"{member.name} holds {table.num_rows} rows; the limit is {options.max_features}."
        )
    columns = geometry_columns(table.schema.names, options, member.name)
    geometries, bad, linearised = _geometries(table, columns, options.decimal, member.path.parent)
    attributes = table.drop_columns(list(columns.values()))
    crs = "EPSG:4326" if "lon" in columns else None
    for offset in range(0, table.num_rows, options.batch_size):
        length = min(options.batch_size, table.num_rows - offset)
        yield RawBatch(
            file=member.name,
            attributes=attributes.slice(offset, length),
            geometries=geometries[offset : offset + length],
            crs=crs,
            start=offset,
            lines=list(range(offset + 2, offset + length + 2)),
            bad_rows={i - offset: bad[i] for i in bad if offset <= i < offset + length},
            linearised=sum(1 for i in linearised if offset <= i < offset + length),
        )


def _read_table(member: Member, options: VectorOptions) -> pa.Table:
    check_line_lengths(member)
    delimiter = options.delimiter or _sniff_delimiter(member)
    try:
        table = pacsv.read_csv(
            member.path,
            read_options=pacsv.ReadOptions(encoding=options.encoding or "utf8", block_size=_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(decimal_point=options.decimal),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError) as exc:
        hint = " (set the 'encoding' setting?)" if "UTF8" in str(exc).upper() else ""
        raise VectorInputError(f"{member.name}: not a readable CSV file: {exc}{hint}") from exc
    binary = [field.name for field in table.schema if pa.types.is_binary(field.type)]
    if binary:
        raise VectorInputError(
            f"{member.name}: column(s) {', '.join(binary)} are not valid "
            f"{options.encoding or 'UTF-8'} text (set the 'encoding' setting?)."
        )
    return table


def check_line_lengths(member: Member) -> None:
    """Refuse a line longer than ``MAX_LINE_BYTES`` in one streaming pass (bounded memory).

    A line shorter than a chunk fits in it, so only the run of bytes without a newline across
    chunk boundaries needs tracking.
    """
    run, line = 0, 1
    with open(member.path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            first = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
            if run + (first if first >= 0 else len(chunk)) > MAX_LINE_BYTES:
                raise VectorInputError(
                    f"{member.name}: line {line} is longer than {MAX_LINE_BYTES >> 20} MB."
                )
            if first >= 0:
                run = len(chunk) - max(chunk.rfind(b"\n"), chunk.rfind(b"\r")) - 1
                line += chunk.count(b"\n") or chunk.count(b"\r")
            else:
                run += len(chunk)


def _sniff_delimiter(member: Member) -> str:
    with open(member.path, "rb") as handle:
        first = handle.read(65536).split(b"\n", 1)[0]
    counts = {d: first.count(d.encode()) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def geometry_columns(names: list[str], options: VectorOptions, file: str) -> dict[str, str]:
    """``{"lon": .., "lat": ..}`` or ``{"wkt": ..}``: from the setting, else found by name."""
    if options.geometry_columns:
        return _configured(names, options.geometry_columns, file)
    lon, lat, wkt = (_named(names, candidates) for candidates in (LON_NAMES, LAT_NAMES, WKT_NAMES))
    if len(lon) == 1 and len(lat) == 1 and not wkt:
        return {"lon": lon[0], "lat": lat[0]}
    if len(wkt) == 1 and not (lon or lat):
        return {"wkt": wkt[0]}
    raise VectorInputError(
        f"{file}: cannot tell which columns hold the geometry (columns: {', '.join(names)}); "
        'set the data source\'s \'geometry_columns\' setting to {"lon": ..., "lat": ...} '
        'or {"wkt": ...}.'
    )


def _configured(names: list[str], configured: dict, file: str) -> dict[str, str]:
    if set(configured) not in ({"lon", "lat"}, {"wkt"}):
        raise VectorInputError(
            'The \'geometry_columns\' setting must be {"lon": ..., "lat": ...} or {"wkt": ...}.'
        )
    missing = [str(name) for name in configured.values() if name not in names]
    if missing:
        raise VectorInputError(
            f"{file}: column(s) {', '.join(missing)} named in 'geometry_columns' are missing; "
            f"columns: {', '.join(names)}."
        )
    return dict(configured)


def _named(names: list[str], candidates: tuple[str, ...]) -> list[str]:
    return [name for name in names if name.strip().lower() in candidates]


def _geometries(
    table: pa.Table, columns: dict[str, str], decimal: str, work_dir: Path
) -> tuple[np.ndarray, dict[int, str], set[int]]:
    if "wkt" in columns:
        return _wkt_geometries(table.column(columns["wkt"]), work_dir)
    lon, lon_bad = _numbers(table.column(columns["lon"]), columns["lon"], decimal)
    lat, lat_bad = _numbers(table.column(columns["lat"]), columns["lat"], decimal)
    bad = dict(sorted({**lat_bad, **lon_bad}.items()))
    geometries = shapely.points(lon, lat)
    geometries[list(bad)] = None
    return geometries, bad, set()


def _numbers(column: pa.ChunkedArray, name: str, decimal: str) -> tuple[np.ndarray, dict[int, str]]:
    """Floats of a coordinate column; unparseable or missing cells are reported by row."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        values = np.where(np.isnan(values), 0.0, values) if column.null_count else values
        bad = {int(i): f"{name} is empty" for i in np.flatnonzero(column.is_null().to_numpy(False))}
        return values, bad
    values = np.zeros(len(column), dtype=float)
    bad = {}
    for i, text in enumerate(column.to_pylist()):
        if not text:
            bad[i] = f"{name} is empty"
            continue
        try:
            values[i] = float(text.replace(decimal, ".") if decimal != "." else text)
        except (TypeError, ValueError):
            bad[i] = f"{name} {text!r} is not a number"
            continue
        if not math.isfinite(values[i]):
            bad[i] = f"{name} {text!r} is not a finite number"
            values[i] = 0.0
    return values, bad


def _wkt_geometries(
    column: pa.ChunkedArray, work_dir: Path
) -> tuple[np.ndarray, dict[int, str], set[int]]:
    """Shapely geometries, problems (index -> reason) and the indices GDAL linearised."""
    texts = np.asarray(column.cast(pa.string()).to_pylist(), dtype=object)
    try:
        geometries = shapely.from_wkt(texts, on_invalid="ignore")
        curved: list[int] = []
    except NotImplementedError:  # a curved geometry: sort them out one by one
        geometries, curved = _one_by_one(texts)
    bad = {}
    for i in np.flatnonzero(shapely.is_missing(geometries)):
        if int(i) not in curved:
            bad[int(i)] = _wkt_problem(texts[i])
    if curved:
        linear = gdal.wkt_linear([texts[i] for i in curved], work_dir)
        for index, value in zip(curved, linear, strict=True):
            if value is None:
                bad[index] = f"not valid WKT: {str(texts[index])[:80]!r}"
            else:
                geometries[index] = shapely.from_wkb(value)
    return np.asarray(geometries, dtype=object), bad, set(curved) - set(bad)


def _one_by_one(texts: np.ndarray) -> tuple[np.ndarray, list[int]]:
    geometries = np.full(len(texts), None, dtype=object)
    curved = []
    for i, text in enumerate(texts):
        try:
            geometries[i] = shapely.from_wkt(text, on_invalid="ignore")
        except NotImplementedError:
            curved.append(i)
    return geometries, curved


def _wkt_problem(text: str | None) -> str:
    if not text:
        return "geometry is empty"
    kind = wkt_kind(text)
    if kind and kind != "curved":
        return surface_problem(kind)
    return f"not valid WKT: {str(text)[:80]!r}"
