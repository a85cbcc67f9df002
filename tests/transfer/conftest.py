"""Data sources of every kind filled through the real processors, and their read-back answers.

``readback`` asks the public API what a user would ask (series and events, features and a bbox
query, rasters with a value at a point and the COG bytes, files with their downloads) and drops
only what differs by installation (ids, data source ids, links, row times), so an exported and
re-imported data source must give equal answers.
"""

import json
from datetime import UTC, datetime

import httpx
import pytest
import shapely

from sluis.formats.records import Member
from sluis.kinds import IngestJob, kind_get
from tests.datastore.files import builders as photos
from tests.datastore.rasters.builders import grid, lonlat_of_pixel, make_job, write_geotiff
from tests.datastore.vector.files import write_vector

RECEIVED = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
EVENTS_CSV = (
    "location,parameter,timestamp,value,unit,flag\n"
    "Lock A,level,2024-01-01T00:00:00Z,1.5,m,\n"
    "Lock A,level,2024-01-01T00:10:00.250Z,-0.125,m,suspect\n"
    'Lock A,level,2024-01-01T00:20:00Z,1e-07,m,"a,b"\n'
    "Lock A,flow,2024-01-01T00:00:00Z,12,m3/s,\n"
    "Dike 7,level,1999-12-31T23:59:59Z,3,,\n"
)


@pytest.fixture(autouse=True)
def own_object_storage(settings, tmp_path):
    """Each test stores objects in its own folder, so it can count what was left behind."""
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}
    return tmp_path / "objects"


def _job(source, tmp_path, members, settings=None):
    built = []
    for number, (name, fmt, data) in enumerate(members):
        path = tmp_path / f"member-{source.pk}-{number}"
        path.write_bytes(data)
        built.append(Member(path, name, fmt, len(data)))
    return IngestJob(
        upload_id=None,
        data_source=source,
        ingest_settings=settings if settings is not None else dict(source.ingest_settings),
        members=built,
        received_at=RECEIVED,
    )


@pytest.fixture
def filled(make_source, tmp_path, django_capture_on_commit_callbacks):
    """``filled(kind)``: a data source of ``org`` of that kind holding a little of everything."""

    def fill(kind):
        created = make_source(
            name=f"Exported {kind}",
            kind=kind,
            description="Measured by the north team",
            private=True,
            ingest_settings={} if kind == "vector" else {"timezone": "Europe/Amsterdam"},
        )
        source = created.data_source
        with django_capture_on_commit_callbacks(execute=True):
            FILLERS[kind](source, tmp_path)
        return created

    return fill


def _timeseries(source, tmp_path):
    kind_get("timeseries").processor.process(
        _job(source, tmp_path, [("e.csv", "csv", EVENTS_CSV.encode())])
    )


def _vector(source, tmp_path):
    shapes = [
        shapely.Point(5.1, 52.1),
        shapely.Polygon([(5, 52), (5.2, 52), (5.2, 52.2), (5, 52)]),
        shapely.LineString([(4.9, 51.9), (5.05, 52.05)]),
    ]
    path = write_vector(
        tmp_path / "parcels.geojson",
        "geojson",
        shapes,
        {"id": ["p1", "p2", "p3"], "area": [1.5, 2.25, 0.0], "owner": ["Ä", "B", "C"]},
    )
    member = ("parcels.geojson", "geojson", path.read_bytes())
    kind_get("vector").processor.process(_job(source, tmp_path, [member]))


def _raster(source, tmp_path):
    first = write_geotiff(tmp_path / "a.tif", grid(0), nodata=-9999)
    second = write_geotiff(tmp_path / "b.tif", grid(500), grid(7), nodata=-9999)
    settings = {"filename_pattern": "evap_{timestamp:%Y-%m-%d}.tif"}
    job = make_job(source, {"evap_2024-01-01.tif": first}, tmp_path, settings, upload_id=1)
    kind_get("raster").processor.process(job)
    job = make_job(source, {"evap_2024-01-02.tif": second}, tmp_path, settings, upload_id=2)
    kind_get("raster").processor.process(job)


def _file(source, tmp_path):
    members = [
        ("IMG_0001.jpg", "jpeg", photos.photo(taken=datetime(2024, 5, 1, 9), position=(52.1, 5.1))),
        ("report.pdf", "pdf", photos.pdf()),
        ("notes.txt", "txt", "Peilbuis gecontroleerd (ü)\n".encode()),
    ]
    kind_get("file").processor.process(_job(source, tmp_path, members))


FILLERS = {"timeseries": _timeseries, "vector": _vector, "raster": _raster, "file": _file}

_LOCAL = {
    "id",
    "upload_id",  # the upload records stay in the exporting installation
    "data_source",
    "links",
    "created",
    "updated",
    "download_link",
    "thumbnail_link",
    "download_link_expires",
    "thumbnail_link_expires",
}


def _clean(value):
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if k not in _LOCAL}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _get(api, user, url, **params):
    response = api.get(url, {**params, "token": user.token})
    assert response.status_code == 200, response.content
    return response


def _fetch(api, link):
    """A download link: a presigned S3 URL (fetched over HTTP) or a Sluis URL."""
    if link.startswith("http://127.0.0.1"):
        return httpx.get(link).content
    response = api.get(link)
    return b"".join(response.streaming_content) if response.streaming else response.content


def readback(api, user, source):
    """What the read-back API answers about ``source``, without installation-specific ids."""
    return READBACKS[source.kind](api, user, source)


def _timeseries_readback(api, user, source):
    series = _get(api, user, "/api/v1/timeseries/", data_source=source.pk).json()["results"]
    events = {}
    for item in series:
        key = f"{item['location']}/{item['parameter']}"
        csv = _get(api, user, "/api/v1/events/", timeseries_id=item["id"], sortby="timestamp a")
        events[key] = b"".join(csv.streaming_content).decode()
        json_events = _get(api, user, "/api/v1/events/", timeseries_id=item["id"], format="json")
        events[key + " json"] = json.loads(b"".join(json_events.streaming_content))
    return {"series": _clean(series), "events": events}


def _vector_readback(api, user, source):
    features = _get(api, user, "/api/v1/features/", data_source=source.pk).json()
    some = _get(api, user, "/api/v1/features/", data_source=source.pk, bbox="5.08,52.08,5.12,52.12")
    return {"all": _clean(features), "bbox": _clean(some.json())}


def _raster_readback(api, user, source):
    frames = _get(api, user, "/api/v1/rasters/", data_source=source.pk).json()["results"]
    lon, lat = lonlat_of_pixel(3, 4)
    values, cogs = [], []
    for frame in frames:
        values.append(
            _get(api, user, f"/api/v1/rasters/{frame['id']}/value/", lon=lon, lat=lat).json()
        )
        redirect = api.get(f"/api/v1/rasters/{frame['id']}/download/", {"token": user.token})
        assert redirect.status_code == 302
        cogs.append(_fetch(api, redirect["Location"]))
    many = _get(api, user, "/api/v1/rasters/values/", data_source=source.pk, lon=lon, lat=lat)
    return {
        "frames": _clean(frames),
        "values": _clean(values),
        "cogs": cogs,
        "many": _clean(many.json()),
    }


def _file_readback(api, user, source):
    files = _get(api, user, "/api/v1/files/", data_source=source.pk).json()["results"]
    contents = []
    for item in files:
        detail = _get(api, user, f"/api/v1/files/{item['id']}/").json()
        thumbnail = detail.get("thumbnail_link")
        contents.append(
            (_fetch(api, detail["download_link"]), thumbnail and _fetch(api, thumbnail))
        )
    return {"files": _clean(files), "contents": contents}


READBACKS = {
    "timeseries": _timeseries_readback,
    "vector": _vector_readback,
    "raster": _raster_readback,
    "file": _file_readback,
}
