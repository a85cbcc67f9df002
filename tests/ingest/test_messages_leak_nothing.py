"""No internal path or exception text in anything a supplier reads.

Hostile inputs of every kind go through the upload endpoint and, once accepted, through the
pipeline in-process. Every refusal body, failure reason, problem and warning is scanned for the
data folder's path (and any absolute temporary path), "Errno", "Traceback" and exception class
names.
"""

import gzip
import json
import re
import struct
import zipfile

import pytest
from django.conf import settings

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload
from tests.datastore.rasters.builders import grid, write_geotiff, write_netcdf
from tests.ingest import builders
from tests.ingest.test_hostile_archives import hostile_directory
from tests.uploads.conftest import post_file

pytestmark = pytest.mark.django_db

CSV = b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\n"
LEAKS = re.compile(
    r"Errno|Traceback|CPLE_|/tmp/|/work/upload-|members/m\d{5}|\b[A-Za-z]*(Error|Exception)\b"
    r"|BadZipFile|BadGzipFile|\bat 0x[0-9a-f]+"
)


def _zip(members):
    return builders.zipped(members)


def _offset_past_end():
    data = bytearray(_zip({"a.csv": CSV}))
    data[-6:-2] = struct.pack("<I", len(data) + 1000)
    return bytes(data)


def _duplicates(tmp_path):
    path = tmp_path / "dup.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", CSV)
        archive.writestr("a.csv", CSV)
    return path.read_bytes()


def _lying_gzip():
    data = gzip.compress(CSV + CSV[35:] * 800_000)
    return data[:-4] + struct.pack("<I", 100)


def _truncated_netcdf(tmp_path):
    path = write_netcdf(tmp_path / "t.nc", [grid(0), grid(1)], [0, 1], "days since 2020-01-01")
    return path.read_bytes()[: path.stat().st_size // 2]


def _nested_kml():
    return (
        b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        + b"<Folder>" * 5000
        + b"</Folder>" * 5000
        + b"</Document></kml>"
    )


NAN_GEOJSON = (
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
    b'"geometry": {"type": "Point", "coordinates": [NaN, 52.0]}}]}'
)


def cases(tmp_path):
    tif = write_geotiff(tmp_path / "g.tif").read_bytes()
    wide = b"timestamp," + b",".join(b"L%d/h" % i for i in range(10_001)) + b"\n"
    return [
        ("timeseries", "offset.zip", _offset_past_end()),
        ("timeseries", "dup.zip", _duplicates(tmp_path)),
        ("timeseries", "million.zip", hostile_directory(20_000)),
        ("timeseries", "levels.csv.gz", _lying_gzip()),
        ("timeseries", "wide.csv", wide + b"2020-01-01," + b"1," * 10_000 + b"1\n"),
        ("timeseries", "field.csv", CSV + b'"L' + b"x" * 200_000 + b'",h,2024-01-02,1\n'),
        ("timeseries", "nul.csv", CSV + b"A,h,2024\x00-01-03,1\n"),
        ("raster", "e_2020-01-01.nc", _truncated_netcdf(tmp_path)),
        ("raster", "h_2020-01-01.nc", b"\x89HDF\r\n\x1a\n" + bytes(range(256)) * 40),
        ("raster", "c_2020-01-01.nc", b"CDF\x01" + bytes(range(256)) * 40),
        ("raster", "c10m_2020-01-01_2021-01-01.tif", tif),
        ("raster", "c10m_2025-02-30.tif", tif),
        ("raster", "c10m_9999-12-31.tif", tif),
        ("raster", "e_2020-01-02.tif", tif[: len(tif) // 2]),
        ("vector", "nested.kml", _nested_kml()),
        ("vector", "nan.geojson", NAN_GEOJSON),
        ("vector", "broken.gpkg", b"SQLite format 3\x00" + bytes(4000)),
        ("file", "photo.jpg", b"\xff\xd8\xff\xe0" + bytes(3000)),
    ]


def seen_by_supplier(api, supplier, source, name, content) -> str:
    response = post_file(api, source.sync_task.pk, supplier.token, content=content, name=name)
    if response.status_code != 201:
        assert response.status_code < 500, response.content
        return response.content.decode()
    upload_id = response.json()["id"]
    upload_process(upload_id=upload_id)
    upload = Upload.objects.get(pk=upload_id)
    api.credentials(HTTP_AUTHORIZATION=f"Token {supplier.token}")
    record = api.get(f"/api/v1/uploads/{upload_id}/").content.decode()
    api.credentials()
    Upload.objects.filter(pk=upload_id).delete()  # the data source is free for the next case
    return json.dumps(
        [upload.status, upload.failure_reason, upload.errors, upload.warnings, record]
    )


def test_no_message_a_supplier_reads_holds_a_path_or_exception_text(
    api, supplier, make_source, tmp_path
):
    sources = {
        kind: make_source(name=kind, kind=kind)
        for kind in ("timeseries", "raster", "vector", "file")
    }
    data_dir = str(settings.DATA_DIR)
    leaks = []
    for kind, name, content in cases(tmp_path):
        text = seen_by_supplier(api, supplier, sources[kind], name, content)
        found = LEAKS.search(text)
        if data_dir in text or found:
            leaks.append(f"{kind} {name}: {found and found.group(0)!r} in {text[:600]}")

    assert leaks == [], "\n".join(leaks)
