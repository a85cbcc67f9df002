"""Reprojection to WGS84 and the invalid-geometry policy."""

import pytest
import shapely

from sluis.readers.vector.features import VectorInputError
from tests.datastore.vector.files import (
    geometry,
    member,
    read,
    shapefile_members,
    write_vector,
)

AMERSFOORT_RD = (155000.0, 463000.0)  # the origin of the Dutch grid, EPSG:28992
AMERSFOORT_WGS84 = (5.38720621, 52.15517440)
BOWTIE = shapely.from_wkt("POLYGON ((0 0, 1 1, 1 0, 0 1, 0 0))")


def test_a_file_in_another_crs_is_reprojected_to_wgs84(tmp_path):
    path = write_vector(
        tmp_path / "rd.gpkg", "gpkg", [shapely.Point(*AMERSFOORT_RD)], crs="EPSG:28992"
    )
    rows, _ = read([member(path, "gpkg")])
    assert geometry(rows[0])["coordinates"] == pytest.approx(AMERSFOORT_WGS84, abs=1e-5)


def test_source_crs_overrides_what_the_file_declares(tmp_path):
    # RD coordinates wrongly labelled WGS84: the override says what they really are
    path = write_vector(
        tmp_path / "wrong.fgb", "flatgeobuf", [shapely.Point(*AMERSFOORT_RD)], crs="EPSG:3857"
    )
    rows, _ = read([member(path, "flatgeobuf")], source_crs="EPSG:28992")
    assert geometry(rows[0])["coordinates"] == pytest.approx(AMERSFOORT_WGS84, abs=1e-5)


def test_a_shapefile_without_prj_needs_source_crs(tmp_path):
    members = shapefile_members(
        tmp_path, [shapely.Point(*AMERSFOORT_RD)], crs="EPSG:28992", parts={"shp", "shx", "dbf"}
    )
    with pytest.raises(VectorInputError, match=r"no coordinate reference system.*source_crs"):
        read(members)
    rows, _ = read(members, source_crs="EPSG:28992")
    assert geometry(rows[0])["coordinates"] == pytest.approx(AMERSFOORT_WGS84, abs=1e-5)


def test_an_unknown_source_crs_is_an_error(tmp_path):
    path = write_vector(tmp_path / "a.gpkg", "gpkg", [shapely.Point(5, 52)])
    with pytest.raises(VectorInputError, match="unknown coordinate reference system 'EPSG:1'"):
        read([member(path, "gpkg")], source_crs="EPSG:1")


def test_coordinates_outside_wgs84_after_reprojection_are_problems(tmp_path):
    # RD coordinates in a file that claims WGS84: longitude 155000 is impossible
    path = write_vector(tmp_path / "a.geojson", "geojson", [shapely.Point(*AMERSFOORT_RD)])
    rows, report = read([member(path, "geojson")])
    assert rows == [] and report.rejected == 1
    assert "outside longitude -180..180" in report.problems[0].message
    assert report.problems[0].feature == "1"


def test_invalid_geometries_are_repaired_with_a_warning_by_default(tmp_path):
    shapes = [BOWTIE, shapely.box(0, 0, 1, 1)]
    path = write_vector(tmp_path / "b.gpkg", "gpkg", shapes, {"id": [1, 2]})
    rows, report = read([member(path, "gpkg")])
    assert not report.problems and len(rows) == 2
    repaired = shapely.from_geojson(rows[0][1])
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert report.warnings == [
        "1 invalid geometries were repaired with make_valid (e.g. b.gpkg feature 1); "
        "set invalid_geometry to 'reject' to refuse them instead."
    ]


def test_invalid_geometries_are_problems_when_the_policy_is_reject(tmp_path):
    shapes = [BOWTIE, shapely.box(0, 0, 1, 1)]
    path = write_vector(tmp_path / "b.gpkg", "gpkg", shapes, {"id": [1, 2]})
    rows, report = read([member(path, "gpkg")], invalid_geometry="reject")
    assert [row[0] for row in rows] == ["2"]
    assert report.problems[0].as_dict() == {
        "message": "invalid geometry: Self-intersection[0.5 0.5]",
        "file": "b.gpkg",
        "feature": "1",
        "value": "Self-intersection[0.5 0.5]",
    }
