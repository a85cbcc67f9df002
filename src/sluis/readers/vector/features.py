"""Turning raw vector batches (attributes + shapely geometries) into storable feature rows.

Every format reader (``vector.py`` for the GDAL formats, ``csv_vector.py`` for CSV) yields
``RawBatch`` objects; ``FeatureBuilder`` reprojects them to WGS84, applies the invalid-geometry
policy, derives ``id_src`` (refusing duplicates), and encodes geometry and properties as GeoJSON
text. Rows with a problem are reported (with file and feature number or CSV line) and dropped;
the processor decides whether the upload still succeeds (``on_error``). No Django here.
"""

from __future__ import annotations

import base64
import json
import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import compress
from json.encoder import encode_basestring
from typing import Any, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from sluis.formats.errors import VectorInputError
from sluis.formats.records import Report

# (id_src, geometry GeoJSON text or None, properties JSON text, minx, miny, maxx, maxy)
Row = tuple[str | None, str | None, str, float | None, float | None, float | None, float | None]


@dataclass
class FeatureBatch:
    """Storable features, column by column (bulk writers format whole columns at once).

    ``bounds`` is an (n, 4) float array (minx, miny, maxx, maxy), NaN for features without a
    geometry or with an empty one.
    """

    ids: list[str | None]
    geometries: list[str | None]
    properties: list[str]
    bounds: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self) -> list[Row]:
        box = self.bounds.astype(object)
        box[np.isnan(self.bounds)] = None
        columns = (self.ids, self.geometries, self.properties, *box.T.tolist())
        return list(zip(*columns, strict=True))

    @classmethod
    def from_rows(cls, rows) -> FeatureBatch:
        ids, geometries, properties, *bounds = zip(*rows, strict=True) if rows else ([],) * 7
        box = np.array(list(zip(*bounds, strict=True)), dtype=float).reshape(len(ids), 4)
        return cls(list(ids), list(geometries), list(properties), box)


DEFAULT_ID_FIELDS = ("id", "fid")
_WGS84 = CRS.from_epsg(4326)


@dataclass(frozen=True)
class VectorOptions:
    """The data source's ingest settings that vector reading uses, plus the site limits."""

    layer: str | None = None
    id_field: str | None = None
    source_crs: str | None = None
    geometry_columns: dict | None = None
    invalid_geometry: str = "repair"
    delimiter: str | None = None
    decimal: str = "."
    encoding: str | None = None
    geojson_max_bytes: int = 100 * 1024 * 1024
    max_features: int = 5_000_000
    batch_size: int = 50_000

    @classmethod
    def from_settings(cls, ingest_settings: dict[str, Any], **limits: Any) -> VectorOptions:
        keys = ("layer", "id_field", "source_crs", "geometry_columns", "delimiter", "encoding")
        values = {key: ingest_settings[key] for key in keys if ingest_settings.get(key)}
        values["invalid_geometry"] = ingest_settings.get("invalid_geometry", "repair")
        values["decimal"] = ingest_settings.get("decimal", ".")
        return cls(**values, **limits)


@dataclass
class RawBatch:
    """Features as read: attribute columns, shapely geometries (or None), and where they are.

    ``crs`` is what the file declares (or implies, e.g. lon/lat CSV); ``fids`` are ids the format
    carries outside its attributes (GeoPackage ``fid``, GeoJSON integer ``id`` members);
    ``lines`` are CSV line numbers, else features are numbered from ``start`` + 1;
    ``bad_rows`` are rows the format reader already found wrong (index -> reason);
    ``linearised`` counts curved geometries GDAL linearised; ``repaired`` are geometries the
    decoder had to mend to read at all (index -> what was wrong; ``invalid_geometry`` decides).
    """

    file: str
    attributes: pa.Table | pa.RecordBatch
    geometries: np.ndarray
    crs: str | None
    start: int = 0
    fids: list | None = None
    lines: list[int] | None = None
    bad_rows: dict[int, str] = field(default_factory=dict)
    linearised: int = 0
    repaired: dict[int, str] = field(default_factory=dict)


@dataclass
class FeatureBuilder:
    """Stateful across the batches of one upload: the seen ids and the repair count."""

    options: VectorOptions
    report: Report
    seen: dict[str, int] = field(default_factory=dict)  # id -> ordinal of its first feature
    # (first ordinal, file, start, lines) per batch with ids: where an ordinal came from
    _origins: list[tuple[int, str, int, list[int] | None]] = field(default_factory=list)
    _count: int = 0
    repaired: int = 0
    repaired_examples: list[str] = field(default_factory=list)
    linearised: int = 0
    _transformers: dict[str | None, Transformer | None] = field(default_factory=dict)

    def build(self, raw: RawBatch) -> FeatureBatch:
        """Features ready for storage; problem rows are reported, counted as rejected, dropped."""
        bad = np.zeros(len(raw.geometries), dtype=bool)
        for index, message in raw.bad_rows.items():
            self.problem(raw, index, message)
            bad[index] = True
        self.linearised += raw.linearised
        geoms = self._not_a_number_check(raw, self._to_wgs84(raw), bad)
        geoms = self._apply_validity_policy(raw, geoms, bad)
        bounds = self._bounds(raw, geoms, bad)
        ids = self._ids(raw, bad)
        shapes = shapely.to_geojson(geoms).tolist()
        props = properties_json(raw.attributes)
        rejected = int(bad.sum())
        self.report.rejected += rejected
        if not rejected:
            return FeatureBatch(ids, shapes, props, bounds)
        keep = ~bad
        return FeatureBatch(
            list(compress(ids, keep)),
            list(compress(shapes, keep)),
            list(compress(props, keep)),
            bounds[keep],
        )

    def finish(self) -> None:
        """Report what was only counted: repaired geometries (a warning)."""
        if self.repaired:
            examples = ", ".join(self.repaired_examples)
            self.report.warn(
                f"{self.repaired} invalid geometries were repaired with make_valid "
                f"(e.g. {examples}); set invalid_geometry to 'reject' to refuse them instead."
            )
        if self.linearised:
            self.report.warn(
                f"{self.linearised} curved geometries (circular arcs, curve polygons) were "
                "linearised with GDAL's linear approximation: Sluis stores straight segments."
            )

    def problem(self, raw: RawBatch, index: int, message: str, **where: Any) -> None:
        self.report.add(message, **where, **_location(raw, index))

    # --- geometry -------------------------------------------------------------------------

    def _to_wgs84(self, raw: RawBatch) -> np.ndarray:
        transformer = self._transformer(raw.crs, raw.file)
        if transformer is None:
            return raw.geometries
        return shapely.transform(raw.geometries, _xy_transform(transformer), include_z=None)

    def _transformer(self, crs: str | None, file: str) -> Transformer | None:
        source = self.options.source_crs or crs
        if source not in self._transformers:
            self._transformers[source] = _make_transformer(source, file)
        return self._transformers[source]

    def _not_a_number_check(self, raw: RawBatch, geoms: np.ndarray, bad: np.ndarray):
        """A coordinate that is NaN or infinite is the feature's problem (under ``on_error``).

        GDAL reads a GeoJSON ``NaN`` although JSON has none, and a point of NaN is, in WKB, the
        empty point: stored as is, it would silently become ``POINT EMPTY``. So an empty point
        counts too. Flagged features lose their geometry here, so no later check repeats them.
        """
        coords, index = shapely.get_coordinates(geoms, return_index=True)
        broken = np.zeros(len(geoms), dtype=bool)
        broken[index[~np.isfinite(coords).all(axis=1)]] = True
        broken |= (shapely.get_type_id(geoms) == 0) & shapely.is_empty(geoms)
        broken &= ~bad
        if not broken.any():
            return geoms
        for i in np.flatnonzero(broken):
            self.problem(
                raw, int(i), "a coordinate is not a number (NaN or infinite), or the point is empty"
            )
        bad |= broken
        geoms = geoms.copy()
        geoms[broken] = None
        return geoms

    def _apply_validity_policy(self, raw: RawBatch, geoms: np.ndarray, bad: np.ndarray):
        invalid = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
        invalid[list(raw.repaired)] = True
        invalid &= ~bad
        if not invalid.any():
            return geoms
        if self.options.invalid_geometry == "reject":
            for i in np.flatnonzero(invalid):
                reason = raw.repaired.get(int(i)) or shapely.is_valid_reason(geoms[i])
                self.problem(raw, int(i), f"invalid geometry: {reason}", value=reason)
            bad |= invalid
            return geoms
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
        self.repaired += int(invalid.sum())
        for i in np.flatnonzero(invalid)[: 3 - len(self.repaired_examples)]:
            self.repaired_examples.append(_label(raw, i))
        return geoms

    def _bounds(self, raw: RawBatch, geoms: np.ndarray, bad: np.ndarray) -> np.ndarray:
        bounds = shapely.bounds(geoms)
        present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        finite = np.isfinite(bounds).all(axis=1)
        inside = (
            (bounds[:, 0] >= -180.000001)
            & (bounds[:, 2] <= 180.000001)
            & (bounds[:, 1] >= -90.000001)
            & (bounds[:, 3] <= 90.000001)
        )
        for i in np.flatnonzero(present & ~(finite & inside) & ~bad):
            self.problem(raw, int(i), _range_message(self.options.source_crs, raw.crs))
            bad[i] = True
        return bounds

    # --- ids ------------------------------------------------------------------------------

    def _ids(self, raw: RawBatch, bad: np.ndarray) -> list[str | None]:
        ids = self._id_texts(raw)
        if ids is None:
            return [None] * len(raw.geometries)
        base = self._count
        self._origins.append((base, raw.file, raw.start, raw.lines))
        self._count += len(ids)
        if not self._ids_need_checking(ids, bad):
            present = cast("list[str]", ids)  # the quick path: no id is missing
            self.seen.update(zip(present, range(base, base + len(ids)), strict=True))
            return ids
        for i, id_src in enumerate(ids):
            if bad[i]:
                continue
            if id_src is None and not self.options.id_field:
                continue  # a default id field (id/fid) may be empty; a configured one may not
            if id_src is None or "\x00" in id_src:
                self.problem(raw, i, "the feature has no usable id", field=self._id_name(raw))
                bad[i] = True
            elif id_src in self.seen:
                first = self._label_of(self.seen[id_src])
                self.problem(raw, i, f"duplicate id (first used by {first})", value=id_src)
                bad[i] = True
            else:
                self.seen[id_src] = base + i
        return ids

    def _ids_need_checking(self, ids: list[str | None], bad: np.ndarray) -> bool:
        """The quick path: no rejected rows, no missing ids, no NUL, all new and distinct."""
        if bad.any() or None in ids:
            return True
        return (
            "\x00" in "".join(ids)  # type: ignore[arg-type]
            or len(set(ids)) != len(ids)
            or not self.seen.keys().isdisjoint(ids)
        )

    def _label_of(self, ordinal: int) -> str:
        firsts = [origin[0] for origin in self._origins]
        first, file, start, lines = self._origins[bisect_right(firsts, ordinal) - 1]
        offset = ordinal - first
        if lines is not None:
            return f"{file} line {lines[offset]}"
        return f"{file} feature {start + offset + 1}"

    def _id_texts(self, raw: RawBatch) -> list[str | None] | None:
        name = self._id_name(raw)
        if name is None:
            return None if raw.fids is None else [str(fid) for fid in raw.fids]
        column = raw.attributes.column(name)
        if pa.types.is_integer(column.type):
            return pc.cast(column, pa.string()).to_pylist()
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            return [value or None for value in column.to_pylist()]
        return [_id_text(value) for value in column.to_pylist()]

    def _id_name(self, raw: RawBatch) -> str | None:
        names = raw.attributes.schema.names
        if self.options.id_field:
            if self.options.id_field not in names:
                listed = ", ".join(names) or "none"
                raise VectorInputError(
                    f"{raw.file}: the id field {self.options.id_field!r} (setting id_field) is "
                    f"not an attribute of the data; attributes: {listed}."
                )
            return self.options.id_field
        return next((name for name in DEFAULT_ID_FIELDS if name in names), None)


def _make_transformer(source: str | None, file: str) -> Transformer | None:
    if not source:
        raise VectorInputError(
            f"{file}: the data has no coordinate reference system; set the data source's "
            "'source_crs' setting (e.g. 'EPSG:28992') or upload a file that declares one."
        )
    try:
        crs = CRS.from_user_input(source)
    except CRSError as exc:
        raise VectorInputError(f"{file}: unknown coordinate reference system {source!r}.") from exc
    if crs.equals(_WGS84, ignore_axis_order=True) or crs.equals(CRS("OGC:CRS84")):
        return None
    return Transformer.from_crs(crs, _WGS84, always_xy=True)


def _xy_transform(transformer: Transformer):
    def transform(coords: np.ndarray) -> np.ndarray:
        out = np.array(coords, dtype=float, copy=True)
        out[:, 0], out[:, 1] = transformer.transform(coords[:, 0], coords[:, 1])
        return out

    return transform


def _range_message(override: str | None, crs: str | None) -> str:
    source = override or crs
    return (
        f"coordinates fall outside longitude -180..180 / latitude -90..90 after reprojection "
        f"from {source}; is the coordinate reference system right (setting source_crs)?"
    )


def _id_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _label(raw: RawBatch, index: int) -> str:
    if raw.lines is not None:
        return f"{raw.file} line {raw.lines[index]}"
    return f"{raw.file} feature {raw.start + index + 1}"


def _location(raw: RawBatch, index: int) -> dict[str, Any]:
    if raw.lines is not None:
        return {"file": raw.file, "line": raw.lines[index]}
    return {"file": raw.file, "feature": str(raw.start + index + 1)}


# --- properties -----------------------------------------------------------------------------


def properties_json(attributes: pa.Table | pa.RecordBatch) -> list[str]:
    """One JSON object text per row, keys in column order, values with their JSON types.

    Integers, floats, booleans and strings keep their types; NaN and infinities become null (JSON
    has no NaN); dates and times become ISO 8601 strings; binary values base64 strings. Values
    are encoded column by column (the per-row work is one string format), which is what makes
    a million features take seconds rather than minutes.
    """
    names = attributes.schema.names
    if not names:
        return ["{}"] * attributes.num_rows
    template = "{" + ", ".join(_key(name) + ": %s" for name in names) + "}"
    columns = [_encoded(attributes.column(i)) for i in range(len(names))]
    return [template % values for values in zip(*columns, strict=True)]


def _key(name: str) -> str:
    return encode_basestring(name).replace("%", "%%")


def _encoded(column: pa.Array | pa.ChunkedArray) -> list[str]:
    """JSON text of every value of one column."""
    kind = column.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return pc.cast(column, pa.string()).fill_null("null").to_pylist()
    if pa.types.is_floating(kind):
        return _floats(column)
    values = column.to_pylist()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return ["null" if v is None else encode_basestring(v) for v in values]
    return [_dumps(value) for value in values]


def _floats(column: pa.Array | pa.ChunkedArray) -> list[str]:
    """Shortest round-trip text (Arrow), with ``.0`` kept on whole numbers so that floats stay
    floats for JSON readers that tell them apart; NaN and infinities become null."""
    finite = pc.if_else(pc.is_finite(column), column, pa.scalar(None, column.type))
    text = pc.cast(finite, pa.string())
    whole = pc.invert(pc.match_substring_regex(text, "[.eEn]"))
    text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
    return text.fill_null("null").to_pylist()


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)
    except ValueError:  # a NaN nested in a list or struct
        return json.dumps(_without_nan(value), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def _without_nan(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_nan(item) for item in value]
    return value
