"""GML encoding of stored features for WFS: GML 3.2 (WFS 2.0.0) and GML 3.1.1 (WFS 1.1.0).

No Django here. Geometries come as shapely objects already in the output CRS and axis order;
coordinates are written in two dimensions. Property names become XML element names through
``xml_name`` (the same function names them in DescribeFeatureType).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import shapely

NS = "urn:sluis:features"
PREFIX = "sluis"
GML32 = "http://www.opengis.net/gml/3.2"
GML311 = "http://www.opengis.net/gml"
WFS20 = "http://www.opengis.net/wfs/2.0"
WFS11 = "http://www.opengis.net/wfs"
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass(frozen=True)
class Flavour:
    """What differs between the two WFS versions' GML."""

    wfs: str
    gml: str
    member: str  # element wrapping each feature in the collection
    version: str

    @property
    def is_gml32(self) -> bool:
        return self.gml == GML32


WFS_2 = Flavour(wfs=WFS20, gml=GML32, member="wfs:member", version="2.0.0")
WFS_1_1 = Flavour(wfs=WFS11, gml=GML311, member="gml:featureMember", version="1.1.0")


def xml_name(key: str) -> str:
    """A property name as an XML element name: other characters become ``_``."""
    name = _NOT_NAME.sub("_", key) or "_"
    return name if name[0].isalpha() or name[0] == "_" else f"_{name}"


@dataclass(frozen=True)
class GmlFeature:
    pk: int
    id_src: str | None
    geometry: shapely.Geometry | None
    properties: dict[str, Any]


def collection_head(
    *, flavour: Flavour, matched: int, returned: int, timestamp: str, schema_url: str, hits: bool
) -> str:
    """The opening tag; for ``hits`` WFS 1.1.0 reports the matched count (2.0.0 has both)."""
    location = f"{NS} {escape(schema_url)}"
    if flavour.is_gml32:
        location += f" {WFS20} http://schemas.opengis.net/wfs/2.0/wfs.xsd"
        counts = f'numberMatched="{matched}" numberReturned="{returned}"'
    else:
        location += f" {WFS11} http://schemas.opengis.net/wfs/1.1.0/wfs.xsd"
        counts = f'numberOfFeatures="{matched if hits else returned}"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<wfs:FeatureCollection xmlns:wfs="{flavour.wfs}" xmlns:gml="{flavour.gml}" '
        f'xmlns:{PREFIX}="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{location}" {counts} timeStamp="{timestamp}">'
    )


def feature_collection(
    *,
    flavour: Flavour,
    type_name: str,
    srs_name: str,
    features: Iterable[GmlFeature],
    head: str,
) -> Iterator[str]:
    """The collection as text chunks (a streamed response body)."""
    yield head
    for feature in features:
        body = feature_xml(type_name, srs_name, feature)
        yield f"<{flavour.member}>{body}</{flavour.member}>"
    yield "</wfs:FeatureCollection>\n"


def feature_xml(type_name: str, srs_name: str, feature: GmlFeature) -> str:
    fid = f"{type_name}.{feature.pk}"
    parts = [f'<{PREFIX}:{type_name} gml:id="{fid}">']
    if feature.id_src is not None:
        parts.append(f"<{PREFIX}:id_src>{escape(feature.id_src)}</{PREFIX}:id_src>")
    if feature.geometry is not None and not feature.geometry.is_empty:
        shape = geometry_xml(feature.geometry, srs_name, f"{fid}.g")
        parts.append(f"<{PREFIX}:geometry>{shape}</{PREFIX}:geometry>")
    for key, value in feature.properties.items():
        name = xml_name(key)
        if value is not None and name not in ("id_src", "geometry"):
            parts.append(f"<{PREFIX}:{name}>{escape(_text(value))}</{PREFIX}:{name}>")
    parts.append(f"</{PREFIX}:{type_name}>")
    return "".join(parts)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def geometry_xml(geometry: shapely.Geometry, srs_name: str, gml_id: str) -> str:
    """A geometry as GML (the ``srsName`` on the outer element only)."""
    head = f"srsName={quoteattr(srs_name)} gml:id={quoteattr(gml_id)}"
    return _geometry(geometry, head, gml_id)


def _geometry(geometry: shapely.Geometry, head: str, gml_id: str) -> str:
    kind = geometry.geom_type
    if kind == "Point":
        return f"<gml:Point {head}><gml:pos>{_coords([geometry.coords[0]])}</gml:pos></gml:Point>"
    if kind == "LineString":
        return f"<gml:LineString {head}>{_pos_list(geometry.coords)}</gml:LineString>"
    if kind == "Polygon":
        return f"<gml:Polygon {head}>{_rings(geometry)}</gml:Polygon>"
    tag, member = {
        "MultiPoint": ("MultiPoint", "pointMember"),
        "MultiLineString": ("MultiCurve", "curveMember"),
        "MultiPolygon": ("MultiSurface", "surfaceMember"),
    }.get(kind, ("MultiGeometry", "geometryMember"))
    members = "".join(
        f"<gml:{member}>{_member(part, f'{gml_id}.{i}')}</gml:{member}>"
        for i, part in enumerate(geometry.geoms)
    )
    return f"<gml:{tag} {head}>{members}</gml:{tag}>"


def _member(part: shapely.Geometry, gml_id: str) -> str:
    return _geometry(part, f"gml:id={quoteattr(gml_id)}", gml_id)


def _rings(polygon: shapely.Polygon) -> str:
    out = f"<gml:exterior>{_ring(polygon.exterior)}</gml:exterior>"
    for ring in polygon.interiors:
        out += f"<gml:interior>{_ring(ring)}</gml:interior>"
    return out


def _ring(ring) -> str:
    return f"<gml:LinearRing>{_pos_list(ring.coords)}</gml:LinearRing>"


def _pos_list(coords) -> str:
    return f'<gml:posList srsDimension="2">{_coords(coords)}</gml:posList>'


def _coords(coords) -> str:
    return " ".join(f"{c[0]!r} {c[1]!r}" for c in coords)
