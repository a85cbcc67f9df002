"""WMS 1.3.0 documents and request geometry (also the 1.1.1 that older clients send).

No Django here. A layer is a raster data source named by its alias; its frames are the values of
the TIME dimension. Map CRSs: EPSG:3857, EPSG:4326 (latitude first in 1.3.0, as the standard
says; longitude first in 1.1.1), EPSG:28992 and CRS:84.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from sluis.ogc.crs import Crs, bbox_from_crs84

MAP_CRSS = {"EPSG:3857": 3857, "EPSG:4326": 4326, "EPSG:28992": 28992, "CRS:84": 4326}
PNG = "image/png"
INFO_FORMATS = ("application/json", "text/plain")


class UnknownMapCrs(ValueError):
    """Not one of ``MAP_CRSS``."""


@dataclass(frozen=True)
class MapCrs:
    name: str
    epsg: int
    lat_first: bool

    @property
    def rasterio_name(self) -> str:
        return f"EPSG:{self.epsg}"

    def x_first(self, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """A bbox as given (axis order of this CRS) with x (longitude, easting) first."""
        if self.lat_first:
            return (bbox[1], bbox[0], bbox[3], bbox[2])
        return bbox


def map_crs(name: str, version: str) -> MapCrs:
    key = name.strip().upper()
    if key not in MAP_CRSS:
        raise UnknownMapCrs(name)
    return MapCrs(name=key, epsg=MAP_CRSS[key], lat_first=key == "EPSG:4326" and version == "1.3.0")


@dataclass(frozen=True)
class LayerInfo:
    alias: str
    title: str
    abstract: str
    bbox: tuple[float, float, float, float]  # CRS84
    times: Sequence[datetime]


def time_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def capabilities(*, url: str, layers: Iterable[LayerInfo], max_size: int) -> str:
    link = f'<OnlineResource xlink:type="simple" xlink:href={quoteattr(url)}/>'
    dcp = f"<DCPType><HTTP><Get>{link}</Get></HTTP></DCPType>"
    info = "".join(f"<Format>{f}</Format>" for f in INFO_FORMATS)
    layer_xml = "".join(_layer(layer, url) for layer in layers)
    crs_list = "".join(f"<CRS>{name}</CRS>" for name in MAP_CRSS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" '
        'xmlns:sld="http://www.opengis.net/sld" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f"<Service><Name>WMS</Name><Title>Sluis</Title>"
        "<Abstract>Raster data sources of Sluis; TIME picks a frame.</Abstract>"
        f"{link}<MaxWidth>{max_size}</MaxWidth><MaxHeight>{max_size}</MaxHeight></Service>"
        "<Capability><Request>"
        f"<GetCapabilities><Format>text/xml</Format>{dcp}</GetCapabilities>"
        f"<GetMap><Format>{PNG}</Format>{dcp}</GetMap>"
        f"<GetFeatureInfo>{info}{dcp}</GetFeatureInfo>"
        f"<sld:GetLegendGraphic><Format>{PNG}</Format>{dcp}</sld:GetLegendGraphic>"
        "</Request><Exception><Format>XML</Format></Exception>"
        f"<Layer><Title>Sluis rasters</Title>{crs_list}{layer_xml}</Layer>"
        "</Capability></WMS_Capabilities>\n"
    )


def _layer(layer: LayerInfo, url: str) -> str:
    west, south, east, north = layer.bbox
    boxes = "".join(_bounding_box(name, layer.bbox) for name in MAP_CRSS if name != "CRS:84")
    joiner = "&" if "?" in url else "?"
    legend = f"{url}{joiner}service=WMS&request=GetLegendGraphic&format=image/png"
    legend += f"&layer={layer.alias}"
    times = ",".join(time_text(t) for t in layer.times)
    default = time_text(layer.times[-1]) if layer.times else ""
    geographic = (
        f"<westBoundLongitude>{west!r}</westBoundLongitude>"
        f"<eastBoundLongitude>{east!r}</eastBoundLongitude>"
        f"<southBoundLatitude>{south!r}</southBoundLatitude>"
        f"<northBoundLatitude>{north!r}</northBoundLatitude>"
    )
    return (
        f'<Layer queryable="1" opaque="0"><Name>{layer.alias}</Name>'
        f"<Title>{escape(layer.title)}</Title><Abstract>{escape(layer.abstract)}</Abstract>"
        f"<EX_GeographicBoundingBox>{geographic}</EX_GeographicBoundingBox>{boxes}"
        f'<Dimension name="time" units="ISO8601" default="{default}" nearestValue="1">'
        f"{times}</Dimension>"
        "<Style><Name>default</Name><Title>viridis, band minimum to maximum</Title>"
        f'<LegendURL width="80" height="200"><Format>{PNG}</Format>'
        f'<OnlineResource xlink:type="simple" xlink:href={quoteattr(legend)}/></LegendURL></Style>'
        "</Layer>"
    )


def _bounding_box(name: str, crs84: tuple[float, float, float, float]) -> str:
    epsg = MAP_CRSS[name]
    minx, miny, maxx, maxy = bbox_from_crs84(crs84, Crs(epsg, lat_first=epsg == 4326))
    return (
        f'<BoundingBox CRS="{name}" minx="{minx!r}" miny="{miny!r}" '
        f'maxx="{maxx!r}" maxy="{maxy!r}"/>'
    )
