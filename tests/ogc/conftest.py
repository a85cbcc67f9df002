"""OGC services fixtures: a vector layer of pumping stations in the Netherlands.

Five points along latitude 52 (longitude 4.0 .. 8.0), a polygon around (4, 52), and a feature
without geometry; each point has a ``gemeten`` time one day apart from 2024-05-01, so both the
spatial and the temporal filters have known answers.
"""

import json

import pytest

from sluis.datastore.vector.services import vector_dataset_replace

STATIONS = [(f"p{i}", 4.0 + i, 52.0, f"2024-05-0{i + 1}T06:00:00Z") for i in range(5)]


def point_row(id_src, x, y, **props):
    point = json.dumps({"type": "Point", "coordinates": [x, y]})
    return (id_src, point, json.dumps(props), x, y, x, y)


def square_row(id_src, x0, y0, x1, y1, **props):
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    shape = json.dumps({"type": "Polygon", "coordinates": [ring]})
    return (id_src, shape, json.dumps(props), x0, y0, x1, y1)


def station_rows():
    rows = [
        point_row(i, x, y, n=n, naam=f"Gemaal {n}", gemeten=t)
        for n, (i, x, y, t) in enumerate(STATIONS)
    ]
    rows.append(square_row("veld", 3.5, 51.5, 4.5, 52.5, naam="Veld", gemeten="geen tijd"))
    rows.append(("leeg", None, '{"naam": "Leeg"}', None, None, None, None))
    return rows


@pytest.fixture
def stations(make_source):
    """The public vector data source 'Gemalen Noord' of ``org`` with the rows above."""
    source = make_source(
        name="Gemalen Noord",
        kind="vector",
        description="Pumping stations",
        ingest_settings={"datetime_field": "gemeten"},
    ).data_source
    vector_dataset_replace(data_source=source, batches=[station_rows()])
    return source


@pytest.fixture
def private_stations(make_source, other_org):
    """A private vector source of the other organization (the outsider's), one point."""
    source = make_source(name="Geheim", kind="vector", owner=other_org, private=True).data_source
    vector_dataset_replace(data_source=source, batches=[[point_row("x", 5.0, 52.0, naam="X")]])
    return source


@pytest.fixture
def own_object_storage(settings, tmp_path):
    sluis = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "objects"},
    }
    settings.STORAGES = {**settings.STORAGES, "sluis": sluis}


def store_frames(source, tmp_path, frames, django_capture_on_commit_callbacks):
    """Store ``{date: offset}`` frames of the 20 x 20 RD New test grid (pixel (0, 0) nodata)."""
    from sluis.kinds import kind_get
    from tests.datastore.rasters.builders import grid, make_job, write_geotiff

    for number, (day, offset) in enumerate(frames.items(), start=1):
        values = grid(offset)
        values[0, 0] = -9999
        folder = tmp_path / f"source-{source.pk}-{number}"
        folder.mkdir()
        tif = write_geotiff(folder / "frame.tif", values, nodata=-9999)
        job = make_job(source, {f"e_{day}.tif": tif}, folder, upload_id=number)
        with django_capture_on_commit_callbacks(execute=True):
            kind_get("raster").processor.process(job)


@pytest.fixture
def evaporation(make_source, own_object_storage, tmp_path, django_capture_on_commit_callbacks):
    """The public raster source 'Verdamping' with frames on 2020-01-01, -02 and -03; pixel
    (row, col) holds ``row * 100 + col`` plus 0, 1000 and 2000."""
    source = make_source(name="Verdamping", kind="raster").data_source
    frames = {"2020-01-01": 0, "2020-01-02": 1000, "2020-01-03": 2000}
    store_frames(source, tmp_path, frames, django_capture_on_commit_callbacks)
    return source


@pytest.fixture
def private_raster(
    make_source, other_org, own_object_storage, tmp_path, django_capture_on_commit_callbacks
):
    source = make_source(name="Geheim raster", kind="raster", owner=other_org, private=True)
    store_frames(
        source.data_source, tmp_path, {"2021-06-01": 5}, django_capture_on_commit_callbacks
    )
    return source.data_source
