"""The issues' "done when" scenarios for files and rasters, over HTTP with the real worker."""

import io
import zipfile
from datetime import datetime

import httpx
import numpy as np

from tests.datastore.files.builders import pdf, photo
from tests.datastore.rasters.builders import grid, lonlat_of_pixel, write_geotiff


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def geotiff_bytes(tmp_path, name: str, values: np.ndarray) -> bytes:
    return write_geotiff(tmp_path / name, values).read_bytes()


def test_a_zip_of_three_geotagged_photos_and_a_pdf_lands_as_four_files(sluis):
    taken = [datetime(2024, 5, day, 9, 30) for day in (1, 2, 3)]
    members = {
        f"photos/gemaal {i}.jpg": photo(taken=t, position=(52.1 + i / 100, 5.3))
        for i, t in enumerate(taken)
    }
    members["inspectie rapport.pdf"] = pdf(pages=3)
    status = sluis.finished(sluis.upload("file", "inspectie.zip", zipped(members)))
    assert (status["status"], status["counts"]["inserted"]) == ("succeeded", 4), status

    listed = sluis.read("files/", page_size=50).json()["results"]
    assert len(listed) == 4
    photos = sorted(
        (f for f in listed if f["content_type"] == "image/jpeg"), key=lambda f: f["timestamp"]
    )
    assert [p["timestamp"][:16] for p in photos] == [
        "2024-05-01T09:30",
        "2024-05-02T09:30",
        "2024-05-03T09:30",
    ]
    assert all(p["location"] and p["thumbnail_link"] for p in photos)
    download = httpx.get(photos[0]["download_link"])
    assert download.status_code == 200 and download.content == members["photos/gemaal 0.jpg"]

    again = photo(taken=taken[0], position=(52.1, 5.3), color=(10, 200, 10))
    status = sluis.finished(sluis.upload("file", "gemaal 0.jpg", again))
    counts = status["counts"]
    assert (status["status"], counts["inserted"], counts["updated"]) == ("succeeded", 0, 1)
    relisted = {f["name"]: f for f in sluis.read("files/", page_size=50).json()["results"]}
    assert len(relisted) == 4
    assert httpx.get(relisted["gemaal0.jpg"]["download_link"]).content == again


def test_a_newer_raster_overwrites_its_timestamp_and_a_zip_appends_the_next_day(sluis, tmp_path):
    first = geotiff_bytes(tmp_path, "a.tif", grid(offset=0))
    status = sluis.finished(sluis.upload("raster", "evaporation_2020-01-01.tif", first))
    assert status["status"] == "succeeded", status

    newer = {
        "evaporation_2020-01-01.tif": geotiff_bytes(tmp_path, "b.tif", grid(offset=1000)),
        "evaporation_2020-01-02.tif": geotiff_bytes(tmp_path, "c.tif", grid(offset=2000)),
    }
    status = sluis.finished(sluis.upload("raster", "evaporation.zip", zipped(newer)))
    assert status["status"] == "succeeded", status

    frames = sluis.read("rasters/").json()["results"]
    assert [f["timestamp"][:10] for f in sorted(frames, key=lambda f: f["timestamp"])] == [
        "2020-01-01",
        "2020-01-02",
    ]
    lon, lat = lonlat_of_pixel(3, 4)
    for frame in frames:
        value = sluis.read(f"rasters/{frame['id']}/value/", lon=lon, lat=lat).json()["value"]
        expected = 1000 + 304 if frame["timestamp"].startswith("2020-01-01") else 2000 + 304
        assert value == expected
