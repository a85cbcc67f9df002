"""Format sniffing from content: magic bytes first, then structure. Never the name alone.

``sniff(head, name)`` names a file with a canonical format of ``contracts.FORMATS`` or with one of
the container / unsupported names below (``zip``, ``gzip``, ``html``, ...). The name is used only
where the content is ambiguous by design (a shapefile's ``.shp`` and ``.shx`` share one header; a
``.cpg`` is a bare encoding name) and to catch a name that contradicts the content
(``name_conflict``): a zip renamed ``.csv`` or HTML named ``photo.jpg`` is refused.

This module does not import Django: it is used by the pre-flight and the pipeline alike.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

HEAD_SIZE = 64 * 1024
MAX_DOCUMENT_PARTS = 10_000  # no Office document has more; bounds the directory we parse

ARCHIVES = {"zip", "gzip", "tar", "7z", "rar", "bzip2", "xz"}

DESCRIPTIONS = {
    "csv": "CSV table",
    "json": "JSON document",
    "geojson": "GeoJSON",
    "pi-xml": "Delft-FEWS PI-XML",
    "kml": "KML",
    "shp": "shapefile geometry (.shp)",
    "shx": "shapefile index (.shx)",
    "dbf": "dBASE table (.dbf)",
    "prj": "projection (.prj)",
    "cpg": "code page (.cpg)",
    "gpkg": "GeoPackage",
    "flatgeobuf": "FlatGeobuf",
    "geotiff": "GeoTIFF",
    "tiff": "TIFF image",
    "netcdf": "NetCDF",
    "ascii-grid": "ASCII grid",
    "jpeg": "JPEG image",
    "png": "PNG image",
    "webp": "WebP image",
    "gif": "GIF image",
    "pdf": "PDF document",
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint presentation",
    "odt": "OpenDocument text",
    "ods": "OpenDocument spreadsheet",
    "txt": "plain text",
    "mp4": "MP4 video",
    "mov": "QuickTime video",
    "avi": "AVI video",
    "mkv": "Matroska video",
    "webm": "WebM video",
    "zip": "ZIP archive",
    "gzip": "gzip file",
    "tar": "tar archive",
    "7z": "7-Zip archive",
    "rar": "RAR archive",
    "bzip2": "bzip2 file",
    "xz": "xz file",
    "html": "HTML document",
    "xml": "XML document of an unsupported type",
    "sqlite": "SQLite database that is not a GeoPackage",
    "executable": "executable program",
    "empty": "empty file",
    "binary": "file of an unrecognised binary type",
}

# Which formats a file extension may hold. An extension not listed says nothing.
EXTENSIONS: dict[str, set[str]] = {
    ".csv": {"csv", "txt"},
    ".tsv": {"csv", "txt"},
    ".txt": {"csv", "txt"},
    ".dat": {"csv", "txt"},
    ".json": {"json", "geojson"},
    ".geojson": {"geojson", "json"},
    ".xml": {"pi-xml", "kml", "xml"},
    ".kml": {"kml"},
    ".shp": {"shp"},
    ".shx": {"shx"},
    ".dbf": {"dbf"},
    ".prj": {"prj"},
    ".cpg": {"cpg"},
    ".gpkg": {"gpkg"},
    ".fgb": {"flatgeobuf"},
    ".tif": {"geotiff", "tiff"},
    ".tiff": {"geotiff", "tiff"},
    ".nc": {"netcdf"},
    ".nc4": {"netcdf"},
    ".asc": {"ascii-grid"},
    ".jpg": {"jpeg"},
    ".jpeg": {"jpeg"},
    ".png": {"png"},
    ".webp": {"webp"},
    ".gif": {"gif"},
    ".pdf": {"pdf"},
    ".docx": {"docx"},
    ".xlsx": {"xlsx"},
    ".pptx": {"pptx"},
    ".odt": {"odt"},
    ".ods": {"ods"},
    ".mp4": {"mp4", "mov"},
    ".m4v": {"mp4", "mov"},
    ".mov": {"mov", "mp4"},
    ".avi": {"avi"},
    ".mkv": {"mkv", "webm"},
    ".webm": {"webm", "mkv"},
    ".zip": {"zip"},
    ".gz": {"gzip"},
    ".html": {"html"},
    ".htm": {"html"},
}

# The extension a member is extracted under when its own extension says nothing useful.
CANONICAL_EXTENSION = {
    "geotiff": ".tif",
    "tiff": ".tif",
    "netcdf": ".nc",
    "ascii-grid": ".asc",
    "jpeg": ".jpg",
    "flatgeobuf": ".fgb",
    "pi-xml": ".xml",
    "mkv": ".mkv",
    "geojson": ".geojson",
}

_TIFF_GEO_TAGS = {33550, 33922, 34264, 34735}
_WKT_ROOTS = re.compile(
    rb"^\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|LOCAL_CS|VERT_CS|PROJCRS|GEOGCRS|GEODCRS|"
    rb"COMPOUNDCRS|VERTCRS|ENGCRS|BOUNDCRS)\s*\[",
    re.IGNORECASE,
)
_ASCII_GRID = re.compile(rb"^\s*ncols\s+\d+\s+nrows\s+\d+\s+xll(corner|center)\s", re.IGNORECASE)
_ENCODING_NAME = re.compile(rb"^\s*[A-Za-z0-9_.:-]{1,40}\s*$")
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_GEOJSON_TYPE = re.compile(rb'"type"\s*:\s*"(FeatureCollection|Feature)"')


def describe(fmt: str) -> str:
    return DESCRIPTIONS.get(fmt, fmt)


def read_head(path: Path, size: int = HEAD_SIZE) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def sniff_path(path: Path, name: str) -> str:
    """Sniff a file on disk; zip containers are opened to tell Office documents from archives."""
    head = read_head(path)
    fmt = sniff(head, name)
    if fmt == "zip":
        return zip_document_format(path)
    if fmt == "tiff" and path.stat().st_size > len(head):
        with path.open("rb") as handle:  # the first IFD may sit at the end of the file

            def read(offset: int, size: int) -> bytes:
                handle.seek(offset)
                return handle.read(size)

            return "geotiff" if _tiff_is_geo(read) else "tiff"
    return fmt


def sniff(head: bytes, name: str = "") -> str:
    """The format of a file whose first bytes are ``head`` (at least 64 KiB when available)."""
    if not head:
        return "empty"
    return _sniff_binary(head, name) or _sniff_text(head, name)


def extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def name_conflict(name: str, fmt: str) -> str | None:
    """A sentence when the file's extension promises another format than its content."""
    ext = extension(name)
    expected = EXTENSIONS.get(ext)
    if expected is None or fmt in expected:
        return None
    promised = " or ".join(sorted(describe(f) for f in expected))
    return f"the name says {promised} ({ext}) but the content is a {describe(fmt)}"


def zip_document_format(path: Path) -> str:
    """``docx``/``xlsx``/``pptx``/``odt``/``ods`` for Office documents, else ``zip``.

    Only the central directory and the tiny ``mimetype`` member are read.
    """
    try:
        with path.open("rb") as handle:
            record = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
        entries = record[zipfile._ECD_ENTRIES_TOTAL] if record else 0  # type: ignore[attr-defined]
        if record is None or entries > MAX_DOCUMENT_PARTS:
            return "zip"  # not a document; the archive pre-flight judges the entry count
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 200:
                mimetype = archive.read("mimetype").strip()
                return {
                    b"application/vnd.oasis.opendocument.text": "odt",
                    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
                }.get(mimetype, "zip")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return "zip"
    if "[Content_Types].xml" in names:
        for part, fmt in (
            ("word/document.xml", "docx"),
            ("xl/workbook.xml", "xlsx"),
            ("ppt/presentation.xml", "pptx"),
        ):
            if part in names:
                return fmt
    return "zip"


def zip_head_document_format(head: bytes) -> str:
    """Office documents told from a ZIP's first bytes (used for archive members, whose central
    directory is not at hand): ODF starts with a stored ``mimetype`` entry, OOXML names its
    parts early in the stream."""
    name_length = int.from_bytes(head[26:28], "little")
    extra_length = int.from_bytes(head[28:30], "little")
    first = head[30 : 30 + name_length]
    if first == b"mimetype":
        start = 30 + name_length + extra_length
        size = min(int.from_bytes(head[18:22], "little"), 100)
        return {
            b"application/vnd.oasis.opendocument.text": "odt",
            b"application/vnd.oasis.opendocument.spreadsheet": "ods",
        }.get(head[start : start + size].strip(), "zip")
    if b"[Content_Types].xml" in head:
        for part, fmt in ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx")):
            if part in head:
                return fmt
    return "zip"


def _sniff_binary(head: bytes, name: str) -> str | None:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    simple = (
        (b"\x1f\x8b", "gzip"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"Rar!\x1a\x07", "rar"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"\xff\xd8\xff", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"%PDF-", "pdf"),
        (b"CDF\x01", "netcdf"),
        (b"CDF\x02", "netcdf"),
        (b"CDF\x05", "netcdf"),
        (b"\x89HDF\r\n\x1a\n", "netcdf"),
        (b"\x7fELF", "executable"),
        (b"MZ", "executable"),
    )
    for magic, fmt in simple:
        if head.startswith(magic):
            return fmt
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return "geotiff" if _tiff_is_geo(lambda at, size: head[at : at + size]) else "tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[4:8] == b"ftyp":
        return "mov" if head[8:12] == b"qt  " else "mp4"
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return "mov"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg" if head[68:72] in (b"GPKG", b"GP10", b"GP11") else "sqlite"
    if head[:3] == b"fgb" and head[4:7] == b"fgb":
        return "flatgeobuf"
    if len(head) >= 100 and head[:4] == b"\x00\x00\x27\x0a" and head[28:32] == b"\xe8\x03\x00\x00":
        return "shx" if extension(name) == ".shx" else "shp"
    if _is_dbf(head):
        return "dbf"
    return None


def _sniff_text(head: bytes, name: str) -> str:
    text = _strip_bom(head)
    if b"\x00" in text:
        return "binary"
    stripped = text.lstrip()
    if stripped[:1] == b"<":
        return _sniff_markup(stripped)
    if stripped[:1] in (b"{", b"["):
        return "geojson" if _GEOJSON_TYPE.search(stripped) else "json"
    if _ASCII_GRID.match(text):
        return "ascii-grid"
    if _WKT_ROOTS.match(text):
        return "prj"
    if extension(name) == ".cpg" and len(text) < 100 and _ENCODING_NAME.match(text):
        return "cpg"
    if not _looks_like_text(text):
        return "binary"
    if _is_delimited(text) or extension(name) in {".csv", ".tsv"}:
        return "csv"  # text is text: for a one-column or irregular table the name decides
    return "txt"


def _strip_bom(head: bytes) -> bytes:
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:]
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[2:].decode(codec, errors="ignore").encode("utf-8")
    return head


def _sniff_markup(text: bytes) -> str:
    lowered = text[:2048].lower()
    if b"<!doctype html" in lowered or b"<html" in lowered:
        return "html"
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", text, flags=re.S)
    match = _XML_ROOT.search(body)
    root = match.group(2).lower() if match else b""
    if root == b"timeseries":
        return "pi-xml"
    if root == b"kml":
        return "kml"
    return "xml"


def _looks_like_text(text: bytes) -> bool:
    controls = sum(1 for byte in text[:4096] if byte < 9 or 13 < byte < 32)
    return controls == 0


def _is_delimited(text: bytes) -> bool:
    decoded = text.decode("utf-8", errors="replace")
    lines = [line for line in decoded.splitlines()[:21] if line.strip()]
    if len(text) == HEAD_SIZE and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    if not lines:
        return False
    for delimiter in (",", ";", "\t", "|"):
        widths = {
            len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
        }
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


def _is_dbf(head: bytes) -> bool:
    if len(head) < 33 or head[0] not in (0x02, 0x03, 0x30, 0x31, 0x43, 0x83, 0x8B, 0xCB, 0xF5):
        return False
    month, day = head[2], head[3]
    header_size, record_size = struct.unpack("<HH", head[8:12])
    fields = (header_size - 33) / 32
    if not (1 <= month <= 12 and 1 <= day <= 31 and record_size > 0 and fields >= 1):
        return False
    if header_size > len(head):
        return fields.is_integer()
    return head[header_size - 1] == 0x0D


def _tiff_is_geo(read: Callable[[int, int], bytes]) -> bool:
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
