"""Geometries as files write them: decoded to shapely, curves linearised, the unstorable named.

No Django here. GDAL returns a GeoPackage's or shapefile's geometries as WKB exactly as stored,
which may be curved (CircularString, CompoundCurve, CurvePolygon, MultiCurve, MultiSurface),
surfaces of triangles (PolyhedralSurface, TIN, Triangle) or not even valid (a polygon ring that
is not closed). Shapely reads none of these, so :func:`wkb_decode` sorts them out per geometry:

- curved geometries are linearised by GDAL (its own linear approximation, the one ``ogr2ogr
  -nlt CONVERT_TO_LINEAR`` uses) and counted, so the upload can warn;
- TIN, PolyhedralSurface and Triangle are a problem naming the type (Sluis stores points,
  lines and polygons);
- a ring that is not closed is closed, and its index is reported so the data source's
  ``invalid_geometry`` rule decides (``repair`` keeps it, ``reject`` refuses the feature).
"""

from __future__ import annotations

import re
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
    unclosed: list[int] = field(default_factory=list)  # indices whose ring was closed


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
        decoded.unclosed.append(index)
        return
    decoded.problems[index] = f"unreadable geometry ({exc})"


def wkt_kind(text: str) -> str:
    """``"curved"``, the name of an unstorable surface type, or ``""`` for anything else."""
    words = {word.upper() for word in _WORD.findall(text)}
    for word, name in SURFACE_WORDS.items():
        if word in words:
            return name
    return "curved" if words & set(CURVED_WORDS) else ""
