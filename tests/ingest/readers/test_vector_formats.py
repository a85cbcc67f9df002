"""Reading each vector format: geometry in WGS84, attributes with their types, ids, layers."""

import datetime as dt

import numpy as np
import pytest
import shapely

from sluis.readers.vector.features import VectorInputError
from tests.datastore.vector.files import (
    geometry,
    member,
    points,
    properties,
    read,
    shapefile_members,
    write_vector,
)

FIELDS = {"id": [10, 11], "name": ["Dijk", "Sluis"], "level": [1.25, -0.5]}


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "flatgeobuf", "shp"])
def test_each_format_is_read_with_geometry_attributes_and_ids(tmp_path, fmt):
    if fmt == "shp":
        members = shapefile_members(tmp_path, points(2), FIELDS)
    else:
        members = [member(write_vector(tmp_path / f"f.{fmt}", fmt, points(2), FIELDS), fmt)]
    rows, report = read(members)
    rows.sort()
    assert not report.problems
    assert [row[0] for row in rows] == ["10", "11"]
    assert geometry(rows[1]) == {"type": "Point", "coordinates": [5.001, 52.001]}
    assert properties(rows[0]) == {"id": 10, "name": "Dijk", "level": 1.25}
    assert rows[1][3:] == (5.001, 52.001, 5.001, 52.001)


def test_kml_placemarks_in_every_folder_are_read(tmp_path):
    path = tmp_path / "f.kml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        "<Document><Folder><name>a</name><Placemark><name>Gemaal</name>"
        "<Point><coordinates>5.1,52.1</coordinates></Point></Placemark></Folder>"
        "<Folder><name>b</name><Placemark><name>Stuw</name><LineString><coordinates>"
        "5,52 6,53</coordinates></LineString></Placemark></Folder></Document></kml>"
    )
    rows, report = read([member(path, "kml")])
    assert not report.problems
    assert [properties(row)["Name"] for row in rows] == ["Gemaal", "Stuw"]
    assert [row[0] for row in rows] == [None, None]
    assert [geometry(row)["type"] for row in rows] == ["Point", "LineString"]


def test_attributes_keep_their_types_and_nan_becomes_null(tmp_path):
    fields = {
        "count": np.array([1, 2], dtype="int64"),
        "ratio": np.array([0.5, np.nan]),
        "ok": np.array([True, False]),
        "label": np.array(["a", None], dtype=object),
        "day": np.array(["2024-03-01", "2024-03-02"], dtype="datetime64[D]"),
    }
    path = write_vector(tmp_path / "t.gpkg", "gpkg", points(2), fields)
    rows, _ = read([member(path, "gpkg")])
    first, second = (properties(row) for row in rows)
    assert first == {"count": 1, "ratio": 0.5, "ok": True, "label": "a", "day": "2024-03-01"}
    assert second["ratio"] is None and second["label"] is None and second["ok"] is False


def test_mixed_geometry_types_are_kept(tmp_path):
    shapes = [
        shapely.Point(5, 52),
        shapely.LineString([(5, 52), (6, 53)]),
        shapely.box(5, 52, 6, 53),
    ]
    path = write_vector(tmp_path / "mixed.geojson", "geojson", shapes, {"k": [1, 2, 3]})
    rows, _ = read([member(path, "geojson")])
    assert [geometry(row)["type"] for row in rows] == ["Point", "LineString", "Polygon"]
    assert rows[2][3:] == (5.0, 52.0, 6.0, 53.0)


def test_geojson_top_level_ids_become_id_src_and_a_null_geometry_is_kept(tmp_path):
    path = tmp_path / "ids.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","id":70,"properties":{"a":1},"geometry":null},'
        '{"type":"Feature","id":71,"properties":{"a":2},'
        '"geometry":{"type":"Point","coordinates":[5,52]}}]}'
    )
    rows, _ = read([member(path, "geojson")])
    assert [(row[0], row[1], row[3]) for row in rows] == [
        ("70", None, None),
        ("71", '{"type":"Point","coordinates":[5.0,52.0]}', 5.0),
    ]


def test_without_an_id_field_features_have_no_id_src(tmp_path):
    path = write_vector(tmp_path / "n.geojson", "geojson", points(2), {"name": ["a", "b"]})
    rows, _ = read([member(path, "geojson")])
    assert [row[0] for row in rows] == [None, None]


def test_the_geopackage_fid_is_the_id_when_there_is_no_id_field(tmp_path):
    path = write_vector(tmp_path / "n.gpkg", "gpkg", points(2), {"name": ["a", "b"]})
    rows, _ = read([member(path, "gpkg")])
    assert [row[0] for row in rows] == ["1", "2"]


def test_the_id_field_setting_names_the_id_and_a_missing_one_is_an_error(tmp_path):
    fields = {"code": ["NL-1", "NL-2"], "id": [1, 2]}
    path = write_vector(tmp_path / "c.geojson", "geojson", points(2), fields)
    rows, _ = read([member(path, "geojson")], id_field="code")
    assert [row[0] for row in rows] == ["NL-1", "NL-2"]
    with pytest.raises(VectorInputError, match=r"'nummer'.*attributes: code, id"):
        read([member(path, "geojson")], id_field="nummer")


def test_duplicate_ids_are_problems_naming_the_first_use(tmp_path):
    path = write_vector(tmp_path / "d.gpkg", "gpkg", points(3), {"id": [1, 2, 1]})
    rows, report = read([member(path, "gpkg")])
    assert len(rows) == 2 and report.rejected == 1
    problem = report.problems[0].as_dict()
    assert problem["feature"] == "3" and problem["value"] == "1"
    assert "duplicate id (first used by d.gpkg feature 1)" in problem["message"]


def test_a_geopackage_with_several_layers_needs_the_layer_setting(tmp_path):
    path = tmp_path / "multi.gpkg"
    write_vector(path, "gpkg", points(1), {"a": [1]}, layer="wegen")
    write_vector(path, "gpkg", points(2), {"a": [1, 2]}, layer="dijken", append=False)
    with pytest.raises(VectorInputError, match="2 layers with geometries: wegen, dijken"):
        read([member(path, "gpkg")])
    rows, _ = read([member(path, "gpkg")], layer="dijken")
    assert len(rows) == 2
    with pytest.raises(VectorInputError, match=r"no layer 'sloten'.*wegen, dijken"):
        read([member(path, "gpkg")], layer="sloten")


def test_geojson_above_the_size_limit_is_refused_before_reading(tmp_path):
    path = write_vector(tmp_path / "big.geojson", "geojson", points(50), {"id": list(range(50))})
    with pytest.raises(VectorInputError, match="GeoJSON uploads are limited to"):
        read([member(path, "geojson")], geojson_max_bytes=1000)


def test_more_features_than_the_limit_are_refused(tmp_path):
    path = write_vector(tmp_path / "many.fgb", "flatgeobuf", points(20), {"id": list(range(20))})
    with pytest.raises(VectorInputError, match="holds 20 features; the limit is 10"):
        read([member(path, "flatgeobuf")], max_features=10)


def test_dates_and_times_become_iso_strings(tmp_path):
    # GeoPackage stores datetimes in UTC, and says so
    when = np.array(["2024-03-01T12:30:00"], dtype="datetime64[ms]")
    path = write_vector(tmp_path / "t.gpkg", "gpkg", points(1), {"at": when})
    rows, _ = read([member(path, "gpkg")])
    assert dt.datetime.fromisoformat(properties(rows[0])["at"]) == dt.datetime(
        2024, 3, 1, 12, 30, tzinfo=dt.UTC
    )


def test_two_datasets_in_one_upload_are_refused_by_name(tmp_path):
    a = member(write_vector(tmp_path / "a.geojson", "geojson", points(1)), "geojson")
    b = member(write_vector(tmp_path / "b.gpkg", "gpkg", points(1)), "gpkg")
    with pytest.raises(VectorInputError, match=r"holds 2: a.geojson, b.gpkg"):
        read([a, b])


def test_a_file_of_another_kind_is_refused_by_name(tmp_path):
    a = member(write_vector(tmp_path / "a.geojson", "geojson", points(1)), "geojson")
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    with pytest.raises(VectorInputError, match=r"not vector data: p.jpg \(jpeg\)"):
        read([a, member(photo, "jpeg")])


def test_kml_extended_data_is_kept_and_placemark_ids_are_the_ids(tmp_path):
    path = write_vector(tmp_path / "e.kml", "kml", points(2), {"peil": ["-0.4", "-0.6"]})
    rows, report = read([member(path, "kml")])
    assert not report.problems
    assert [row[0] for row in rows] == ["e.1", "e.2"]
    assert properties(rows[0])["peil"] == "-0.4"
    assert "tessellate" not in properties(rows[0])


def test_a_configured_id_field_must_have_a_value_on_every_feature(tmp_path):
    path = write_vector(tmp_path / "n.gpkg", "gpkg", points(2), {"code": ["a", None]})
    rows, report = read([member(path, "gpkg")], id_field="code")
    assert [row[0] for row in rows] == ["a"]
    assert report.problems[0].message == "the feature has no usable id"
    assert report.problems[0].feature == "2"


def test_duplicate_geojson_feature_ids_are_an_error(tmp_path):
    path = tmp_path / "dup.geojson"
    feature = '{"type":"Feature","id":7,"properties":{},"geometry":null}'
    path.write_text(f'{{"type":"FeatureCollection","features":[{feature},{feature}]}}')
    with pytest.raises(VectorInputError, match="duplicate feature ids"):
        read([member(path, "geojson")])


def test_a_duplicate_id_in_a_later_batch_names_where_it_was_first_used(tmp_path):
    path = write_vector(tmp_path / "d.fgb", "flatgeobuf", points(5), {"id": [1, 2, 3, 4, 2]})
    rows, report = read([member(path, "flatgeobuf")], batch_size=2)
    assert len(rows) == 4
    assert "first used by d.fgb feature" in report.problems[0].message
    csv_path = tmp_path / "d.csv"
    csv_path.write_text("id,lon,lat\nA,5,52\nB,5,52\nC,5,52\nA,5,52\n")
    _, report = read([member(csv_path, "csv")], batch_size=2)
    assert report.problems[0].line == 5
    assert report.problems[0].message == "duplicate id (first used by d.csv line 2)"
