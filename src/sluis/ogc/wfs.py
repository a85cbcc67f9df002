"""WFS 2.0.0 and 1.1.0 documents: capabilities and DescribeFeatureType schemas.

No Django here: the views pass the layers (alias, title, CRS84 bbox) and the URL that operations
are requested at. Type names are ``sluis:<alias>``; a property's XML Schema type is inferred
from the stored values (``field_types``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sluis.ogc.crs import EPSG_28992
from sluis.ogc.gml import GML32, GML311, NS, PREFIX, WFS_2, Flavour, xml_name

OUTPUT_FORMATS = {
    # accepted outputformat values (lower case) -> format
    "gml3": "gml",
    "gml32": "gml",
    "gml": "gml",
    "application/gml+xml; version=3.2": "gml",
    "text/xml; subtype=gml/3.2": "gml",
    "text/xml; subtype=gml/3.2.1": "gml",
    "text/xml; subtype=gml/3.1.1": "gml",
    "text/xml": "gml",
    "json": "json",
    "geojson": "json",
    "application/json": "json",
    "application/geo+json": "json",
    "csv": "csv",
    "text/csv": "csv",
}
_RESULT_TYPES = "<ows:Value>results</ows:Value><ows:Value>hits</ows:Value>"
RESERVED = {"id_src", "geometry"}  # element names of every type; properties so named are left out


@dataclass(frozen=True)
class FeatureTypeInfo:
    alias: str
    title: str
    abstract: str
    bbox: tuple[float, float, float, float] | None  # CRS84


def gml_mime(flavour: Flavour) -> str:
    if flavour is WFS_2:
        return "application/gml+xml; version=3.2"
    return "text/xml; subtype=gml/3.1.1"


def capabilities(
    *, flavour: Flavour, url: str, types: Iterable[FeatureTypeInfo], max_count: int
) -> str:
    ows = "http://www.opengis.net/ows/1.1" if flavour is WFS_2 else "http://www.opengis.net/ows"
    version = flavour.version
    get = f"<ows:DCP><ows:HTTP><ows:Get xlink:href={quoteattr(url)}/></ows:HTTP></ows:DCP>"
    formats = "".join(
        f"<ows:Value>{escape(value)}</ows:Value>"
        for value in (gml_mime(flavour), "application/json", "text/csv")
    )
    operations = (
        f'<ows:Operation name="GetCapabilities">{get}</ows:Operation>'
        f'<ows:Operation name="DescribeFeatureType">{get}</ows:Operation>'
        f'<ows:Operation name="GetFeature">{get}'
        f'<ows:Parameter name="outputFormat">{_allowed(flavour, formats)}</ows:Parameter>'
        f'<ows:Parameter name="resultType">{_allowed(flavour, _RESULT_TYPES)}</ows:Parameter>'
        "</ows:Operation>"
    )
    if flavour is WFS_2:
        operations += _constraints(max_count)
    crs_tags = ("DefaultCRS", "OtherCRS") if flavour is WFS_2 else ("DefaultSRS", "OtherSRS")
    feature_types = "".join(_feature_type(t, crs_tags) for t in types)
    filter_caps = _filter_capabilities(flavour)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<wfs:WFS_Capabilities version="{version}" xmlns:wfs="{flavour.wfs}" xmlns:ows="{ows}" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:gml="{flavour.gml}" '
        f'xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:ogc="http://www.opengis.net/ogc" '
        f'xmlns:{PREFIX}="{NS}">'
        "<ows:ServiceIdentification><ows:Title>Sluis</ows:Title>"
        "<ows:Abstract>Vector data sources of Sluis as sluis:&lt;alias&gt;.</ows:Abstract>"
        f"<ows:ServiceType>WFS</ows:ServiceType><ows:ServiceTypeVersion>{version}"
        "</ows:ServiceTypeVersion></ows:ServiceIdentification>"
        f"<ows:OperationsMetadata>{operations}</ows:OperationsMetadata>"
        f"<wfs:FeatureTypeList>{feature_types}</wfs:FeatureTypeList>"
        f"{filter_caps}</wfs:WFS_Capabilities>\n"
    )


def _allowed(flavour: Flavour, values: str) -> str:
    return f"<ows:AllowedValues>{values}</ows:AllowedValues>" if flavour is WFS_2 else values


def _constraints(max_count: int) -> str:
    true = {
        "ImplementsBasicWFS",
        "ImplementsResultPaging",
        "KVPEncoding",
    }
    false = {
        "ImplementsTransactionalWFS",
        "ImplementsLockingWFS",
        "XMLEncoding",
        "SOAPEncoding",
        "ImplementsInheritance",
        "ImplementsRemoteResolve",
        "ImplementsStandardJoins",
        "ImplementsSpatialJoins",
        "ImplementsTemporalJoins",
        "ImplementsFeatureVersioning",
        "ManageStoredQueries",
    }
    out = "".join(_constraint(name, "TRUE") for name in sorted(true))
    out += "".join(_constraint(name, "FALSE") for name in sorted(false))
    return out + _constraint("CountDefault", str(max_count))


def _constraint(name: str, value: str) -> str:
    return (
        f'<ows:Constraint name="{name}"><ows:NoValues/>'
        f"<ows:DefaultValue>{value}</ows:DefaultValue></ows:Constraint>"
    )


def _feature_type(info: FeatureTypeInfo, crs_tags: tuple[str, str]) -> str:
    default, other = crs_tags
    bbox = ""
    if info.bbox is not None:
        west, south, east, north = info.bbox
        bbox = (
            "<ows:WGS84BoundingBox>"
            f"<ows:LowerCorner>{west!r} {south!r}</ows:LowerCorner>"
            f"<ows:UpperCorner>{east!r} {north!r}</ows:UpperCorner></ows:WGS84BoundingBox>"
        )
    return (
        f"<wfs:FeatureType><wfs:Name>{PREFIX}:{info.alias}</wfs:Name>"
        f"<wfs:Title>{escape(info.title)}</wfs:Title>"
        f"<wfs:Abstract>{escape(info.abstract)}</wfs:Abstract>"
        f"<wfs:{default}>urn:ogc:def:crs:EPSG::4326</wfs:{default}>"
        f"<wfs:{other}>{EPSG_28992.short_urn}</wfs:{other}>{bbox}</wfs:FeatureType>"
    )


def _filter_capabilities(flavour: Flavour) -> str:
    if flavour is not WFS_2:
        return (
            "<ogc:Filter_Capabilities><ogc:Spatial_Capabilities><ogc:GeometryOperands>"
            "<ogc:GeometryOperand>gml:Envelope</ogc:GeometryOperand></ogc:GeometryOperands>"
            '<ogc:SpatialOperators><ogc:SpatialOperator name="BBOX"/></ogc:SpatialOperators>'
            "</ogc:Spatial_Capabilities><ogc:Id_Capabilities><ogc:FID/></ogc:Id_Capabilities>"
            "</ogc:Filter_Capabilities>"
        )
    conformance = "".join(
        _constraint(name, value).replace("ows:Constraint", "fes:Constraint")
        for name, value in (
            ("ImplementsQuery", "TRUE"),
            ("ImplementsAdHocQuery", "TRUE"),
            ("ImplementsResourceId", "TRUE"),
            ("ImplementsMinSpatialFilter", "TRUE"),
            ("ImplementsFunctions", "FALSE"),
            ("ImplementsSorting", "FALSE"),
        )
    )
    return (
        f"<fes:Filter_Capabilities><fes:Conformance>{conformance}</fes:Conformance>"
        "</fes:Filter_Capabilities>"
    )


def field_types(properties: Iterable[dict[str, Any]]) -> dict[str, str]:
    """XML Schema type per property seen: long, double, boolean, else string."""
    seen: dict[str, str] = {}
    for record in properties:
        for key, value in record.items():
            kind = _kind(value)
            if kind is None:
                seen.setdefault(key, "long")  # only nulls so far: the narrowest type
                continue
            seen[key] = _wider(seen.get(key), kind)
    return seen


def _kind(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _wider(current: str | None, kind: str) -> str:
    if current is None or current == kind:
        return kind
    if {current, kind} == {"long", "double"}:
        return "double"
    return "string"


def describe_feature_type(*, flavour: Flavour, types: Sequence[tuple[str, dict[str, str]]]) -> str:
    """The XML schema of the given ``(alias, field types)``."""
    gml = GML32 if flavour is WFS_2 else GML311
    location = (
        "http://schemas.opengis.net/gml/3.2.1/gml.xsd"
        if flavour is WFS_2
        else "http://schemas.opengis.net/gml/3.1.1/base/gml.xsd"
    )
    group = "gml:AbstractFeature" if flavour is WFS_2 else "gml:_Feature"
    body = "".join(_type_schema(alias, fields, group) for alias, fields in types)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:gml="{gml}" '
        f'xmlns:{PREFIX}="{NS}" targetNamespace="{NS}" elementFormDefault="qualified" '
        'version="1.0">'
        f'<xsd:import namespace="{gml}" schemaLocation="{location}"/>{body}</xsd:schema>\n'
    )


def _type_schema(alias: str, fields: dict[str, str], group: str) -> str:
    elements = (
        '<xsd:element name="id_src" type="xsd:string" minOccurs="0" nillable="true"/>'
        '<xsd:element name="geometry" type="gml:GeometryPropertyType" minOccurs="0" '
        'nillable="true"/>'
    )
    elements += "".join(
        f'<xsd:element name="{xml_name(key)}" type="xsd:{kind}" minOccurs="0" nillable="true"/>'
        for key, kind in fields.items()
        if xml_name(key) not in RESERVED
    )
    return (
        f'<xsd:complexType name="{alias}Type"><xsd:complexContent>'
        '<xsd:extension base="gml:AbstractFeatureType">'
        f"<xsd:sequence>{elements}</xsd:sequence></xsd:extension></xsd:complexContent>"
        f'</xsd:complexType><xsd:element name="{alias}" type="{PREFIX}:{alias}Type" '
        f'substitutionGroup="{group}"/>'
    )
