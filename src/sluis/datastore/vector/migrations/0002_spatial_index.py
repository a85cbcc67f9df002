"""The spatial index on the bbox columns, one per engine (pip-only: no PostGIS, no SpatiaLite).

SQLite: an R*Tree virtual table kept in step with the feature table by triggers, so every insert
and delete path (bulk writes, cascades, flushes) maintains it. R*Tree stores 32-bit floats rounded
outwards, so it yields candidates; queries also compare the exact bbox columns.
PostgreSQL: a GiST index on the native ``box(point(minx, miny), point(maxx, maxy))`` expression,
used by ``&&`` queries that repeat the same expression.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE datastore_vector_feature_rtree USING rtree(id, minx, maxx, miny, maxy)",
    """CREATE TRIGGER datastore_vector_feature_rtree_insert AFTER INSERT ON datastore_vector_feature
    WHEN new.minx IS NOT NULL BEGIN
        INSERT INTO datastore_vector_feature_rtree VALUES
            (new.id, new.minx, new.maxx, new.miny, new.maxy);
    END""",
    """CREATE TRIGGER datastore_vector_feature_rtree_delete AFTER DELETE ON datastore_vector_feature
    WHEN old.minx IS NOT NULL BEGIN
        DELETE FROM datastore_vector_feature_rtree WHERE id = old.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER datastore_vector_feature_rtree_delete",
    "DROP TRIGGER datastore_vector_feature_rtree_insert",
    "DROP TABLE datastore_vector_feature_rtree",
]
POSTGRES_FORWARD = [
    "CREATE INDEX datastore_vector_feature_bbox ON datastore_vector_feature "
    "USING gist (box(point(minx, miny), point(maxx, maxy)))"
]
POSTGRES_BACKWARD = ["DROP INDEX datastore_vector_feature_bbox"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("datastore_vector", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
