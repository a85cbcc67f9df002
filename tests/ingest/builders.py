"""Small files of every format, built in the test (no binary fixtures)."""

import io
import sqlite3
import struct
import zipfile
from pathlib import Path

import numpy
from PIL import Image


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def geotiff(path: Path) -> bytes:
    from sluis.readers.gdal import rasterio

    profile = {"driver": "GTiff", "width": 2, "height": 2, "count": 1, "dtype": "uint8"}
    transform = rasterio.Affine(0.1, 0, 5.0, 0, -0.1, 52.0)
    with rasterio.open(path, "w", crs="EPSG:4326", transform=transform, **profile) as dst:
        dst.write(numpy.zeros((1, 2, 2), "uint8"))
    return path.read_bytes()


def gpkg(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
        db.execute("CREATE TABLE gpkg_contents (table_name TEXT)")
    return path.read_bytes()


def sqlite_db(path: Path) -> bytes:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    return path.read_bytes()


def shp_header(length_words: int = 50) -> bytes:
    return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack(
        "<2i4d4d", 1000, 1, 0, 0, 1, 1, 0, 0, 0, 0
    )


def dbf() -> bytes:
    field = b"NAME".ljust(11, b"\x00") + b"C" + bytes(4) + bytes([10, 0]) + bytes(14)
    header = struct.pack("<BBBBIHH", 0x03, 124, 1, 1, 1, 32 + 32 + 1, 11) + bytes(20)
    return header + field + b"\x0d" + b" " + b"rivers".ljust(10) + b"\x1a"


PRJ = b'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]]]'


def zipped(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def office(kind: str) -> bytes:
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
    return zipped({"[Content_Types].xml": b"<Types/>", part[kind]: b"<x/>"})


def opendocument(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    return buffer.getvalue()


def ebml(doctype: bytes) -> bytes:
    return b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84" + doctype + bytes(40)


def patch_central(data: bytes, index: int, offset: int, value: bytes) -> bytes:
    """Overwrite bytes at ``offset`` of the ``index``-th central directory entry."""
    position = -1
    for _ in range(index + 1):
        position = data.index(b"PK\x01\x02", position + 1)
    start = position + offset
    return data[:start] + value + data[start + len(value) :]


def patch_local(data: bytes, index: int, offset: int, value: bytes) -> bytes:
    position = -1
    for _ in range(index + 1):
        position = data.index(b"PK\x03\x04", position + 1)
    start = position + offset
    return data[:start] + value + data[start + len(value) :]
