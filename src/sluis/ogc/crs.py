"""Coordinate reference systems the OGC services offer, and moving coordinates between them.

No Django here. Stored geometries are GeoJSON in WGS84 longitude/latitude (``CRS84``). A
response in another CRS is reprojected with pyproj, axis order included: ``EPSG:4326`` named by
its URI or URN is latitude first (as OGC API Part 2 and WFS 2.0 require), ``EPSG:4326`` written
as the short code is longitude first (as every WFS client sends it and Nexus reads it).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shapely
from pyproj import Transformer

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Crs:
    """One CRS in one axis order: ``epsg`` None is CRS84 (WGS84 longitude/latitude)."""

    epsg: int | None
    lat_first: bool = False

    @property
    def uri(self) -> str:
        if self.epsg is None:
            return CRS84_URI
        return f"http://www.opengis.net/def/crs/EPSG/0/{self.epsg}"

    @property
    def urn(self) -> str:
        return "urn:ogc:def:crs:OGC:1.3:CRS84" if self.epsg is None else self.short_urn

    @property
    def short_urn(self) -> str:
        return f"urn:ogc:def:crs:EPSG::{self.epsg or 4326}"

    @property
    def is_crs84(self) -> bool:
        return self.epsg is None or (self.epsg == 4326 and not self.lat_first)


CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84 = Crs(None)
EPSG_4326 = Crs(4326, lat_first=True)
EPSG_28992 = Crs(28992)
EPSG_3857 = Crs(3857)
# the CRSs a feature response can be in (OGC API Part 2, WFS srsName), URIs first
FEATURE_CRSS = (CRS84, EPSG_4326, EPSG_28992)


class UnknownCrs(ValueError):
    """The text names no CRS this service offers."""


def crs_parse(text: str, *, offered: tuple[Crs, ...] = FEATURE_CRSS) -> Crs:
    """The CRS named by an OGC URI, URN or ``EPSG:n`` code; ``UnknownCrs`` if not offered."""
    name = text.strip().strip("[]").lower()
    if name in {"crs84", "ogc:crs84", "urn:ogc:def:crs:ogc:1.3:crs84", CRS84_URI.lower()}:
        crs = CRS84
    else:
        crs = _epsg_crs(name)
    known = {(c.epsg or 4326, c.lat_first) for c in offered}
    if (crs.epsg or 4326, crs.lat_first) not in known and not (crs.is_crs84 and CRS84 in offered):
        raise UnknownCrs(text)
    return crs


def _epsg_crs(name: str) -> Crs:
    for prefix, lat_first in (
        ("http://www.opengis.net/def/crs/epsg/0/", True),
        ("urn:ogc:def:crs:epsg::", True),
        ("urn:ogc:def:crs:epsg:", True),
        ("urn:x-ogc:def:crs:epsg:", True),
        ("http://www.opengis.net/gml/srs/epsg.xml#", False),
        ("epsg:", False),
    ):
        if name.startswith(prefix):
            code = name[len(prefix) :].rsplit(":", 1)[-1]
            if code.isdigit():
                epsg = int(code)
                return Crs(epsg, lat_first=lat_first and epsg == 4326)
    raise UnknownCrs(name)


@lru_cache(maxsize=16)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(f"EPSG:{source}", f"EPSG:{target}", always_xy=True)


def bbox_to_crs84(bbox: BBox, crs: Crs) -> BBox:
    """A bbox given in ``crs`` (in its axis order) as CRS84 west, south, east, north."""
    if crs.lat_first:
        bbox = (bbox[1], bbox[0], bbox[3], bbox[2])
    if crs.is_crs84 or crs.epsg == 4326:
        return bbox
    return _transformer(crs.epsg, 4326).transform_bounds(*bbox, densify_pts=21)


def bbox_from_crs84(bbox: BBox, crs: Crs) -> BBox:
    """A CRS84 bbox in ``crs``, in its axis order."""
    if not (crs.is_crs84 or crs.epsg == 4326):
        bbox = _transformer(4326, crs.epsg).transform_bounds(*bbox, densify_pts=21)
    if crs.lat_first:
        bbox = (bbox[1], bbox[0], bbox[3], bbox[2])
    return bbox


def geometry_transform(geometry: shapely.Geometry, crs: Crs) -> shapely.Geometry:
    """A CRS84 geometry's coordinates in ``crs``, in its axis order."""
    if crs.is_crs84:
        return geometry
    if crs.epsg == 4326:
        return shapely.transform(geometry, lambda xy: xy[:, ::-1])
    transformer = _transformer(4326, crs.epsg)
    return shapely.transform(geometry, lambda x, y: transformer.transform(x, y), interleaved=False)


def geojson_in(geometry_text: str | None, crs: Crs) -> str:
    """Stored GeoJSON geometry text in ``crs`` (unchanged text for CRS84)."""
    if not geometry_text:
        return "null"
    if crs.is_crs84:
        return geometry_text
    return shapely.to_geojson(geometry_transform(shapely.from_geojson(geometry_text), crs))


def point_to_lonlat(epsg: int, x: float, y: float) -> tuple[float, float]:
    """A point in ``EPSG:epsg`` (x first) as WGS84 longitude, latitude."""
    if epsg == 4326:
        return x, y
    return _transformer(epsg, 4326).transform(x, y)
