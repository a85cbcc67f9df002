"""Small but meaningful files of every kind, uploaded twice per data source, and what the
read-back API must then show: timeseries whose second upload overlaps the first, vector data
replaced by a GeoJSON or a zipped Shapefile, rasters overwritten and appended, files
overwritten by name."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import shapely

from tests.datastore.files.builders import pdf, photo
from tests.datastore.rasters.builders import grid, lonlat_of_pixel, write_geotiff
from tests.datastore.vector.files import write_vector

START = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass(eq=False)
class Plan:
    """What one data source receives, in order, and how to check what it then holds."""

    kind: str
    task: int
    data_source: int
    uploads: list[tuple[str, bytes]]
    check: Callable[[httpx.Client, int], None]


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def read(api: httpx.Client, path: str, **params) -> httpx.Response:
    response = api.get(path, params=params)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response


# --- timeseries ---------------------------------------------------------------------------------


def level(hour: int, revised: bool) -> float:
    return (100.0 if revised else 0.0) + hour * 0.25


def levels_csv(location: str, hours: range, revised: bool) -> bytes:
    rows = ["location,parameter,timestamp,value,unit"]
    for hour in hours:
        moment = (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(f"{location},waterlevel,{moment},{level(hour, revised)},m")
    return ("\n".join(rows) + "\n").encode()


def timeseries_plan(task: int, data_source: int, location: str) -> Plan:
    """48 hourly levels, then 48 revised ones overlapping the last 24: 72 events, the overlap
    overwritten, the first day untouched."""
    uploads = [
        (f"{location}-day1-2.csv", levels_csv(location, range(0, 48), revised=False)),
        (f"{location}-day2-3.csv", levels_csv(location, range(24, 72), revised=True)),
    ]
    expected = {hour * 3600: level(hour, revised=hour >= 24) for hour in range(72)}
    return Plan(
        "timeseries", task, data_source, uploads, lambda api, ds: _events(api, ds, expected)
    )


def big_timeseries(location: str, minutes: int) -> bytes:
    """One series of ``minutes`` values a minute apart (about 36 bytes a row)."""
    rows = ["location,parameter,timestamp,value"]
    for minute in range(minutes):
        moment = (START + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(f"{location},discharge,{moment},{minute * 0.5}")
    return ("\n".join(rows) + "\n").encode()


def big_check(minutes: int) -> Callable[[httpx.Client, int], None]:
    expected = {minute * 60: minute * 0.5 for minute in range(minutes)}
    return lambda api, ds: _events(api, ds, expected)


def _events(api: httpx.Client, data_source: int, expected: dict[int, float]) -> None:
    """The data source holds one series with exactly ``expected`` (seconds after START: value)."""
    series = read(api, "timeseries/", data_source=data_source).json()["results"]
    assert len(series) == 1, series
    assert series[0]["count"] == len(expected), series
    events = read(
        api, "events/", timeseries_id=series[0]["id"], format="json", sortby="timestamp a",
        count=len(expected) + 1,
    ).json()  # fmt: skip
    got = {
        int((datetime.fromisoformat(e["timestamp"]) - START).total_seconds()): e["value"]
        for e in events
    }
    assert got == expected


# --- vector ---------------------------------------------------------------------------------------


def points(count: int, version: int) -> dict:
    return {
        f"NL-{i}": (shapely.Point(5.0 + i / 100, 52.0 + version / 100), f"gemaal {i}", -0.5 * i)
        for i in range(1, count + 1)
    }


def geojson(features: dict) -> bytes:
    import json

    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry),
                "properties": {"id": key, "naam": name, "peil": peil},
            }
            for key, (geometry, name, peil) in features.items()
        ],
    }
    return json.dumps(collection).encode()


def zipped_shapefile(features: dict, folder: Path) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    fields = {
        "id": [key for key in features],
        "naam": [name for _, name, _ in features.values()],
        "peil": [peil for _, _, peil in features.values()],
    }
    geometries = [geometry for geometry, _, _ in features.values()]
    write_vector(folder / "gemalen.shp", "shp", geometries, fields)
    return zipped({path.name: path.read_bytes() for path in sorted(folder.iterdir())})


def vector_plan(task: int, data_source: int, second: str, folder: Path, count: int) -> Plan:
    """Two points as GeoJSON, replaced by ``count`` points (moved) as GeoJSON or Shapefile."""
    first, final = points(2, version=1), points(count, version=2)
    replacement = (
        ("gemalen.zip", zipped_shapefile(final, folder))
        if second == "shapefile"
        else ("gemalen-v2.geojson", geojson(final))
    )
    uploads = [("gemalen.geojson", geojson(first)), replacement]
    return Plan("vector", task, data_source, uploads, lambda api, ds: _features(api, ds, final))


def _features(api: httpx.Client, data_source: int, expected: dict) -> None:
    body = read(api, "features/", data_source=data_source, page_size=50).json()
    assert body["count"] == len(expected), body
    got = {
        f["id_src"]: (
            tuple(round(c, 6) for c in f["geometry"]["coordinates"]),
            f["properties"]["naam"],
            f["properties"]["peil"],
        )
        for f in body["features"]
    }
    assert got == {
        key: ((round(g.x, 6), round(g.y, 6)), name, peil)
        for key, (g, name, peil) in expected.items()
    }


# --- rasters ---------------------------------------------------------------------------------


def geotiff(folder: Path, offset: float) -> bytes:
    folder.mkdir(parents=True, exist_ok=True)
    return write_geotiff(folder / f"grid-{offset}.tif", grid(offset=offset)).read_bytes()


def raster_plan(task: int, data_source: int, parameter: str, folder: Path, base: int) -> Plan:
    """A frame for day 1, then a zip overwriting day 1 and adding day 2."""
    day1, day2 = f"{parameter}_2020-01-01.tif", f"{parameter}_2020-01-02.tif"
    uploads = [
        (day1, geotiff(folder, base)),
        (
            f"{parameter}.zip",
            zipped({day1: geotiff(folder, base + 1000), day2: geotiff(folder, base + 2000)}),
        ),
    ]
    expected = {"2020-01-01": base + 1000 + 304, "2020-01-02": base + 2000 + 304}
    return Plan("raster", task, data_source, uploads, lambda api, ds: _frames(api, ds, expected))


def _frames(api: httpx.Client, data_source: int, expected: dict[str, float]) -> None:
    """Pixel (3, 4), which holds ``3 * 100 + 4 + offset``, read back at every frame."""
    frames = read(api, "rasters/", data_source=data_source).json()["results"]
    lon, lat = lonlat_of_pixel(3, 4)
    got = {
        f["timestamp"][:10]: read(api, f"rasters/{f['id']}/value/", lon=lon, lat=lat).json()[
            "value"
        ]
        for f in frames
    }
    assert got == expected


# --- files ---------------------------------------------------------------------------------


def photos_plan(task: int, data_source: int) -> Plan:
    """A zip of three geotagged photos and a PDF, then one photo sent again (overwritten)."""
    taken = [datetime(2024, 5, day, 9, 30) for day in (1, 2, 3)]
    members = {
        f"photos/gemaal {i}.jpg": photo(taken=t, position=(52.1 + i / 100, 5.3))
        for i, t in enumerate(taken)
    }
    members["inspectie rapport.pdf"] = pdf(pages=3)
    again = photo(taken=taken[0], position=(52.1, 5.3), color=(10, 200, 10))
    uploads = [("inspectie.zip", zipped(members)), ("gemaal 0.jpg", again)]
    expected = {
        "gemaal0.jpg": again,
        "gemaal1.jpg": members["photos/gemaal 1.jpg"],
        "gemaal2.jpg": members["photos/gemaal 2.jpg"],
        "inspectierapport.pdf": members["inspectie rapport.pdf"],
    }
    return Plan("file", task, data_source, uploads, lambda api, ds: _files(api, ds, expected))


def documents_plan(task: int, data_source: int) -> Plan:
    report, site = pdf(pages=2), photo(taken=datetime(2024, 6, 1, 12), color=(0, 0, 200))
    uploads = [("rapport.pdf", report), ("locatie.jpg", site)]
    expected = {"rapport.pdf": report, "locatie.jpg": site}
    return Plan("file", task, data_source, uploads, lambda api, ds: _files(api, ds, expected))


def _files(api: httpx.Client, data_source: int, expected: dict[str, bytes]) -> None:
    """Every file is listed once and its download link (presigned S3) serves its bytes."""
    listed = read(api, "files/", data_source=data_source, page_size=50).json()["results"]
    assert sorted(f["name"] for f in listed) == sorted(expected)
    for item in listed:
        download = httpx.get(item["download_link"], timeout=30)
        assert download.status_code == 200, download.text
        assert download.content == expected[item["name"]], item["name"]
