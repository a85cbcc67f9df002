"""The format registry: every file format Sluis names, in one table. No Django.

A ``Format`` says what a format is called and described as, which name extensions may hold it,
the content type it is served with, the extension a member is extracted under when its own name
says nothing, how its first bytes are recognised (``sniffer``) and, per kind of data source, the
reader that reads it (``readers``: kind -> ``"module:function"``, resolved when first used so that
this table never imports a reader). Sniffing (``sluis.formats.sniffing``), the pre-flight, file
metadata, the kinds' accepted formats and the docs all read this table.

Sniffing tries the formats in table order and takes the first whose sniffer matches; formats
without a sniffer are found otherwise (Office documents inside a ZIP, ``csv``/``txt`` as the
text fallback, ``binary``/``empty``). Formats with no reader are named only to refuse them
clearly (archives inside archives, HTML, executables, ...).

Adding a format is one reader module and one ``Format(...)`` line here (or a ``format_register``
call from a plugin module listed in ``SLUIS_EXTRA_PROCESSORS``); see docs/development.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sluis.formats import magic
from sluis.formats.magic import Head

Sniffer = Callable[[Head], bool]


@dataclass(frozen=True)
class Format:
    """One file format. ``readers`` maps a kind name to the ``"module:function"`` reading it."""

    name: str
    description: str
    extensions: tuple[str, ...] = ()
    content_type: str = "application/octet-stream"
    canonical_extension: str = ""
    sniffer: Sniffer | None = None
    readers: Mapping[str, str] = field(default_factory=dict)

    @property
    def extracted_extension(self) -> str:
        """The extension a member of this format is extracted under when its own is unfit."""
        return self.canonical_extension or "." + self.name.replace("-", "")


class UnknownFormat(LookupError):
    """A format name no ``Format`` was registered under."""


_TS = "sluis.readers.timeseries"
_VECTOR = {"vector": "sluis.readers.vector.datasets:vector_rows"}
_RASTER = {"raster": "sluis.readers.raster.frames:frames_plan"}
_FILE = {"file": "sluis.readers.files.meta:file_meta_read"}
_TEXT = (".csv", ".tsv", ".txt", ".dat", ".text", ".log")
_ISO_MEDIA = (".mp4", ".m4v", ".mov", ".qt")
_MATROSKA = (".mkv", ".webm")
_TIFF = (".tif", ".tiff")
_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"

_BUILT_IN = (
    # Containers and what is only named to be refused: no reader.
    Format("zip", "ZIP archive", (".zip",), "application/zip", sniffer=magic.zip_),
    Format("gzip", "gzip file", (".gz",), "application/gzip", sniffer=magic.starts(b"\x1f\x8b")),
    Format("7z", "7-Zip archive", sniffer=magic.starts(b"7z\xbc\xaf\x27\x1c")),
    Format("rar", "RAR archive", sniffer=magic.starts(b"Rar!\x1a\x07")),
    Format("bzip2", "bzip2 file", sniffer=magic.starts(b"BZh")),
    Format("xz", "xz file", sniffer=magic.starts(b"\xfd7zXZ\x00")),
    # Binary formats, by magic bytes.
    Format(
        "jpeg",
        "JPEG image",
        (".jpg", ".jpeg", ".jpe", ".jfif"),
        "image/jpeg",
        ".jpg",
        magic.starts(b"\xff\xd8\xff"),
        _FILE,
    ),
    Format(
        "png",
        "PNG image",
        (".png",),
        "image/png",
        sniffer=magic.starts(b"\x89PNG\r\n\x1a\n"),
        readers=_FILE,
    ),
    Format(
        "gif",
        "GIF image",
        (".gif",),
        "image/gif",
        sniffer=magic.starts(b"GIF87a", b"GIF89a"),
        readers=_FILE,
    ),
    Format(
        "pdf",
        "PDF document",
        (".pdf",),
        "application/pdf",
        sniffer=magic.starts(b"%PDF-"),
        readers=_FILE,
    ),
    Format(
        "netcdf",
        "NetCDF",
        (".nc", ".nc4"),
        "application/x-netcdf",
        ".nc",
        magic.starts(b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n"),
        _RASTER,
    ),
    Format(
        "erdas-img",
        "ERDAS Imagine image (.img)",
        (".img",),
        "application/x-erdas-hfa",
        ".img",
        magic.starts(b"EHFA_HEADER_TAG"),
        _RASTER,
    ),
    Format("executable", "executable program", sniffer=magic.starts(b"\x7fELF", b"MZ")),
    # Recognised to be refused by name (the supplier learns what was sent): no reader.
    Format(
        "parquet", "Parquet file (Apache Parquet)", (".parquet",), sniffer=magic.starts(b"PAR1")
    ),
    Format(
        "grib", "GRIB file", (".grib", ".grib2", ".grb", ".grb2"), sniffer=magic.starts(b"GRIB")
    ),
    Format("osm-pbf", "PBF extract of OpenStreetMap", (".pbf",), sniffer=magic.osm_pbf),
    Format("tar", "tar archive", sniffer=magic.tar),
    Format("geotiff", "GeoTIFF", _TIFF, "image/tiff", ".tif", magic.geotiff, {**_RASTER, **_FILE}),
    Format("tiff", "TIFF image", _TIFF, "image/tiff", ".tif", magic.tiff, _FILE),
    Format(
        "webp", "WebP image", (".webp",), "image/webp", sniffer=magic.riff(b"WEBP"), readers=_FILE
    ),
    Format(
        "avi", "AVI video", (".avi",), "video/x-msvideo", sniffer=magic.riff(b"AVI "), readers=_FILE
    ),
    Format("webm", "WebM video", _MATROSKA, "video/webm", sniffer=magic.webm, readers=_FILE),
    # ISO-BMFF photos before the ISO-BMFF videos: a phone photo is never taken for a video
    Format(
        "avif", "AVIF image", (".avif", ".avifs"), "image/avif", sniffer=magic.avif, readers=_FILE
    ),
    Format(
        "heic",
        "HEIC/HEIF image",
        (".heic", ".heif", ".hif"),
        "image/heic",
        ".heic",
        magic.heif,
        _FILE,
    ),
    Format("mkv", "Matroska video", _MATROSKA, "video/x-matroska", ".mkv", magic.matroska, _FILE),
    Format(
        "mov",
        "QuickTime video",
        _ISO_MEDIA,
        "video/quicktime",
        sniffer=magic.quicktime,
        readers=_FILE,
    ),
    Format("mp4", "MP4 video", _ISO_MEDIA, "video/mp4", sniffer=magic.iso_media, readers=_FILE),
    Format(
        "gpkg",
        "GeoPackage",
        (".gpkg",),
        "application/geopackage+sqlite3",
        sniffer=magic.geopackage,
        readers=_VECTOR,
    ),
    Format("sqlite", "SQLite database that is not a GeoPackage", sniffer=magic.sqlite),
    Format(
        "flatgeobuf",
        "FlatGeobuf",
        (".fgb",),
        "application/flatgeobuf",
        ".fgb",
        magic.flatgeobuf,
        _VECTOR,
    ),
    Format(
        "shx", "shapefile index (.shx)", (".shx",), sniffer=magic.shapefile_index, readers=_VECTOR
    ),
    Format("shp", "shapefile geometry (.shp)", (".shp",), sniffer=magic.shapefile, readers=_VECTOR),
    Format(
        "dbf",
        "dBASE table (.dbf)",
        (".dbf",),
        "application/dbase",
        sniffer=magic.dbf,
        readers=_VECTOR,
    ),
    # Office documents: told apart inside a ZIP container (sniffing.zip_document_format).
    Format(
        "docx", "Word document", (".docx",), f"{_OOXML}.wordprocessingml.document", readers=_FILE
    ),
    Format("xlsx", "Excel workbook", (".xlsx",), f"{_OOXML}.spreadsheetml.sheet", readers=_FILE),
    Format(
        "pptx",
        "PowerPoint presentation",
        (".pptx",),
        f"{_OOXML}.presentationml.presentation",
        readers=_FILE,
    ),
    Format("odt", "OpenDocument text", (".odt",), f"{_ODF}.text", readers=_FILE),
    Format("ods", "OpenDocument spreadsheet", (".ods",), f"{_ODF}.spreadsheet", readers=_FILE),
    # Text formats, by structure (never when the head holds a NUL byte).
    Format("html", "HTML document", (".html", ".htm"), "text/html", sniffer=magic.html),
    Format(
        "pi-xml",
        "Delft-FEWS PI-XML",
        (".xml",),
        "application/xml",
        ".xml",
        magic.xml_root(b"timeseries"),
        {"timeseries": f"{_TS}.pixml:read_pixml"},
    ),
    Format(
        "kml",
        "KML",
        (".xml", ".kml"),
        "application/vnd.google-earth.kml+xml",
        sniffer=magic.xml_root(b"kml"),
        readers=_VECTOR,
    ),
    Format(
        "gpx",
        "GPX track file",
        (".gpx", ".xml"),
        "application/gpx+xml",
        ".gpx",
        magic.xml_root(b"gpx"),
        _VECTOR,
    ),
    Format("gml", "GML document", (".gml", ".xml"), "application/gml+xml", sniffer=magic.gml),
    Format(
        "solinst-xle",
        "Solinst logger file (.xle)",
        (".xle", ".xml"),
        sniffer=magic.xml_root(b"body_xle"),
    ),
    Format(
        "pam-aux",
        "GDAL auxiliary metadata (.aux.xml)",
        (".xml",),
        "application/xml",
        sniffer=magic.xml_root(b"pamdataset"),
        readers=_RASTER,
    ),
    Format(
        "xml",
        "XML document of an unsupported type",
        (".xml",),
        "application/xml",
        sniffer=magic.xml,
    ),
    Format(
        "geojsonseq",
        "GeoJSON text sequence (one feature per line)",
        (".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl", ".json", ".geojson"),
        "application/geo+json-seq",
        ".geojsonl",
        magic.geojson_seq,
        _VECTOR,
    ),
    Format("topojson", "TopoJSON document", (".json", ".topojson"), sniffer=magic.topojson),
    Format(
        "pi-json",
        "Delft-FEWS PI-JSON timeseries",
        (".json",),
        "application/json",
        ".json",
        magic.pi_json,
        {"timeseries": f"{_TS}.pi_json:read_pi_json", **_FILE},
    ),
    Format(
        "geojson",
        "GeoJSON",
        (".json", ".geojson"),
        "application/geo+json",
        ".geojson",
        magic.geojson,
        _VECTOR,
    ),
    Format(
        "json",
        "JSON document",
        (".json", ".geojson", ".text", ".log"),
        "application/json",
        sniffer=magic.json,
        readers={"timeseries": f"{_TS}.json:read_json_timeseries", **_FILE},
    ),
    Format("ascii-grid", "ASCII grid", (".asc",), "text/plain", ".asc", magic.ascii_grid, _RASTER),
    Format(
        "prj",
        "projection (.prj)",
        (".prj",),
        "text/plain",
        sniffer=magic.wkt,
        readers={**_VECTOR, **_RASTER},
    ),
    Format(
        "cpg", "code page (.cpg)", (".cpg",), "text/plain", sniffer=magic.code_page, readers=_VECTOR
    ),
    # An Esri File Geodatabase: every file of a zipped ``<name>.gdb/`` folder (formats.archives).
    Format("filegdb", "Esri File Geodatabase", readers=_VECTOR),
    # The text fallbacks (sluis.formats.sniffing): a table, else plain text.
    Format(
        "csv",
        "CSV table",
        _TEXT,
        "text/csv",
        readers={"timeseries": f"{_TS}.csv:read_csv_timeseries", **_VECTOR, **_FILE},
    ),
    Format("txt", "plain text", _TEXT, "text/plain", readers=_FILE),
    # Named by the sniffer when nothing else fits.
    Format("empty", "empty file"),
    Format("binary", "file of an unrecognised binary type"),
)

_FORMATS: dict[str, Format] = {}


def format_register(fmt: Format) -> Format:
    """Add (or replace, by name) a format. A new one is sniffed after the built-in binary and
    structured text formats but before the ``csv``/``txt`` text fallbacks."""
    _FORMATS[fmt.name] = fmt
    return fmt


def format_unregister(name: str) -> None:
    """Remove a format (a plugin's tests register one for a while)."""
    _FORMATS.pop(name, None)


def format_get(name: str) -> Format:
    """The registered format ``name``; ``UnknownFormat`` if there is none."""
    try:
        return _FORMATS[name]
    except KeyError:
        raise UnknownFormat(name) from None


def formats_all() -> list[Format]:
    """Every registered format, in sniffing order."""
    return list(_FORMATS.values())


def describe(name: str) -> str:
    """A format's description for messages (the bare name when it is not registered)."""
    fmt = _FORMATS.get(name)
    return fmt.description if fmt else name


def formats_read_by(kind: str) -> frozenset[str]:
    """The formats that have a reader for ``kind``."""
    return frozenset(f.name for f in _FORMATS.values() if kind in f.readers)


def readable_formats() -> frozenset[str]:
    """The formats some kind reads (the others are named only to refuse them)."""
    return frozenset(f.name for f in _FORMATS.values() if f.readers)


def formats_for_extension(extension: str) -> frozenset[str] | None:
    """The formats a name extension (``.csv``) may hold; ``None`` when it says nothing."""
    return _extension_map().get(extension.lower())


def reader_for(fmt: str, kind: str) -> Callable[..., Any] | None:
    """The function that reads format ``fmt`` for ``kind`` (``None`` if there is none)."""
    target = _FORMATS[fmt].readers.get(kind) if fmt in _FORMATS else None
    if target is None:
        return None
    module, _, function = target.partition(":")
    return getattr(importlib.import_module(module), function)


def _extension_map() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for fmt in _FORMATS.values():
        for ext in fmt.extensions:
            found.setdefault(ext, set()).add(fmt.name)
    return {ext: frozenset(names) for ext, names in found.items()}


def _register_all(formats: Iterable[Format]) -> None:
    for fmt in formats:
        _FORMATS[fmt.name] = fmt


_register_all(_BUILT_IN)
