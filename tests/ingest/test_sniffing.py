"""Formats are told from content (magic bytes and structure), never from the name alone."""

import struct

import pytest

from sluis.formats.sniffing import name_conflict, sniff, sniff_path
from tests.ingest import builders

PI_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported -->\n'
    b'<TimeSeries xmlns="http://www.wldelft.nl/fews/PI" version="1.2"><series/></TimeSeries>'
)
KML = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>'
GEOJSON = b'{"type": "FeatureCollection", "features": []}'
ASCII_GRID = b"ncols 2\nnrows 2\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2\n3 4\n"
CSV = b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\n"

CONTENT = {
    "csv": (CSV, "levels.csv"),
    "json": (b'[{"timestamp": "2024-01-01", "value": 1}]', "levels.json"),
    "geojson": (GEOJSON, "areas.json"),
    "pi-xml": (PI_XML, "export.xml"),
    "kml": (KML, "places.kml"),
    "shp": (builders.shp_header() + bytes(100), "rivers.shp"),
    "shx": (builders.shp_header() + bytes(8), "rivers.shx"),
    "dbf": (builders.dbf(), "rivers.dbf"),
    "prj": (builders.PRJ, "rivers.prj"),
    "cpg": (b"UTF-8\n", "rivers.cpg"),
    "flatgeobuf": (b"fgb\x03fgb\x01" + bytes(64), "roads.fgb"),
    "netcdf": (b"CDF\x01" + bytes(60), "rain.nc"),
    "ascii-grid": (ASCII_GRID, "dem.asc"),
    "jpeg": (builders.image("JPEG"), "photo.jpg"),
    "png": (builders.image("PNG"), "photo.png"),
    "gif": (builders.image("GIF"), "photo.gif"),
    "webp": (builders.image("WEBP"), "photo.webp"),
    "tiff": (builders.image("TIFF"), "scan.tif"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "report.pdf"),
    "txt": (b"Field notes\nwater was high today\n", "notes.txt"),
    "mp4": (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(32), "clip.mp4"),
    "mov": (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  " + bytes(32), "clip.mov"),
    "avi": (b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(32), "clip.avi"),
    "mkv": (builders.ebml(b"matroska"), "clip.mkv"),
    "webm": (builders.ebml(b"webm"), "clip.webm"),
}


@pytest.mark.parametrize("fmt", sorted(CONTENT))
def test_each_format_is_recognised_from_its_content(fmt, tmp_path):
    data, name = CONTENT[fmt]
    path = tmp_path / "upload"
    path.write_bytes(data)

    assert sniff_path(path, name) == fmt
    assert name_conflict(name, fmt) is None


@pytest.mark.parametrize(
    ("fmt", "build"),
    [
        ("docx", lambda p: builders.office("docx")),
        ("xlsx", lambda p: builders.office("xlsx")),
        ("pptx", lambda p: builders.office("pptx")),
        ("odt", lambda p: builders.opendocument("application/vnd.oasis.opendocument.text")),
        ("ods", lambda p: builders.opendocument("application/vnd.oasis.opendocument.spreadsheet")),
        ("gpkg", builders.gpkg),
        ("geotiff", builders.geotiff),
    ],
)
def test_container_formats_are_recognised_from_their_structure(fmt, build, tmp_path):
    data = build(tmp_path / "built")
    path = tmp_path / "upload"
    path.write_bytes(data)

    assert sniff_path(path, "no-extension") == fmt


def test_a_plain_tiff_is_not_taken_for_a_geotiff_nor_sqlite_for_a_geopackage(tmp_path):
    assert sniff(builders.image("TIFF")) == "tiff"
    assert sniff(builders.sqlite_db(tmp_path / "x.db")) == "sqlite"


def test_a_big_tiff_with_geo_keys_is_a_geotiff():
    ifd = struct.pack("<Q", 1) + struct.pack("<HHQQ", 34735, 3, 4, 0) + bytes(8)
    assert sniff(b"II+\x00\x08\x00\x00\x00" + struct.pack("<Q", 16) + ifd) == "geotiff"


@pytest.mark.parametrize(
    ("data", "name", "promised"),
    [
        (builders.zipped({"a.csv": CSV}), "levels.csv", "CSV table"),
        (CSV, "raster.tif", "GeoTIFF"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "photo.jpg", "JPEG image"),
    ],
)
def test_a_name_that_contradicts_the_content_is_caught(data, name, promised):
    conflict = name_conflict(name, sniff(data, name))

    assert conflict is not None and promised in conflict


def test_unknown_content_is_named_as_such():
    assert sniff(b"\x7fELF\x02\x01\x01") == "executable"
    assert sniff(b"") == "empty"
    assert sniff(b"\x00\x01\x02\x03garbage") == "binary"
    assert sniff(b'<?xml version="1.0"?><svg/>') == "xml"
