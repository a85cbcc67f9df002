"""Uploads replace a vector data source's features whole; failures leave the old version."""

import json

import pytest
import shapely

from sluis.datastore.vector.models import Feature, VectorVersion
from sluis.datastore.vector.selectors import features_current
from sluis.datastore.vector.services import vector_dataset_replace, vector_version_start
from sluis.formats.errors import IngestFailed
from sluis.readers.vector.features import VectorInputError

from .files import member, points, process, shapefile_members, write_vector

pytestmark = pytest.mark.django_db


def _stored(source):
    return [
        (f.id_src, json.loads(f.geometry), json.loads(f.properties))
        for f in features_current(data_source=source)
    ]


def _rows(n, start=0):
    return [
        (str(i), f'{{"type":"Point","coordinates":[{i % 90},0.5]}}', "{}", i % 90, 0.5, i % 90, 0.5)
        for i in range(start, start + n)
    ]


def test_a_shapefile_then_a_smaller_geopackage_leaves_exactly_the_geopackage(
    tmp_path, vector_source, api, supplier
):
    rd = [shapely.Point(155000 + i * 100, 463000 + i * 100) for i in range(5)]
    shp = shapefile_members(tmp_path, rd, {"id": [1, 2, 3, 4, 5]}, crs="EPSG:28992")
    counts, _ = process(vector_source, shp)
    assert (counts.inserted, counts.deleted) == (5, 0)
    stored = _stored(vector_source)
    assert stored[0][1]["coordinates"] == pytest.approx([5.3872, 52.1552], abs=1e-4)

    gpkg = write_vector(
        tmp_path / "new.gpkg", "gpkg", points(2), {"code": ["x", "y"], "level": [1.5, 2.5]}
    )
    counts, _ = process(vector_source, [member(gpkg, "gpkg")])
    assert (counts.inserted, counts.deleted) == (2, 5)
    assert _stored(vector_source) == [
        ("1", {"type": "Point", "coordinates": [5.0, 52.0]}, {"code": "x", "level": 1.5}),
        ("2", {"type": "Point", "coordinates": [5.001, 52.001]}, {"code": "y", "level": 2.5}),
    ]
    assert Feature.objects.count() == 2 and VectorVersion.objects.count() == 1
    response = api.get(
        "/api/v1/features/",
        {
            "data_source": vector_source.pk,
            "bbox": "5.0005,52.0005,5.01,52.01",
            "token": supplier.token,
        },
    )
    assert [f["id_src"] for f in json.loads(response.content)["features"]] == ["2"]


def test_a_problem_fails_the_upload_and_keeps_the_previous_version(tmp_path, vector_source):
    first = write_vector(tmp_path / "a.geojson", "geojson", points(3), {"id": [1, 2, 3]})
    process(vector_source, [member(first, "geojson")])
    duplicate = write_vector(tmp_path / "b.geojson", "geojson", points(3), {"id": [7, 8, 7]})
    with pytest.raises(IngestFailed, match="1 problem"):
        process(vector_source, [member(duplicate, "geojson")])
    assert [row[0] for row in _stored(vector_source)] == ["1", "2", "3"]
    assert Feature.objects.count() == 3 and VectorVersion.objects.count() == 1


def test_skip_invalid_rows_stores_the_good_features_and_counts_the_rejected(
    tmp_path, vector_source
):
    upload = write_vector(tmp_path / "b.geojson", "geojson", points(3), {"id": [7, 8, 7]})
    counts, report = process(
        vector_source, [member(upload, "geojson")], {"on_error": "skip_invalid_rows"}
    )
    assert (counts.inserted, counts.rejected) == (2, 1)
    assert [row[0] for row in _stored(vector_source)] == ["7", "8"]
    assert report.problems[0].value == "7"


def test_an_unreadable_upload_keeps_the_previous_version(tmp_path, vector_source):
    first = write_vector(tmp_path / "a.gpkg", "gpkg", points(2))
    process(vector_source, [member(first, "gpkg")])
    shp = shapefile_members(tmp_path, points(2), parts={"shp"})
    with pytest.raises(VectorInputError, match="is missing"):
        process(vector_source, shp)
    assert len(_stored(vector_source)) == 2


def test_a_failure_at_feature_90000_of_100000_leaves_the_old_version_current(vector_source):
    vector_dataset_replace(data_source=vector_source, batches=[_rows(10)])

    def failing():
        for start in range(0, 100_000, 10_000):
            if start == 90_000:
                raise OSError("disk gone at feature 90,000")
            yield _rows(10_000, start)

    with pytest.raises(OSError, match="90,000"):
        vector_dataset_replace(data_source=vector_source, batches=failing())
    assert [f[0] for f in _stored(vector_source)] == [str(i) for i in range(10)]
    assert Feature.objects.count() == 10 and VectorVersion.objects.count() == 1


def test_a_version_left_building_by_a_killed_worker_is_removed_by_the_next_upload(
    vector_source,
):
    orphan = vector_version_start(data_source=vector_source, upload_id=1)
    Feature.objects.create(version=orphan, id_src="ghost", geometry=None)
    counts = vector_dataset_replace(data_source=vector_source, batches=[_rows(3)])
    assert counts.inserted == 3 and counts.deleted == 0
    assert not Feature.objects.filter(id_src="ghost").exists()


def test_deleting_the_data_source_deletes_its_features(vector_source):
    vector_dataset_replace(data_source=vector_source, batches=[_rows(5)])
    vector_source.delete()
    assert Feature.objects.count() == 0 and VectorVersion.objects.count() == 0


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "flatgeobuf", "kml"])
def test_each_format_replaces_the_features(tmp_path, vector_source, fmt):
    path = write_vector(tmp_path / f"f.{fmt}", fmt, points(4), {"naam": list("abcd")})
    counts, _ = process(vector_source, [member(path, fmt)])
    assert counts.inserted == 4
    assert sorted(p["naam"] for _, _, p in _stored(vector_source)) == list("abcd")


def test_a_csv_upload_replaces_the_features(tmp_path, vector_source):
    path = tmp_path / "p.csv"
    path.write_text("id;lat;lon;naam\nA;52,1;5,2;Gemaal\n", encoding="utf-8")
    counts, _ = process(vector_source, [member(path, "csv")], {"decimal": ",", "delimiter": ";"})
    assert counts.inserted == 1
    assert _stored(vector_source) == [
        ("A", {"type": "Point", "coordinates": [5.2, 52.1]}, {"id": "A", "naam": "Gemaal"})
    ]


def test_ids_and_properties_with_tabs_newlines_and_backslashes_are_stored_exactly(vector_source):
    id_src = 'a\tb\nc\\N\r"d'
    properties = json.dumps({"path": "C:\\data\\new", "text": "x\ty"})
    geometry = '{"type":"Point","coordinates":[5.0,52.0]}'
    rows = [
        (id_src, geometry, properties, 5.0, 52.0, 5.0, 52.0),
        (None, None, "{}", None, None, None, None),
    ]
    vector_dataset_replace(data_source=vector_source, batches=[rows])
    stored = features_current(data_source=vector_source)
    assert list(stored.values_list("id_src", "geometry", "properties")) == [
        (id_src, geometry, properties),
        (None, None, "{}"),
    ]


def test_an_upload_without_features_keeps_the_current_data(tmp_path, vector_source):
    first = write_vector(tmp_path / "a.gpkg", "gpkg", points(2))
    process(vector_source, [member(first, "gpkg")])
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type":"FeatureCollection","features":[]}')
    with pytest.raises(IngestFailed, match="no features; the current data is kept"):
        process(vector_source, [member(empty, "geojson")])
    assert len(_stored(vector_source)) == 2


def test_when_every_feature_is_skipped_the_current_data_is_kept(tmp_path, vector_source):
    first = write_vector(tmp_path / "a.gpkg", "gpkg", points(2))
    process(vector_source, [member(first, "gpkg")])
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lon,lat\n1,x,52\n")
    with pytest.raises(IngestFailed, match="no features"):
        process(vector_source, [member(bad, "csv")], {"on_error": "skip_invalid_rows"})
    assert len(_stored(vector_source)) == 2


def _feature(name, geometry):
    return f'{{"type": "Feature", "properties": {{"id": "{name}"}}, "geometry": {geometry}}}'


NAN_GEOJSON = (
    '{"type": "FeatureCollection", "features": ['
    + _feature("a", '{"type": "Point", "coordinates": [NaN, 52.0]}')
    + ", "
    + _feature("b", '{"type": "Point", "coordinates": [5.0, 52.0]}')
    + ", "
    + _feature("c", '{"type": "LineString", "coordinates": [[5.0, 52.0], [NaN, NaN]]}')
    + "]}"
)


def test_a_nan_coordinate_is_a_feature_problem_never_an_empty_point(tmp_path, vector_source):
    path = tmp_path / "nan.geojson"
    path.write_text(NAN_GEOJSON)

    counts, report = process(
        vector_source, [member(path, "geojson")], {"on_error": "skip_invalid_rows"}
    )

    assert (counts.inserted, counts.rejected) == (1, 2)
    assert [row[0] for row in _stored(vector_source)] == ["b"]
    assert all("not a number" in problem.message for problem in report.problems)


def test_a_nan_coordinate_fails_the_upload_by_default_keeping_the_old_version(
    tmp_path, vector_source
):
    first = write_vector(tmp_path / "a.gpkg", "gpkg", points(2))
    process(vector_source, [member(first, "gpkg")])
    path = tmp_path / "nan.geojson"
    path.write_text(NAN_GEOJSON)

    with pytest.raises(IngestFailed):
        process(vector_source, [member(path, "geojson")])

    assert len(_stored(vector_source)) == 2
