"""The built-in sniffers of the format registry: each tells from a file's first bytes whether it
is one format. No Django.

A sniffer takes a ``Head`` (the first 64 KiB and the file's name) and returns a bool. The name is
used only where the content is ambiguous by design (a shapefile's ``.shp`` and ``.shx`` share
one header; a ``.cpg`` is a bare encoding name). Text sniffers never match a head holding a NUL.
"""

from __future__ import annotations

import json as jsonlib
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import PurePosixPath

_TIFF_GEO_TAGS = {33550, 33922, 34264, 34735}
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_WKT_ROOTS = re.compile(
    rb"^\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|LOCAL_CS|VERT_CS|PROJCRS|GEOGCRS|GEODCRS|"
    rb"COMPOUNDCRS|VERTCRS|ENGCRS|BOUNDCRS)\s*\[",
    re.IGNORECASE,
)
_ASCII_GRID = re.compile(rb"^\s*ncols\s+\d+\s+nrows\s+\d+\s+xll(corner|center)\s", re.IGNORECASE)
_ENCODING_NAME = re.compile(rb"^\s*[A-Za-z0-9_.:-]{1,40}\s*$")
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')
# RFC 7946 section 3.1: a bare geometry is a GeoJSON text too
_GEOJSON_GEOMETRY = re.compile(
    rb'^\s*\{[^{\[]*?"type"\s*:\s*"(Point|MultiPoint|LineString|MultiLineString|Polygon|'
    rb'MultiPolygon|GeometryCollection)"'
)
_TOPOJSON_TYPE = re.compile(rb'^\s*\{\s*"type"\s*:\s*"Topology"')
_PI_JSON = re.compile(rb'"timeSeries"\s*:\s*\[')
_KNMI_HEADER = re.compile(rb"^#?\s*STN,\s*YYYYMMDD\b", re.MULTILINE)
_DBF_VERSIONS = (0x02, 0x03, 0x30, 0x31, 0x43, 0x83, 0x8B, 0xCB, 0xF5)


@dataclass(frozen=True)
class Head:
    """A file's first bytes (``raw``, at least 64 KiB when the file has them) and its name."""

    raw: bytes
    name: str = ""

    @property
    def extension(self) -> str:
        return extension(self.name)

    @cached_property
    def text(self) -> bytes:
        """The head without a byte-order mark, UTF-16 re-encoded as UTF-8."""
        head = self.raw
        if head.startswith(b"\xef\xbb\xbf"):
            return head[3:]
        for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
            if head.startswith(bom):
                return head[2:].decode(codec, errors="ignore").encode("utf-8")
        return head

    @cached_property
    def is_text(self) -> bool:
        return b"\x00" not in self.text

    @cached_property
    def markup(self) -> bytes:
        """The text when it starts (after blanks) with ``<``, else empty."""
        stripped = self.text.lstrip() if self.is_text else b""
        return stripped if stripped[:1] == b"<" else b""

    @cached_property
    def xml_root(self) -> bytes:
        """The lower-cased local name of the root element of XML text (empty if none)."""
        body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", self.markup, flags=re.S)
        match = _XML_ROOT.search(body)
        return match.group(2).lower() if match else b""


def extension(name: str) -> str:
    """The lower-cased extension of a name (``.csv``), backslashes read as separators."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def starts(*magics: bytes) -> Callable[[Head], bool]:
    """A sniffer matching heads that start with one of ``magics``."""
    return lambda head: head.raw.startswith(magics)


def riff(form: bytes) -> Callable[[Head], bool]:
    """A sniffer of one RIFF form type (``WEBP``, ``AVI ``)."""
    return lambda head: head.raw.startswith(b"RIFF") and head.raw[8:12] == form


def xml_root(root: bytes) -> Callable[[Head], bool]:
    """A sniffer of XML whose root element is ``root`` (namespace prefix ignored)."""
    return lambda head: bool(head.markup) and not html(head) and head.xml_root == root


def zip_(head: Head) -> bool:
    return head.raw.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"))


def tar(head: Head) -> bool:
    return len(head.raw) > 262 and head.raw[257:262] == b"ustar"


def tiff(head: Head) -> bool:
    return head.raw[:4] in _TIFF_MAGIC


def geotiff(head: Head) -> bool:
    return tiff(head) and tiff_is_geo(lambda at, size: head.raw[at : at + size])


def matroska(head: Head) -> bool:
    return head.raw.startswith(b"\x1a\x45\xdf\xa3")


def webm(head: Head) -> bool:
    return matroska(head) and b"webm" in head.raw[:64]


def iso_media(head: Head) -> bool:
    return head.raw[4:8] == b"ftyp"


# ISO-BMFF brands (ISO/IEC 23008-12 for HEIF, the AV1 Image File Format for AVIF): photos
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"heif", b"mif1", b"msf1"}


def _brands(head: Head) -> tuple[bytes, set[bytes]]:
    raw = head.raw
    size = int.from_bytes(raw[:4], "big")
    return raw[8:12], {raw[i : i + 4] for i in range(16, min(size, len(raw)) - 3, 4)}


def avif(head: Head) -> bool:
    """An AVIF image or image sequence: major brand ``avif``/``avis``, or a generic image
    brand (``mif1``, ``msf1``) that lists one of them."""
    if not iso_media(head):
        return False
    major, compatible = _brands(head)
    return major in _AVIF_BRANDS or (
        major in (b"mif1", b"msf1") and bool(compatible & _AVIF_BRANDS)
    )


def heif(head: Head) -> bool:
    """A HEIC/HEIF photo (what phones write): an ISO-BMFF file with an HEIF image brand."""
    return iso_media(head) and not avif(head) and _brands(head)[0] in _HEIF_BRANDS


def quicktime(head: Head) -> bool:
    if iso_media(head):
        return head.raw[8:12] == b"qt  "
    return head.raw[4:8] in (b"moov", b"mdat", b"wide", b"free")


def sqlite(head: Head) -> bool:
    return head.raw.startswith(b"SQLite format 3\x00")


def geopackage(head: Head) -> bool:
    return sqlite(head) and head.raw[68:72] in (b"GPKG", b"GP10", b"GP11")


def flatgeobuf(head: Head) -> bool:
    return head.raw[:3] == b"fgb" and head.raw[4:7] == b"fgb"


def shapefile(head: Head) -> bool:
    raw = head.raw
    return len(raw) >= 100 and raw[:4] == b"\x00\x00\x27\x0a" and raw[28:32] == b"\xe8\x03\x00\x00"


def shapefile_index(head: Head) -> bool:
    return shapefile(head) and head.extension == ".shx"


def dbf(head: Head) -> bool:
    raw = head.raw
    if len(raw) < 33 or raw[0] not in _DBF_VERSIONS:
        return False
    month, day = raw[2], raw[3]
    header_size, record_size = struct.unpack("<HH", raw[8:12])
    fields = (header_size - 33) / 32
    if not (1 <= month <= 12 and 1 <= day <= 31 and record_size > 0 and fields >= 1):
        return False
    if header_size > len(raw):
        return fields.is_integer()
    return raw[header_size - 1] == 0x0D


def html(head: Head) -> bool:
    lowered = head.markup[:2048].lower()
    return b"<!doctype html" in lowered or b"<html" in lowered


def xml(head: Head) -> bool:
    return bool(head.markup) and not html(head)


def geojson(head: Head) -> bool:
    text = head.text.lstrip()
    return json(head) and bool(_GEOJSON_TYPE.search(text) or _GEOJSON_GEOMETRY.match(text))


def geojson_seq(head: Head) -> bool:
    """A GeoJSON text sequence (RFC 8142, RS-separated) or newline-delimited GeoJSON: one
    Feature per line, as ``ogr2ogr -f GeoJSONSeq`` and Sluis's own export write."""
    if not head.is_text:
        return False
    lines = [line.strip(b"\x1e \t\r") for line in head.text.split(b"\n")[:3]]
    lines = [line for line in lines if line]
    if len(lines) < 2 or not lines[1].startswith(b"{"):
        return False
    try:
        first = jsonlib.loads(lines[0])
    except ValueError:
        return False
    return isinstance(first, dict) and first.get("type") == "Feature"


def topojson(head: Head) -> bool:
    return json(head) and bool(_TOPOJSON_TYPE.match(head.text.lstrip()))


def pi_json(head: Head) -> bool:
    """Delft-FEWS PI-JSON: an object with a top-level ``"timeSeries"`` list."""
    text = head.text.lstrip()
    return json(head) and text[:1] == b"{" and bool(_PI_JSON.search(text))


def knmi(head: Head) -> bool:
    """KNMI station data: a free-text preamble above a ``STN,YYYYMMDD,...`` CSV header."""
    return head.is_text and bool(_KNMI_HEADER.search(head.text))


def gml(head: Head) -> bool:
    """GML (what WFS servers and ogr2ogr write): a root in a GML or OGR namespace."""
    match = _XML_ROOT.search(head.markup[:4096]) if head.markup else None
    prefix = (match.group(1) or b"").lower() if match else b""
    return (
        prefix in (b"gml:", b"ogr:", b"wfs:") or b"http://www.opengis.net/gml" in head.markup[:4096]
    )


def osm_pbf(head: Head) -> bool:
    """An OpenStreetMap PBF extract: a length-prefixed ``OSMHeader`` blob first."""
    return head.raw[4:6] == b"\x0a\x09" and head.raw[6:15] == b"OSMHeader"


def json(head: Head) -> bool:
    return head.is_text and head.text.lstrip()[:1] in (b"{", b"[")


def ascii_grid(head: Head) -> bool:
    return head.is_text and bool(_ASCII_GRID.match(head.text))


def wkt(head: Head) -> bool:
    return head.is_text and bool(_WKT_ROOTS.match(head.text))


def code_page(head: Head) -> bool:
    text = head.text
    return (
        head.is_text
        and head.extension == ".cpg"
        and len(text) < 100
        and bool(_ENCODING_NAME.match(text))
    )


def tiff_is_geo(read: Callable[[int, int], bytes]) -> bool:
    """True when the first IFD carries a GeoTIFF tag (geo keys, tie points, scale, transform).

    ``read(offset, size)`` returns bytes of the file; the IFD is read in one piece.
    """
    header = read(0, 16)
    order = "<" if header[:2] == b"II" else ">"
    big = header[2:4] in (b"+\x00", b"\x00+")
    try:
        if big:
            (offset,) = struct.unpack(order + "Q", header[8:16])
            (count,) = struct.unpack(order + "Q", read(offset, 8))
            size, first = 20, offset + 8
        else:
            (offset,) = struct.unpack(order + "I", header[4:8])
            (count,) = struct.unpack(order + "H", read(offset, 2))
            size, first = 12, offset + 2
        count = min(count, 4096)
        table = read(first, count * size)
        tags = {struct.unpack(order + "H", table[i * size : i * size + 2])[0] for i in range(count)}
    except struct.error:
        return False
    return bool(tags & _TIFF_GEO_TAGS)
