"""PostGIS views: one vector data source as a table that QGIS or a tile server reads directly.

On PostgreSQL every stored feature has a PostGIS ``geom`` (SRID 4326, GiST-indexed; migration
0003). ``postgis_view_create`` adds a view ``sluis_source_<id>`` holding the *current* features
of one data source (``id``, ``id_src``, ``properties`` as jsonb, ``geom``): the view reads the
current version inside its own query, so it follows every replace and restore. A view runs with
its owner's rights, so a read-only role granted ``SELECT`` on the views reads those data sources
and nothing else (docs/operations.md, "PostGIS for QGIS and tile servers").
"""

from __future__ import annotations

from django.db import ProgrammingError, connection, transaction

from sluis.catalog.errors import DataSourceNotFound
from sluis.catalog.models import DataSource
from sluis.datastore.vector.errors import PostgisRoleNotFound, PostgisUnavailable
from sluis.datastore.vector.models import Feature, VectorVersion

VIEW_PREFIX = "sluis_source_"


def postgis_view_name(*, data_source_id: int) -> str:
    return f"{VIEW_PREFIX}{int(data_source_id)}"


def postgis_view_create(*, data_source_id: int, grant_to: str | None = None) -> str:
    """Create or replace the view of one vector data source; returns its name.

    ``grant_to`` names an existing role that gets ``SELECT`` on the view (the read-only role).
    501 ``postgis_unavailable`` on SQLite; 404 ``data_source_not_found`` for an unknown or
    non-vector data source; 400 ``postgis_role_not_found`` (and no view) for an unknown role.
    """
    from psycopg import sql

    if connection.vendor != "postgresql":
        raise PostgisUnavailable()
    if not DataSource.objects.filter(pk=data_source_id, kind="vector").exists():
        raise DataSourceNotFound(
            f"Data source {data_source_id} does not exist or is not a vector data source."
        )
    name = postgis_view_name(data_source_id=data_source_id)
    statement = sql.SQL(
        "CREATE OR REPLACE VIEW {view} AS SELECT f.id, f.id_src, f.properties::jsonb AS "
        "properties, f.geom FROM {features} f WHERE f.version_id = (SELECT v.id FROM {versions} "
        "v WHERE v.data_source_id = {source} AND v.state = 'current')"
    ).format(
        view=sql.Identifier(name),
        features=sql.Identifier(Feature._meta.db_table),
        versions=sql.Identifier(VectorVersion._meta.db_table),
        source=sql.Literal(int(data_source_id)),
    )
    grant = sql.SQL("GRANT SELECT ON {view} TO {role}")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
            if grant_to:
                cursor.execute(
                    grant.format(view=sql.Identifier(name), role=sql.Identifier(grant_to))
                )
    except ProgrammingError:
        if grant_to and not _role_exists(grant_to):
            raise PostgisRoleNotFound(f"PostgreSQL has no role {grant_to!r}.") from None
        raise
    return name


def _role_exists(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None
