"""CSV as vector data: lon/lat or WKT columns, found by name or configured."""

import pytest

from sluis.readers.vector.features import VectorInputError
from tests.datastore.vector.files import geometry, member, properties, read


def _csv(tmp_path, text, name="p.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return member(path, "csv")


def test_lon_lat_columns_are_found_by_name_and_taken_as_wgs84(tmp_path):
    rows, report = read([_csv(tmp_path, "id,name,Longitude,Latitude\n1,A,5.1,52.2\n")])
    assert not report.problems
    assert rows[0][0] == "1"
    assert geometry(rows[0]) == {"type": "Point", "coordinates": [5.1, 52.2]}
    assert properties(rows[0]) == {"id": 1, "name": "A"}


def test_lon_lat_in_another_crs_with_source_crs(tmp_path):
    rows, _ = read([_csv(tmp_path, "x,y\n155000,463000\n")], source_crs="EPSG:28992")
    assert geometry(rows[0])["coordinates"] == pytest.approx([5.3872, 52.1552], abs=1e-4)


def test_a_wkt_column_needs_source_crs(tmp_path):
    upload = _csv(tmp_path, 'code,wkt\nA,"LINESTRING (5 52, 6 53)"\n')
    with pytest.raises(VectorInputError, match="no coordinate reference system"):
        read([upload])
    rows, _ = read([upload], source_crs="EPSG:4326")
    assert geometry(rows[0])["type"] == "LineString"
    assert properties(rows[0]) == {"code": "A"}


def test_the_geometry_columns_setting_names_the_columns(tmp_path):
    upload = _csv(tmp_path, "oost,noord,lon\n5,52,9\n")
    rows, _ = read([upload], geometry_columns={"lon": "oost", "lat": "noord"})
    assert geometry(rows[0])["coordinates"] == [5.0, 52.0]
    assert properties(rows[0]) == {"lon": 9}
    with pytest.raises(VectorInputError, match="column\\(s\\) oost2 named in 'geometry_columns'"):
        read([upload], geometry_columns={"lon": "oost2", "lat": "noord"})


def test_ambiguous_geometry_columns_are_an_error_naming_the_setting(tmp_path):
    upload = _csv(tmp_path, 'x,y,wkt\n5,52,"POINT (5 52)"\n')
    with pytest.raises(VectorInputError, match=r"columns: x, y, wkt.*geometry_columns"):
        read([upload])


def test_semicolons_and_decimal_commas_with_a_bom_and_cr_newlines(tmp_path):
    upload = _csv(tmp_path, "\ufeffnaam;lon;lat\rA;5,5;52,25\r", encoding="utf-8")
    rows, report = read([upload], decimal=",")
    assert not report.problems
    assert geometry(rows[0])["coordinates"] == [5.5, 52.25]
    assert properties(rows[0]) == {"naam": "A"}


def test_bad_coordinates_are_problems_with_line_numbers(tmp_path):
    text = "id,lon,lat\n1,5,52\n2,abc,52\n3,5,\n4,200,52\n5,nan,52\n6,5,52\x00\n"
    rows, report = read([_csv(tmp_path, text)])
    assert [row[0] for row in rows] == ["1"]
    assert [(p.line, p.message) for p in report.problems] == [
        (3, "lon 'abc' is not a number"),
        (4, "lat is empty"),
        (6, "lon 'nan' is not a finite number"),
        (7, "lat '52\\x00' is not a number"),
        (
            5,
            "coordinates fall outside longitude -180..180 / latitude -90..90 after reprojection "
            "from EPSG:4326; is the coordinate reference system right (setting source_crs)?",
        ),
    ]
    assert report.rejected == 5


def test_invalid_wkt_is_a_problem_with_its_line(tmp_path):
    upload = _csv(tmp_path, 'id,wkt\n1,"POINT (5 52)"\n2,"POLYGON ((0 0, 1"\n3,\n')
    rows, report = read([upload], source_crs="EPSG:4326")
    assert [row[0] for row in rows] == ["1"]
    assert [p.line for p in report.problems] == [3, 4]
    assert report.problems[0].message.startswith("not valid WKT")


def test_text_that_is_not_utf8_is_an_error_suggesting_the_encoding(tmp_path):
    upload = _csv(tmp_path, "naam,lon,lat\nSluis é,5,52\n", encoding="latin-1")
    with pytest.raises(
        VectorInputError,
        match=r"p.csv: column\(s\) naam are not valid UTF-8 text \(set the 'encoding' setting\?\)",
    ):
        read([upload])
    rows, _ = read([upload], encoding="latin-1")
    assert properties(rows[0]) == {"naam": "Sluis é"}


def test_a_single_huge_line_is_refused_in_bounded_memory(tmp_path):
    upload = _csv(tmp_path, b"lon,lat,blob\n5,52,1\n5,52," + b"x" * (9 << 20) + b"\n")
    with pytest.raises(VectorInputError, match="line 3 is longer than 8 MB"):
        read([upload])
