"""Through the real upload endpoint and processing engine: the issue's "done when"."""

import io
import json
import zipfile

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile

from sluis.ingest.processing import upload_process
from sluis.uploads.models import Upload

from .files import points, write_vector

pytestmark = pytest.mark.django_db


def _post(api, source, user, name, content):
    data = {"upload_file": SimpleUploadedFile(name, content)}
    url = f"/api/v1/sync_tasks/{source.sync_task.pk}/upload/?token={user.token}"
    response = api.post(url, data, format="multipart")
    assert response.status_code == 201, response.content
    return Upload.objects.get(pk=response.json()["id"])


def _zipped_shapefile(tmp_path):
    rd = [shapely.Point(155000 + i * 100, 463000 + i * 100) for i in range(5)]
    write_vector(tmp_path / "roads.shp", "shp", rd, {"id": [1, 2, 3, 4, 5]}, crs="EPSG:28992")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for ext in ("shp", "shx", "dbf", "prj", "cpg"):
            archive.write(tmp_path / f"roads.{ext}", f"roads.{ext}")
    return buffer.getvalue()


def test_a_zipped_shapefile_then_a_smaller_geopackage_leaves_only_the_geopackage(
    tmp_path, api, supplier, make_source
):
    source = make_source(name="Roads", kind="vector")
    upload = _post(api, source, supplier, "roads.zip", _zipped_shapefile(tmp_path))
    assert upload_process(upload_id=upload.pk) == "succeeded"
    upload.refresh_from_db()
    assert (upload.inserted, upload.deleted) == (5, 0)

    gpkg = write_vector(tmp_path / "new.gpkg", "gpkg", points(2), {"code": ["x", "y"]})
    upload = _post(api, source, supplier, "new.gpkg", gpkg.read_bytes())
    assert upload_process(upload_id=upload.pk) == "succeeded"
    upload.refresh_from_db()
    assert (upload.inserted, upload.deleted) == (2, 5)

    url = f"/api/v1/features/?data_source={source.data_source.pk}&token={supplier.token}"
    everything = json.loads(api.get(url).content)
    assert [f["properties"] for f in everything["features"]] == [{"code": "x"}, {"code": "y"}]
    assert everything["features"][0]["geometry"]["coordinates"] == [5.0, 52.0]
    inside = json.loads(api.get(url + "&bbox=5.0005,52.0005,5.1,52.1").content)
    assert [f["id_src"] for f in inside["features"]] == ["2"]


def test_a_shapefile_zip_without_its_shx_is_refused_naming_it_and_the_data_is_kept(
    tmp_path, api, supplier, make_source
):
    source = make_source(name="Roads", kind="vector")
    first = write_vector(tmp_path / "a.gpkg", "gpkg", points(3))
    upload = _post(api, source, supplier, "a.gpkg", first.read_bytes())
    assert upload_process(upload_id=upload.pk) == "succeeded"

    complete = zipfile.ZipFile(io.BytesIO(_zipped_shapefile(tmp_path)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("roads.shp", "roads.dbf", "roads.prj"):
            archive.writestr(name, complete.read(name))
    data = {"upload_file": SimpleUploadedFile("roads.zip", buffer.getvalue())}
    url = f"/api/v1/sync_tasks/{source.sync_task.pk}/upload/?token={supplier.token}"
    refused = api.post(url, data, format="multipart")
    assert refused.status_code == 400 and "missing roads.shx" in refused.json()["detail"]
    url = f"/api/v1/features/?data_source={source.data_source.pk}&token={supplier.token}"
    assert json.loads(api.get(url).content)["count"] == 3


@pytest.mark.parametrize("fmt", ["geojson", "flatgeobuf", "kml", "csv"])
def test_each_single_file_format_is_sniffed_and_processed(
    tmp_path, api, supplier, make_source, fmt
):
    source = make_source(name="Points", kind="vector")
    if fmt == "csv":
        path = tmp_path / "p.csv"
        path.write_text("id,lon,lat,naam\n1,5.0,52.0,a\n2,5.1,52.1,b\n")
    else:
        suffix = {"flatgeobuf": "fgb"}.get(fmt, fmt)
        path = write_vector(tmp_path / f"p.{suffix}", fmt, points(2), {"naam": ["a", "b"]})
    upload = _post(api, source, supplier, path.name, path.read_bytes())
    assert upload_process(upload_id=upload.pk) == "succeeded", upload.errors
    upload.refresh_from_db()
    assert upload.inserted == 2
