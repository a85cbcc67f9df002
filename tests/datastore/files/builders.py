"""Files of every accepted type, built in the test: photos with EXIF time and GPS (Pillow),
small PDFs written by hand, and video container headers (MP4/MOV boxes, AVI RIFF, Matroska)."""

import io
import struct
import zlib
from datetime import datetime

from PIL import Image
from PIL.ExifTags import GPS, IFD, Base


def photo(
    fmt="JPEG",
    size=(640, 480),
    color=(200, 30, 30),
    taken: datetime | None = None,
    offset: str | None = None,
    position: tuple[float, float] | None = None,
    orientation: int | None = None,
    mode="RGB",
) -> bytes:
    """An image with EXIF DateTimeOriginal (+ OffsetTimeOriginal), GPS and Orientation."""
    image = Image.new(mode, size, color)
    exif = Image.Exif()
    if orientation:
        exif[Base.Orientation] = orientation
    if taken:
        exif.get_ifd(IFD.Exif)[Base.DateTimeOriginal] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if offset:
        exif.get_ifd(IFD.Exif)[Base.OffsetTimeOriginal] = offset
    if position:
        gps = exif.get_ifd(IFD.GPSInfo)
        lat, lon = position
        gps[GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps[GPS.GPSLatitude] = _dms(abs(lat))
        gps[GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps[GPS.GPSLongitude] = _dms(abs(lon))
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes())
    return buffer.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 4)
    return (float(degrees), float(minutes), seconds)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_declaring(width: int, height: int, extra_chunks: bytes = b"") -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels (a decompression bomb
    when large: the pixel data is a few bytes that would inflate to gigabytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + extra_chunks
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def png_with_exif_chunk(exif_size: int) -> bytes:
    """A 4 x 4 PNG carrying an ``eXIf`` chunk of ``exif_size`` bytes (an EXIF bomb)."""
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x00" + b"\x00" * (exif_size - 10)
    image = Image.new("RGB", (4, 4))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    data = buffer.getvalue()
    at = data.index(b"IDAT") - 4
    return data[:at] + _png_chunk(b"eXIf", tiff) + data[at:]


def jpeg_with_looping_exif() -> bytes:
    """A JPEG whose EXIF IFD points at itself and whose entries declare billions of values."""
    entries = [
        struct.pack(">HHII", Base.ExifOffset, 4, 1, 8),  # Exif IFD -> IFD0 again (a loop)
        struct.pack(">HHII", 0x8825, 4, 1, 8),  # GPS IFD -> IFD0 again
        struct.pack(">HHII", Base.ImageDescription, 2, 0x7FFFFFFF, 26),  # 2 GB of text
    ]
    ifd = struct.pack(">H", len(entries)) + b"".join(entries) + b"\x00\x00\x00\x00"
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + ifd
    image = Image.new("RGB", (32, 32), (10, 120, 10))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    data = buffer.getvalue()
    app1 = b"Exif\x00\x00" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return data[:2] + segment + data[2:]


def pdf(pages: int = 2) -> bytes:
    """A valid PDF with ``pages`` empty A4 pages, cross-reference table and all."""
    kids = " ".join(f"{3 + i} 0 R" for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(seconds: float, timescale: int = 1000, brand: bytes = b"isom") -> bytes:
    """ftyp + moov/mvhd declaring ``seconds`` + a small mdat: what hachoir needs."""
    mvhd = struct.pack(">B3xIIII", 0, 0, 0, timescale, round(seconds * timescale))
    mvhd += struct.pack(">IH10x", 0x00010000, 0x0100) + bytes(36) + bytes(24)
    mvhd += struct.pack(">I", 2)
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + b"isomiso2mp41")
    return ftyp + _box(b"moov", _box(b"mvhd", mvhd)) + _box(b"mdat", bytes(64))


def avi(frames: int, fps: int = 25) -> bytes:
    """RIFF AVI with the main header (``avih``) declaring ``frames`` frames at ``fps``."""
    avih = struct.pack("<IIIIIIIIII", 1_000_000 // fps, 0, 0, 0, frames, 0, 1, 0, 320, 240)
    avih += bytes(16)
    hdrl = b"hdrl" + b"avih" + struct.pack("<I", len(avih)) + avih
    header_list = b"LIST" + struct.pack("<I", len(hdrl)) + hdrl
    movi = b"LIST" + struct.pack("<I", 4) + b"movi"
    body = b"AVI " + header_list + movi
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _ebml(element_id: bytes, payload: bytes) -> bytes:
    return element_id + bytes([0x01]) + len(payload).to_bytes(7, "big") + payload


def matroska(seconds: float, doctype: bytes = b"matroska") -> bytes:
    """EBML header + Segment/Info with TimecodeScale 1 ms and Duration (a float of ms)."""
    header = _ebml(b"\x1a\x45\xdf\xa3", _ebml(b"\x42\x82", doctype))
    info = _ebml(b"\x2a\xd7\xb1", struct.pack(">I", 1_000_000))
    info += _ebml(b"\x44\x89", struct.pack(">d", seconds * 1000))
    segment = _ebml(b"\x18\x53\x80\x67", _ebml(b"\x15\x49\xa9\x66", info))
    return header + segment


def office(kind: str) -> bytes:
    """A zip shaped like an OOXML/ODF document (the sniffer decides the type, not Sluis)."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", f"<Types><!-- {kind} --></Types>")
    return buffer.getvalue()


def pdf_with_deflate_bomb(inflated: int = 512 << 20) -> bytes:
    """A ~1 MB PDF whose page tree root sits in an object stream inflating to ``inflated``
    bytes (a cross-reference stream points into it)."""
    compressor = zlib.compressobj(1)
    stream = compressor.compress(b"2 0 << /Type /Pages /Kids [] /Count 4 >>")
    block = b" " * (1 << 20)
    for _ in range(inflated >> 20):
        stream += compressor.compress(block)
    stream += compressor.flush()
    out, offsets = bytearray(b"%PDF-1.5\n"), {}
    offsets[1] = len(out)
    out += b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    offsets[3] = len(out)
    out += b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\n" % len(
        stream
    )
    out += b"stream\n" + stream + b"\nendstream\nendobj\n"
    offsets[4] = len(out)
    rows = struct.pack(">BIH", 0, 0, 65535) + struct.pack(">BIH", 1, offsets[1], 0)
    rows += struct.pack(">BIH", 2, 3, 0)  # object 2: the first object in object stream 3
    rows += struct.pack(">BIH", 1, offsets[3], 0) + struct.pack(">BIH", 1, offsets[4], 0)
    out += (
        b"4 0 obj\n<< /Type /XRef /W [1 4 2] /Index [0 5] /Size 5 /Root 1 0 R /Length %d >>\n"
        % len(rows)
    )
    out += b"stream\n" + rows + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[4]
    return bytes(out)


def mp4_of_tiny_boxes(count: int = 1_000_000) -> bytes:
    """An MP4 whose header hides behind ``count`` empty ``free`` boxes."""
    boxes = mp4(5)
    ftyp_end = int.from_bytes(boxes[:4], "big")
    return boxes[:ftyp_end] + b"\x00\x00\x00\x08free" * count + boxes[ftyp_end:]


def geotiff(bands: int = 1, width: int = 50, height: int = 40) -> bytes:
    """A float32 GeoTIFF in EPSG:4326, written by rasterio (GDAL)."""
    import numpy as np
    from affine import Affine
    from rasterio.io import MemoryFile

    values = np.arange(bands * width * height, dtype="float32").reshape(bands, height, width)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": bands}
    profile |= {
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": Affine(0.01, 0, 5, 0, -0.01, 52),
    }
    with MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            dataset.write(values)
        return memory.read()


def tiff_declaring(width: int, height: int) -> bytes:
    """A little-endian grey TIFF whose IFD declares ``width`` x ``height`` pixels, with one strip
    of 16 bytes of data."""
    entries = [
        (256, 4, 1, width),  # ImageWidth
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8),  # StripOffsets: right after the header
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, 16),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<I", value) if kind == 4 else struct.pack("<HH", value, 0)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    return b"II*\x00" + struct.pack("<I", 8 + 16) + bytes(16) + ifd + b"\x00\x00\x00\x00"
