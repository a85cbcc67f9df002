"""PostGIS on PostgreSQL: the extension, a geometry column (SRID 4326) and its GiST index.

The column is generated from the stored GeoJSON text, so every writer (COPY, the ORM, imports)
fills it without naming it, and the two can never disagree. It is 2D (``ST_Force2D``): the
GeoJSON keeps any Z. On SQLite this migration does nothing (docs/decisions/0021-postgis.md).
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS postgis",
    "ALTER TABLE datastore_vector_feature ADD COLUMN geom geometry(Geometry, 4326) GENERATED ALWAYS AS "
    "(ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(NULLIF(geometry, 'null')), 4326))) STORED",
    "CREATE INDEX vector_feature_geom ON datastore_vector_feature USING gist (geom)",
]
BACKWARD = ["ALTER TABLE datastore_vector_feature DROP COLUMN IF EXISTS geom"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("datastore_vector", "0002_version_retired_at")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
