"""Hostile vector inputs (entities, remote references, disguised drivers): refused, nothing
resolved, bounded time."""

import pytest

from sluis.formats.errors import UnreadableFile
from sluis.readers.vector.features import VectorInputError
from tests.datastore.vector.files import member, points, read, shapefile_members

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&lol9;</name>'
    "<Point><coordinates>5,52</coordinates></Point></Placemark></kml>"
)


def _kml(tmp_path, text):
    path = tmp_path / "evil.kml"
    path.write_text(text)
    return member(path, "kml")


def test_kml_with_a_billion_laughs_entity_is_refused(tmp_path):
    with pytest.raises(VectorInputError, match="DOCTYPE, entities or external references"):
        read([_kml(tmp_path, BILLION_LAUGHS)])


def test_kml_with_an_external_entity_is_refused_and_nothing_is_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    text = (
        f'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&x;</name>'
        "<Point><coordinates>5,52</coordinates></Point></Placemark></kml>"
    )
    with pytest.raises(VectorInputError) as refused:
        read([_kml(tmp_path, text)])
    assert "TOP-SECRET" not in str(refused.value)


def test_kml_that_is_not_xml_is_refused(tmp_path):
    with pytest.raises(VectorInputError, match="not well-formed XML"):
        read([_kml(tmp_path, "<kml><Placemark>")])


def test_an_ogr_vrt_posing_as_geojson_is_refused(tmp_path):
    path = tmp_path / "evil.geojson"
    path.write_text(
        '<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>'
        "</OGRVRTLayer></OGRVRTDataSource>"
    )
    with pytest.raises(UnreadableFile):
        read([member(path, "geojson")])


def test_a_shapefile_without_shx_and_dbf_names_what_is_missing(tmp_path):
    members = shapefile_members(tmp_path, points(1), parts={"shp", "prj"})
    with pytest.raises(VectorInputError, match=r"roads.shx and roads.dbf is missing"):
        read(members)


def test_shapefile_parts_without_the_shp_are_refused(tmp_path):
    members = shapefile_members(tmp_path, points(1), parts={"dbf", "shx"})
    with pytest.raises(VectorInputError, match=r"a Shapefile needs its .shp part"):
        read(members)


def test_truncated_geopackage_is_refused(tmp_path):
    from tests.datastore.vector.files import write_vector

    path = write_vector(tmp_path / "t.gpkg", "gpkg", points(100), {"id": list(range(100))})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(UnreadableFile):
        read([member(path, "gpkg")])


def test_a_shapefile_with_more_features_than_the_limit_is_refused(tmp_path):
    members = shapefile_members(tmp_path, points(12))
    with pytest.raises(VectorInputError, match="holds 12 features; the limit is 10"):
        read(members, max_features=10)
