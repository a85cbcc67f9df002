"""PostGIS on PostgreSQL: the geom column, its GiST index, and the per-source view for QGIS."""

import json

import pytest
from django.db import connection

from sluis.cli import main
from sluis.datastore.vector.postgis import postgis_view_create
from sluis.datastore.vector.selectors import features_current
from sluis.datastore.vector.services import vector_dataset_replace

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="PostGIS exists on PostgreSQL only"
)


def _point(ident: str, x: float, y: float, **properties):
    shape = json.dumps({"type": "Point", "coordinates": [x, y, 3.0]})
    return (ident, shape, json.dumps(properties), x, y, x, y)


def _fetch(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@on_postgresql
def test_features_get_a_2d_postgis_geometry_in_wgs84(vector_source):
    vector_dataset_replace(data_source=vector_source, batches=[[_point("a", 5.1, 52.3)]])
    rows = _fetch("SELECT ST_AsText(geom), ST_SRID(geom) FROM datastore_vector_feature")
    assert rows == [("POINT(5.1 52.3)", 4326)]


@on_postgresql
def test_a_bbox_query_uses_the_gist_index(vector_source):
    rows = [_point(str(i), i * 0.001, 52.0) for i in range(2000)]
    vector_dataset_replace(data_source=vector_source, batches=[rows])
    _fetch("ANALYZE datastore_vector_feature")
    features = features_current(data_source=vector_source, bbox=(0.0995, 51.9, 0.1105, 52.1))
    assert sorted(int(i) for i in features.values_list("id_src", flat=True)) == list(
        range(100, 111)
    )
    sql, params = features.values_list("id").query.sql_with_params()
    plan = "\n".join(row[0] for row in _fetch(f"EXPLAIN {sql}", params))
    assert "vector_feature_geom" in plan, plan


@on_postgresql
def test_the_read_only_role_reads_the_view_of_current_features_and_nothing_else(
    vector_source, capsys
):
    role = f"sluis_reader_{connection.settings_dict['NAME']}"[:60]
    _fetch(f'CREATE ROLE "{role}" NOLOGIN')  # rolled back with the test's transaction
    vector_dataset_replace(data_source=vector_source, batches=[[_point("old", 1.0, 2.0)]])
    assert main(["source", "postgis-view", str(vector_source.pk), "--grant", role, "--json"]) == 0
    view = json.loads(capsys.readouterr().out)["view"]
    assert view == f"sluis_source_{vector_source.pk}"
    vector_dataset_replace(
        data_source=vector_source, batches=[[_point("new", 4.9, 52.4, name="Dam")]]
    )
    _fetch(f'SET ROLE "{role}"')
    try:
        rows = _fetch(f"SELECT id_src, properties->>'name', ST_X(geom), ST_Y(geom) FROM {view}")
        assert rows == [("new", "Dam", 4.9, 52.4)]  # the view follows the replace
        _fetch("SAVEPOINT denied")
        with pytest.raises(Exception, match="permission denied"):
            _fetch("SELECT count(*) FROM datastore_vector_feature")
        _fetch("ROLLBACK TO SAVEPOINT denied")
    finally:
        _fetch("RESET ROLE")


@on_postgresql
def test_a_view_for_an_unknown_role_is_refused_with_a_clear_code(vector_source):
    from sluis.datastore.vector.errors import PostgisRoleNotFound

    with pytest.raises(PostgisRoleNotFound):
        postgis_view_create(data_source_id=vector_source.pk, grant_to="no_such_role_here")


def test_views_need_postgresql_or_a_vector_source(vector_source, make_source, capsys):
    timeseries = make_source(name="Levels", kind="timeseries").data_source
    if connection.vendor == "postgresql":
        assert main(["source", "postgis-view", str(timeseries.pk), "--json"]) != 0
        assert "data_source_not_found" in capsys.readouterr().err
    else:
        assert main(["source", "postgis-view", str(vector_source.pk), "--json"]) != 0
        assert "postgis_unavailable" in capsys.readouterr().err
