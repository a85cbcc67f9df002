import json

import pytest

from sluis.datastore.vector.selectors import features_current

from .files import member, points, process, shapefile_members, write_vector

pytestmark = pytest.mark.django_db


def _stored(source):
    return [
        (f.id_src, json.loads(f.geometry), json.loads(f.properties))
        for f in features_current(data_source=source)
    ]


def test_a_shapefile_then_a_smaller_geopackage_leaves_exactly_the_geopackage(
    tmp_path, vector_source
):
    rd = [(155000 + i * 100, 463000 + i * 100) for i in range(5)]
    import shapely

    shp = shapefile_members(
        tmp_path,
        [shapely.Point(x, y) for x, y in rd],
        {"id": [1, 2, 3, 4, 5], "name": list("abcde")},
        crs="EPSG:28992",
    )
    counts, _ = process(vector_source, shp)
    assert (counts.inserted, counts.deleted) == (5, 0)
    stored = _stored(vector_source)
    assert stored[0][0] == "1"
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
