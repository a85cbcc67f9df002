"""Photos and other images: size, EXIF capture time and GPS position, and thumbnails.

The one place Sluis opens a supplier's image with Pillow. Every open names the single Pillow
plugin the sniffed format allows (``formats=[...]``), turns ``DecompressionBombWarning`` into an
error, and checks the declared width x height against the pixel budget before any pixel is
decoded. EXIF blocks above a byte budget are refused (an "EXIF bomb"); EXIF that is merely broken
is ignored with a warning, so a photo with a corrupt clock still lands. Plain Python, no Django.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import cast

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError
from PIL.ExifTags import GPS, IFD, Base

# HEIC/HEIF through libheif (pillow-heif's wheel); AVIF is Pillow's own plugin.
pillow_heif.register_heif_opener()

# sniffed format -> the only Pillow plugin allowed to open it
PILLOW_PLUGINS = {
    "jpeg": "JPEG",
    "png": "PNG",
    "tiff": "TIFF",
    "geotiff": "TIFF",
    "webp": "WEBP",
    "gif": "GIF",
    "heic": "HEIF",
    "avif": "AVIF",
}


class ImageRejected(ValueError):
    """The image must not be stored: unreadable, over the pixel budget, or an EXIF bomb."""


class ImageUnreadable(ImageRejected):
    """Pillow cannot read the header or decode the pixels (corrupt, or a layout Pillow lacks,
    such as a five-band float GeoTIFF). Not a budget violation."""


@dataclass
class ImageInfo:
    width: int
    height: int
    taken_at: datetime | None = None  # naive when the camera wrote no offset
    latitude: float | None = None
    longitude: float | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Thumbnail:
    data: bytes
    content_type: str
    extension: str


@contextmanager
def image_open(
    path: Path, fmt: str, *, max_pixels: int, notes: list[str] | None = None
) -> Iterator[Image.Image]:
    """Open ``path`` with the one plugin of ``fmt``; ImageRejected before decoding if it is
    unreadable or declares more than ``max_pixels`` pixels. Pillow's other warnings (corrupt
    EXIF, ...) are collected into ``notes`` instead of printed."""
    plugin = PILLOW_PLUGINS.get(fmt)
    if plugin is None:
        raise ImageRejected(f"{fmt!r} is not an image format Sluis reads.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(path, formats=[plugin])
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise ImageRejected(f"is a possible decompression bomb: {exc}") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error) as exc:
            reason = str(exc).replace(f" '{path}'", "").replace(str(path), "").strip()
            raise ImageUnreadable(f"is not a readable {plugin} image ({reason}).") from exc
        with image:
            _check_budget(image, max_pixels)
            yield image
    if notes is not None:
        found = (str(w.message) for w in caught if issubclass(w.category, UserWarning))
        notes.extend(dict.fromkeys(found))


def _check_budget(image: Image.Image, max_pixels: int) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRejected(f"declares an empty size of {width} x {height} pixels.")
    if width * height > max_pixels:
        raise ImageRejected(
            f"declares {width:,} x {height:,} pixels ({width * height:,}), above the budget "
            f"of {max_pixels:,} pixels; nothing was decoded."
        )


def image_info(path: Path, fmt: str, *, max_pixels: int, max_exif_bytes: int) -> ImageInfo:
    """Width and height, and from EXIF the capture time and WGS84 position when present."""
    notes: list[str] = []
    with image_open(path, fmt, max_pixels=max_pixels, notes=notes) as image:
        info = ImageInfo(width=image.size[0], height=image.size[1])
        raw = image.info.get("exif") or b""
        if len(raw) > max_exif_bytes:
            raise ImageRejected(
                f"has an EXIF block of {len(raw):,} bytes, above the limit of "
                f"{max_exif_bytes:,} bytes."
            )
        _read_exif(image, info)
    if notes:
        info.warnings.append(f"EXIF or image metadata is partly corrupt ({notes[0]}).")
    return info


def _read_exif(image: Image.Image, info: ImageInfo) -> None:
    try:
        exif = image.getexif()
        info.taken_at = exif_time(exif.get_ifd(IFD.Exif), info.warnings)
        position = exif_position(exif.get_ifd(IFD.GPSInfo), info.warnings)
    except (SyntaxError, ValueError, TypeError, KeyError, OSError, struct.error) as exc:
        info.warnings.append(f"EXIF data is unreadable and was ignored ({exc}).")
        return
    if position:
        info.latitude, info.longitude = position


def exif_time(tags: dict, problems: list[str]) -> datetime | None:
    """``DateTimeOriginal`` (+ ``SubsecTimeOriginal``), aware when ``OffsetTimeOriginal`` is
    present, else naive (the data source's time zone applies)."""
    text = _text(tags.get(Base.DateTimeOriginal))
    if not text:
        return None
    try:
        taken = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        problems.append(f"EXIF DateTimeOriginal {text!r} is not a valid time and was ignored.")
        return None
    subsec = _text(tags.get(Base.SubsecTimeOriginal))
    if subsec.isdigit():
        taken = taken.replace(microsecond=int(subsec[:6].ljust(6, "0")))
    offset = _offset(_text(tags.get(Base.OffsetTimeOriginal)))
    return taken.replace(tzinfo=offset) if offset is not None else taken


def _offset(text: str) -> timezone | None:
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def exif_position(tags: dict, problems: list[str]) -> tuple[float, float] | None:
    """(latitude, longitude) in WGS84 degrees from the GPS IFD, or None."""
    if GPS.GPSLatitude not in tags or GPS.GPSLongitude not in tags:
        return None
    try:
        lat = _degrees(tags[GPS.GPSLatitude], _text(tags.get(GPS.GPSLatitudeRef)), "S")
        lon = _degrees(tags[GPS.GPSLongitude], _text(tags.get(GPS.GPSLongitudeRef)), "W")
    except (TypeError, ValueError, ZeroDivisionError):
        problems.append("EXIF GPS position is unreadable and was ignored.")
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        problems.append(f"EXIF GPS position ({lat}, {lon}) is out of range and was ignored.")
        return None
    return round(lat, 8), round(lon, 8)


def _degrees(value, ref: str, negative: str) -> float:
    parts = [float(part) for part in value]
    if len(parts) != 3:
        raise ValueError("GPS coordinate must have degrees, minutes and seconds")
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    return -degrees if ref.upper().startswith(negative) else degrees


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).strip("\x00 ").strip() if value is not None else ""


def image_thumbnail(path: Path, fmt: str, *, max_pixels: int, size: int) -> Thumbnail:
    """A thumbnail fitting ``size`` x ``size``, upright (EXIF orientation applied): JPEG, or PNG
    when the image has transparency. ImageRejected if the pixels cannot be decoded."""
    with image_open(path, fmt, max_pixels=max_pixels) as image:
        image.draft("RGB", (size, size))  # JPEG: decode at the smallest scale still >= size
        try:
            image.load()
            small = _displayable(ImageOps.exif_transpose(image))
            small.thumbnail((size, size), Image.Resampling.LANCZOS)
        except (OSError, SyntaxError, ValueError, struct.error) as exc:
            raise ImageUnreadable(f"pixels cannot be decoded ({exc}).") from exc
    return _encode(small)


def _displayable(image: Image.Image) -> Image.Image:
    """8-bit RGB(A) or L: scales 16-bit and float images (e.g. GeoTIFF elevations) to 0-255."""
    if image.mode in ("I", "F") or image.mode.startswith("I;"):
        image = image.convert("F")
        low, high = cast("tuple[float, float]", image.getextrema())  # one band: (min, max)
        span = (high - low) or 1
        return image.point(lambda v: (v - low) * 255 / span).convert("L")
    if image.mode in ("RGB", "L"):
        return image
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image) -> Thumbnail:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        return Thumbnail(buffer.getvalue(), "image/png", "png")
    image.save(buffer, "JPEG", quality=85, optimize=True)
    return Thumbnail(buffer.getvalue(), "image/jpeg", "jpg")
