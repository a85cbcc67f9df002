"""Geometries as files write them: decoded to shapely, curves linearised, the unstorable named.

No Django here. GDAL returns a GeoPackage's or shapefile's geometries as WKB exactly as stored,
which may be curved (CircularString, CompoundCurve, CurvePolygon, MultiCurve, MultiSurface),
surfaces of triangles (PolyhedralSurface, TIN, Triangle) or not even valid (a polygon ring that
is not closed). Shapely reads none of these, so :func:`wkb_decode` sorts them out per geometry:

- curved geometries are linearised by GDAL (its own linear approximation, the one ``ogr2ogr
  -nlt CONVERT_TO_LINEAR`` uses) and counted, so the upload can warn;
- TIN, PolyhedralSurface and Triangle are a problem naming the type (Sluis stores points,
  lines and polygons);
- a ring that is not closed is closed, and a line of a single point (a GPS track of one fix)
  becomes that point; both are reported with the reason, so the data source's
  ``invalid_geometry`` rule decides (``repair`` keeps them, ``reject`` refuses the feature).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.errors import GEOSException

# OGC / ISO WKB geometry type codes (modulo 1000: Z, M and ZM variants add 1000, 2000, 3000)
SURFACE_TYPES = {15: "PolyhedralSurface", 16: "TIN", 17: "Triangle"}
CURVED_WORDS = ("CIRCULARSTRING", "COMPOUNDCURVE", "CURVEPOLYGON", "MULTICURVE", "MULTISURFACE")
SURFACE_WORDS = {"POLYHEDRALSURFACE": "PolyhedralSurface", "TIN": "TIN", "TRIANGLE": "Triangle"}
_UNKNOWN_TYPE = re.compile(r"Unknown WKB type (\d+)")
_WORD = re.compile(r"[A-Za-z]+")


def surface_problem(name: str) -> str:
    return (
        f"{name} geometries are not stored (Sluis stores points, lines and polygons); "
        "convert them to polygons first"
    )


@dataclass
class Decoded:
    """Shapely geometries (None where absent or refused) and what happened on the way."""

    geometries: np.ndarray
    problems: dict[int, str] = field(default_factory=dict)  # index -> reason (feature refused)
    linearised: int = 0
    repaired: dict[int, str] = field(default_factory=dict)  # index -> what was wrong


def wkb_decode(wkb: Sequence[bytes | None], linearise: Callable[[list[bytes]], list]) -> Decoded:
    """Decode ``wkb``; ``linearise`` turns curved WKB into linear WKB (``gdal.wkb_linearise``)."""
    values = np.asarray(wkb, dtype=object)
    try:
        return Decoded(np.asarray(shapely.from_wkb(values), dtype=object))
    except (GEOSException, NotImplementedError):
        pass  # something in this batch is unusual: go one by one
    decoded = Decoded(np.full(len(values), None, dtype=object))
    curved: list[int] = []
    for index, value in enumerate(values):
        try:
            decoded.geometries[index] = shapely.from_wkb(value)
        except NotImplementedError:
            curved.append(index)
        except GEOSException as exc:
            _unusual(decoded, index, value, exc)
    if curved:
        linear = linearise([values[i] for i in curved])
        for index, value in zip(curved, linear, strict=True):
            decoded.geometries[index] = shapely.from_wkb(value)
        decoded.linearised = len(curved)
    return decoded


def _unusual(decoded: Decoded, index: int, value: bytes, exc: GEOSException) -> None:
    if found := _UNKNOWN_TYPE.search(str(exc)):
        name = SURFACE_TYPES.get(int(found.group(1)) % 1000)
        if name:
            decoded.problems[index] = surface_problem(name)
            return
    if "closed" in str(exc):
        decoded.geometries[index] = shapely.from_wkb(value, on_invalid="fix")
        decoded.repaired[index] = "a polygon ring is not closed"
        return
    if point := _single_point_line(value):
        decoded.geometries[index] = point
        decoded.repaired[index] = "a line has a single point"
        return
    decoded.problems[index] = f"unreadable geometry ({exc})"


def _single_point_line(value: bytes) -> shapely.Geometry | None:
    """A LineString (or MultiLineString) WKB with one-point lines, read with those lines as
    points (a GPS track segment of one fix); None for anything else."""
    try:
        geometry, _ = _lines(value, 0)
    except (struct.error, ValueError, IndexError):
        return None
    return geometry


def _header(value: bytes, at: int) -> tuple[str, int, int]:
    if value[at] not in (0, 1):
        raise ValueError("not WKB")
    order = "<" if value[at] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", value, at + 1)
    base = code & 0x0FFFFFFF
    has_z = bool(code & 0x80000000) or base // 1000 in (1, 3)
    has_m = bool(code & 0x40000000) or base // 1000 in (2, 3)
    return order, base % 1000, 2 + has_z + has_m


def _lines(value: bytes, at: int) -> tuple[shapely.Geometry, int]:
    order, kind, size = _header(value, at)
    (count,) = struct.unpack_from(order + "I", value, at + 5)
    if kind == 2:
        flat = struct.unpack_from(order + "d" * (count * size), value, at + 9)
        coords = [flat[i : i + min(size, 3)] for i in range(0, len(flat), size)]
        shape = shapely.Point(coords[0]) if count == 1 else shapely.LineString(coords)
        return shape, at + 9 + 8 * count * size
    if kind != 5:
        raise ValueError("not a line")
    parts, at = [], at + 9
    for _ in range(count):
        part, at = _lines(value, at)
        parts.append(part)
    if all(isinstance(p, shapely.LineString) for p in parts):
        raise ValueError("no single-point line")  # the problem lies elsewhere
    if all(isinstance(p, shapely.Point) for p in parts):
        return (parts[0] if len(parts) == 1 else shapely.MultiPoint(parts)), at
    return shapely.GeometryCollection(parts), at


def wkt_kind(text: str) -> str:
    """``"curved"``, the name of an unstorable surface type, or ``""`` for anything else."""
    words = {word.upper() for word in _WORD.findall(text)}
    for word, name in SURFACE_WORDS.items():
        if word in words:
            return name
    return "curved" if words & set(CURVED_WORDS) else ""
