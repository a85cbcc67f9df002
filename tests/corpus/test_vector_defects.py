"""Issue 16's vector geometry defects, on real files: curves, TIN, a ring that is not closed."""

import json

import pytest

from tests.corpus.cases import CORPUS
from tests.corpus.runner import corpus_upload

pytestmark = pytest.mark.django_db


def _upload(api, user, make_source, path, settings=None):
    name = f"Shapes {len(settings or {})}"
    source = make_source(name=name, kind="vector", ingest_settings=settings or {})
    return source, corpus_upload(api=api, user=user, source=source, path=path)


def _features(api, user, source):
    url = f"/api/v1/features/?data_source={source.data_source.pk}&token={user.token}"
    return json.loads(api.get(url).content)["features"]


@pytest.mark.parametrize("name", ["curve.gpkg", "curvepolygon.gpkg", "multisurface.gpkg"])
def test_curved_geometries_are_linearised_with_a_warning(api, supplier, make_source, name):
    source, outcome = _upload(api, supplier, make_source, CORPUS / "vector/pyogrio" / name)

    assert outcome.status == "processed", outcome.describe()
    assert "linearised with GDAL's linear approximation" in outcome.message
    types = {feature["geometry"]["type"] for feature in _features(api, supplier, source)}
    assert types <= {"LineString", "MultiLineString", "Polygon", "MultiPolygon"}


def test_curved_wkt_in_a_csv_is_linearised_too(api, supplier, make_source):
    path = CORPUS / "vector/fiona/curves_line.csv"
    source, outcome = _upload(api, supplier, make_source, path, {"source_crs": "EPSG:4326"})

    assert outcome.status == "processed", outcome.describe()
    assert "curved geometries" in outcome.message
    assert all(len(f["geometry"]["coordinates"]) for f in _features(api, supplier, source))


def test_tin_features_are_refused_one_by_one_naming_the_type(api, supplier, make_source):
    path = CORPUS / "vector/fiona/test_tin.zip"
    settings = {"on_error": "skip_invalid_rows", "source_crs": "EPSG:4326"}
    _, outcome = _upload(api, supplier, make_source, path, settings)

    assert outcome.status == "refused"  # its one feature is a TIN: nothing left to store
    messages = " ".join(problem["message"] for problem in outcome.upload.errors)
    assert "TIN geometries are not stored" in messages


def test_tin_rows_of_a_wkt_csv_are_problems_and_the_other_rows_are_kept(
    api, supplier, make_source, tmp_path
):
    original = (CORPUS / "vector/fiona/test_tin.csv").read_text()
    path = tmp_path / "mixed.csv"
    path.write_text(original + '"POINT (5 52)",4\n')
    settings = {"source_crs": "EPSG:4326", "on_error": "skip_invalid_rows"}
    _, outcome = _upload(api, supplier, make_source, path, settings)

    assert outcome.status == "processed", outcome.describe()
    assert (outcome.upload.inserted, outcome.upload.rejected) == (1, 3)
    lines = {problem["line"]: problem["message"] for problem in outcome.upload.errors}
    assert lines[2].startswith("TIN geometries are not stored")
    assert lines[3].startswith("Triangle geometries are not stored")


@pytest.mark.parametrize(("rule", "status"), [("repair", "processed"), ("reject", "refused")])
def test_a_polygon_ring_that_is_not_closed_follows_the_invalid_geometry_rule(
    api, supplier, make_source, tmp_path, rule, status
):
    ring = [[5.0, 52.0], [5.1, 52.0], [5.1, 52.1], [5.0, 52.1]]  # first point not repeated
    document = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"n": 1},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            },
        ],
    }
    path = tmp_path / "open-ring.geojson"
    path.write_text(json.dumps(document))
    _, outcome = _upload(api, supplier, make_source, path, {"invalid_geometry": rule})

    assert outcome.status == status, outcome.describe()
    if rule == "reject":
        assert "a polygon ring is not closed" in outcome.message
    else:
        assert "repaired" in outcome.message


def test_a_gpx_file_stores_its_waypoints_routes_and_tracks(api, supplier, make_source):
    path = CORPUS / "vector/gpxpy/gpx1.1_with_all_fields.gpx"
    source, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    features = _features(api, supplier, source)
    types = sorted({feature["geometry"]["type"] for feature in features})
    assert "Point" in types and "MultiLineString" in types  # waypoints and tracks
    assert any(feature["properties"].get("name") for feature in features)


def test_a_gpx_track_of_a_single_fix_is_kept_as_a_point_with_a_warning(api, supplier, make_source):
    path = CORPUS / "vector/gpxpy/track_with_dilution_errors.gpx"
    _, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert "repaired" in outcome.message


def test_a_zipped_file_geodatabase_is_read_with_gdal_and_names_its_layers(
    api, supplier, make_source
):
    path = CORPUS / "vector/fiona/testopenfilegdb.gdb.zip"
    _, refused = _upload(api, supplier, make_source, path)
    assert refused.status == "refused"
    assert "set the data source's 'layer' setting" in refused.message
    assert "point" in refused.message

    _, outcome = _upload(api, supplier, make_source, path, {"layer": "point"})
    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == 5


def test_a_shapefile_zip_with_the_sidecars_gis_software_writes_is_read(
    api, supplier, make_source, tmp_path
):
    """The shapefile is real; the sidecars' bytes are stand-ins (they are never read)."""
    import zipfile

    with zipfile.ZipFile(CORPUS / "vector/fiona/coutwildrnp.zip") as original:
        parts = {name: original.read(name) for name in original.namelist()}
    path = tmp_path / "arcgis-export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        for suffix in (
            ".sbn",
            ".sbx",
            ".shp.xml",
            ".qix",
            ".fbn",
            ".fbx",
            ".ain",
            ".aih",
            ".atx",
            ".qmd",
        ):
            archive.writestr(f"coutwildrnp{suffix}", b"\x00\x00\x27\x0a sidecar")
    _, outcome = _upload(api, supplier, make_source, path)

    assert outcome.status == "processed", outcome.describe()
    assert outcome.upload.inserted == 67
