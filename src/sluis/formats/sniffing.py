"""Format sniffing from content: magic bytes first, then structure. Never the name alone.

``sniff(head, name)`` names a file with a format of the registry (``sluis.formats.registry``):
the first whose sniffer matches, in table order, else a text fallback (``csv``, ``txt``) or
``binary``/``empty``. Containers (``zip``, ``gzip``, ...) and what Sluis never reads (``html``,
``executable``, ...) have names too, so that they are refused clearly. The name is used only
where the content is ambiguous by design (a shapefile's ``.shp`` and ``.shx`` share one header; a
``.cpg`` is a bare encoding name) and to catch a name that contradicts the content
(``name_conflict``): a zip renamed ``.csv`` or HTML named ``photo.jpg`` is refused.

This module does not import Django: it is used by the pre-flight and the pipeline alike.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from sluis.formats.magic import Head, extension, knmi, tiff_is_geo
from sluis.formats.registry import describe, formats_all, formats_for_extension
from sluis.formats.zipdir import directory_scan

HEAD_SIZE = 64 * 1024
MAX_DOCUMENT_PARTS = 10_000  # no Office document has more; bounds the directory we parse

ARCHIVES = {"zip", "gzip", "tar", "7z", "rar", "bzip2", "xz"}

__all__ = ["ARCHIVES", "HEAD_SIZE", "describe", "extension", "sniff", "sniff_path"]


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

            return "geotiff" if tiff_is_geo(read) else "tiff"
    return fmt


def sniff(head: bytes, name: str = "") -> str:
    """The format of a file whose first bytes are ``head`` (at least 64 KiB when available):
    the first registered format whose sniffer matches, else the text fallbacks."""
    if not head:
        return "empty"
    sample = Head(head, name)
    for fmt in formats_all():
        if fmt.sniffer is not None and fmt.sniffer(sample):
            return fmt.name
    return _text_fallback(sample)


def name_conflict(name: str, fmt: str) -> str | None:
    """A sentence when the file's extension promises another format than its content."""
    ext = extension(name)
    expected = formats_for_extension(ext)
    if expected is None or fmt in expected:
        return None
    promised = " or ".join(sorted(describe(f) for f in expected))
    return f"the name says {promised} ({ext}) but the content is a {describe(fmt)}"


def zip_document_format(path: Path) -> str:
    """``docx``/``xlsx``/``pptx``/``odt``/``ods`` for Office documents, else ``zip``.

    Only the central directory and the tiny ``mimetype`` member are read.
    """
    try:
        scan = directory_scan(path, limit=MAX_DOCUMENT_PARTS + 1)
        if scan.problem or max(scan.declared, scan.counted) > MAX_DOCUMENT_PARTS:
            return "zip"  # not a document; the archive pre-flight judges the directory
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


def _text_fallback(head: Head) -> str:
    """What text no sniffer claimed is: a table when delimited (or named so), else plain text."""
    text = head.text
    if not head.is_text or not _looks_like_text(text):
        return "binary"
    if _is_delimited(text) or head.extension in {".csv", ".tsv"} or knmi(head):
        return "csv"  # text is text: for a one-column or irregular table the name decides
    return "txt"


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
