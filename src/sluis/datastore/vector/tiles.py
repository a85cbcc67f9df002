"""Vector tiles (Mapbox Vector Tile 2.1) of one data source's current features, made by PostGIS.

A tile is one SQL statement: the features whose ``geom`` meets the tile (GiST index), clipped
and quantised by ``ST_AsMVTGeom`` in Web Mercator, encoded by ``ST_AsMVT`` in one layer named
``features`` (the feature id as the MVT id; ``id_src`` and the properties as attributes). On
SQLite tiles are not offered (501 ``tiles_unavailable``, decision 0021).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from sluis.catalog.models import DataSource
from sluis.datastore.vector.errors import TilesUnavailable
from sluis.datastore.vector.models import Feature, VectorVersion
from sluis.errors import InvalidParameter

LAYER = "features"
MAX_ZOOM = 22
EXTENT = 4096
_MERCATOR_LATITUDE = 85.0511287798066  # the Web Mercator square's edge
_TILE_SQL = f"""
WITH tile AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS box),
rows AS (
  SELECT f.id, f.id_src, f.properties::jsonb AS properties,
         ST_AsMVTGeom(
           ST_Transform(ST_ClipByBox2D(f.geom, ST_MakeEnvelope(-180, -{_MERCATOR_LATITUDE},
                                                               180, {_MERCATOR_LATITUDE}, 4326)),
                        3857),
           tile.box, {EXTENT}, 64, true) AS mvt_geom
  FROM {Feature._meta.db_table} f, tile
  WHERE f.version_id = (SELECT v.id FROM {VectorVersion._meta.db_table} v
                        WHERE v.data_source_id = %(source)s AND v.state = 'current')
    AND f.geom && ST_Transform(tile.box, 4326)
)
SELECT ST_AsMVT(rows, '{LAYER}', {EXTENT}, 'mvt_geom', 'id') FROM rows
WHERE mvt_geom IS NOT NULL
"""  # noqa: S608 (table names are the models'; every value is a bound parameter)


@dataclass(frozen=True)
class TileSetInfo:
    """What a TileJSON document says about a data source: its extent (None when empty)."""

    bounds: tuple[float, float, float, float] | None
    feature_count: int


def vector_tile(*, data_source: DataSource, z: int, x: int, y: int) -> bytes:
    """The MVT tile z/x/y of the data source's current features (empty bytes: no feature).

    400 ``invalid_parameter`` for a tile outside the zoom's grid or beyond ``MAX_ZOOM``; 501
    ``tiles_unavailable`` on SQLite.
    """
    _require_postgresql()
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidParameter(
            f"Tile {z}/{x}/{y} does not exist: zoom 0 to {MAX_ZOOM}, x and y 0 to 2^zoom - 1."
        )
    with connection.cursor() as cursor:
        cursor.execute(_TILE_SQL, {"z": z, "x": x, "y": y, "source": data_source.pk})
        row = cursor.fetchone()
    return bytes(row[0]) if row and row[0] is not None else b""


def vector_tileset_info(*, data_source: DataSource) -> TileSetInfo:
    """The extent (WGS84) and feature count of the data source's current version."""
    _require_postgresql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), n FROM (SELECT "  # noqa: S608
            f"ST_Extent(f.geom) AS e, count(*) AS n FROM {Feature._meta.db_table} f WHERE "
            f"f.version_id = (SELECT v.id FROM {VectorVersion._meta.db_table} v WHERE "
            "v.data_source_id = %s AND v.state = 'current')) extent",
            [data_source.pk],
        )
        minx, miny, maxx, maxy, count = cursor.fetchone()
    bounds = None if minx is None else (minx, miny, maxx, maxy)
    return TileSetInfo(bounds=bounds, feature_count=count)


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise TilesUnavailable()
