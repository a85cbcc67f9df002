"""What Sluis records about a stored file: size, sha256, content type (from the format registry),
and per type the image
size with EXIF time and place, the PDF page count, or the video duration.

Plain Python, no Django. Images are read by ``file_images`` (Pillow, hardened), videos by
``file_video`` (hachoir), PDFs by pypdf. Only images can be rejected here (bombs, unreadable
pixels); a PDF or video whose page count or duration cannot be read is still stored, with a
warning, because those numbers are a convenience and the bytes are what the supplier sent.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from sluis.formats.registry import format_get, formats_for_extension
from sluis.readers.files.images import (
    PILLOW_PLUGINS,
    ImageRejected,
    ImageUnreadable,
    image_info,
)
from sluis.readers.files.video import video_duration

IMAGE_FORMATS = frozenset(PILLOW_PLUGINS)
VIDEO_FORMATS = frozenset({"mp4", "mov", "avi", "mkv", "webm"})
# TIFF is a container for scientific rasters too (many bands, float samples) that Pillow cannot
# show; such files are stored without size and thumbnail instead of rejected. Budgets still apply.
LENIENT_IMAGE_FORMATS = frozenset({"tiff", "geotiff"})

# Extensions of content never stored as a file, whatever it is sniffed as.
_EXECUTABLE = frozenset({"exe", "dll", "com", "bat", "cmd", "msi", "scr", "sh", "ps1", "js", "jar"})
_EXECUTABLE |= frozenset({"html", "htm", "xhtml", "svg", "php", "vbs", "app", "apk", "elf"})
MAX_PDF_PAGES = 10_000_000

log = logging.getLogger(__name__)


def name_mismatch(name: str, fmt: str) -> str:
    """Why ``name`` does not fit content sniffed as ``fmt`` ("" if it fits). A name without a
    known extension fits any content; an executable or markup extension fits none."""
    extension = PurePosixPath(name.replace("\\", "/")).suffix.lower().lstrip(".")
    if extension in _EXECUTABLE:
        return f"the name ends in '.{extension}', a type Sluis never stores as a file"
    expected = formats_for_extension("." + extension)
    if expected is None or fmt in expected:
        return ""
    return f"the name ends in '.{extension}' but the content is {fmt.upper()}"


@dataclass
class FileMeta:
    size: int
    sha256: str
    content_type: str
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None  # EXIF capture time; naive when no offset was written
    latitude: float | None = None
    longitude: float | None = None
    duration: float | None = None  # seconds
    page_count: int | None = None
    warnings: list[str] = field(default_factory=list)


def file_meta_read(path: Path, fmt: str, *, max_pixels: int, max_exif_bytes: int) -> FileMeta:
    """Everything recorded about one file. ImageRejected if an image must not be stored."""
    size, sha256 = file_digest(path)
    meta = FileMeta(size=size, sha256=sha256, content_type=format_get(fmt).content_type)
    if fmt in IMAGE_FORMATS:
        _image(meta, path, fmt, max_pixels, max_exif_bytes)
    elif fmt == "pdf":
        meta.page_count = pdf_page_count(path)
        if meta.page_count is None and pdf_locked(path):
            meta.warnings.append(
                "the PDF is encrypted with a password, so its page count is not known; "
                "it is stored as sent"
            )
        elif meta.page_count is None:
            meta.warnings.append("the PDF page count could not be read")
    elif fmt in VIDEO_FORMATS:
        meta.duration = video_duration(path, fmt)
        if meta.duration is None:
            meta.warnings.append("the video duration could not be read")
    return meta


def _image(meta: FileMeta, path: Path, fmt: str, max_pixels: int, max_exif_bytes: int) -> None:
    try:
        info = image_info(path, fmt, max_pixels=max_pixels, max_exif_bytes=max_exif_bytes)
    except ImageUnreadable as exc:
        if fmt not in LENIENT_IMAGE_FORMATS:
            raise
        meta.warnings.append(f"the image {exc} It is stored without size or thumbnail.")
        return
    meta.width, meta.height = info.width, info.height
    meta.taken_at, meta.latitude, meta.longitude = info.taken_at, info.latitude, info.longitude
    meta.warnings.extend(info.warnings)


def file_digest(path: Path, chunk: int = 1024 * 1024) -> tuple[int, str]:
    """(size in bytes, sha256 hex) read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def pdf_page_count(path: Path) -> int | None:
    """The page count the PDF declares in its page tree root (no page is parsed), or None."""
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        count = reader.root_object["/Pages"]["/Count"]  # type: ignore[index]
    except (PyPdfError, KeyError, TypeError, ValueError, AttributeError, OSError) as exc:
        log.info("PDF %s: page count unreadable (%s)", path, exc)
        return None
    except NotImplementedError as exc:  # pypdf: unsupported encryption
        log.info("PDF %s: page count unreadable (%s)", path, exc)
        return None
    if not isinstance(count, int) or not 0 <= count <= MAX_PDF_PAGES:
        return None
    return int(count)


def pdf_locked(path: Path) -> bool:
    """The PDF is encrypted and does not open without a password (an empty one is tried)."""
    try:
        reader = PdfReader(path, strict=False)
        return bool(reader.is_encrypted) and not reader.decrypt("")
    except (PyPdfError, KeyError, TypeError, ValueError, AttributeError, OSError):
        return False
    except NotImplementedError:  # pypdf: an encryption method it does not implement
        return True


__all__ = [
    "IMAGE_FORMATS",
    "LENIENT_IMAGE_FORMATS",
    "VIDEO_FORMATS",
    "FileMeta",
    "ImageRejected",
    "ImageUnreadable",
    "file_digest",
    "file_meta_read",
    "name_mismatch",
    "pdf_locked",
    "pdf_page_count",
]
