"""Stored vector data: versions of a data source's features, exactly one of them current.

A replace builds a new ``VectorVersion`` in state ``building`` (invisible: readers only follow
the ``current`` one), switches states in one short transaction, then deletes the retired
version, or keeps it for ``SLUIS_VECTOR_VERSION_RETENTION_DAYS`` so that an administrator can
switch back to it (``vector_version_restore``). Geometry and properties are stored as
GeoJSON/JSON text: responses are assembled from them without parsing. On PostgreSQL the
feature table also has a PostGIS ``geom`` column (SRID 4326, generated from the GeoJSON by the
database, migration 0003) with a GiST index: the spatial index there, and what QGIS or a tile
server read (``postgis.py``, docs/decisions/0021-postgis.md). On SQLite the spatial index is a
grid cell number in a plain B-tree (``grid.py``, ``FeatureCell``; docs/decisions/0006).
"""

from django.db import models

from sluis.catalog.models import DataSource


class VersionState(models.TextChoices):
    BUILDING = "building", "Building"
    CURRENT = "current", "Current"
    RETIRED = "retired", "Retired"


class VectorVersion(models.Model):
    """One complete copy of a vector data source's features."""

    data_source = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="vector_versions"
    )
    upload_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=16, choices=VersionState.choices, default=VersionState.BUILDING
    )
    feature_count = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    published = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="when it stopped being current (kept for restores)"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["data_source"],
                condition=models.Q(state="current"),
                name="vector_one_current_version",
            )
        ]

    def __str__(self) -> str:
        return f"version {self.pk} of {self.data_source_id} ({self.state})"


class Feature(models.Model):
    """A stored feature: rows are written once and never updated (a replace writes new rows).

    ``geometry`` is GeoJSON geometry text in WGS84 (``null`` allowed), ``properties`` a JSON
    object text with the source attributes; the bbox columns are null for null or empty
    geometries, which therefore never match a bbox query.
    """

    id = models.BigAutoField(primary_key=True)
    # No database FK constraint: checking it costs a trigger call per row of a million-row COPY,
    # and only the services write here (deletes go version by version, cascades via the ORM).
    version = models.ForeignKey(
        VectorVersion,
        on_delete=models.CASCADE,
        related_name="features",
        db_index=False,
        db_constraint=False,
    )
    # null, not "": a feature without an id or a geometry is not one with an empty one
    id_src = models.TextField(null=True, blank=True)  # noqa: DJ001
    geometry = models.TextField(null=True, blank=True)  # noqa: DJ001
    properties = models.TextField(default="{}")
    minx = models.FloatField(null=True)
    miny = models.FloatField(null=True)
    maxx = models.FloatField(null=True)
    maxy = models.FloatField(null=True)
    cell = models.BigIntegerField(null=True)  # grid cell (grid.py), copied into FeatureCell

    class Meta:
        indexes = [models.Index(fields=["version", "id"], name="vector_feature_version_id")]

    def __str__(self) -> str:
        return f"feature {self.pk} ({self.id_src})"


class FeatureCell(models.Model):
    """SQLite's spatial index: (version, grid cell, feature) as its primary key, plus the bbox
    (PostgreSQL uses the GiST index of ``geom`` instead and leaves this table empty).

    Written in one sorted ``INSERT ... SELECT ... ORDER BY`` after a version is staged, so the
    B-tree is filled by appends: indexing a million features this way takes seconds, where
    maintaining an index on ``Feature.cell`` row by row (or an R*Tree, or GiST) costs several
    times more (docs/decisions/0006-vector-storage.md).
    """

    pk = models.CompositePrimaryKey("version_id", "cell", "feature_id")
    version = models.ForeignKey(
        VectorVersion,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    cell = models.BigIntegerField()
    feature_id = models.BigIntegerField()
    # the exact bbox again, so a query rejects the grid's false candidates without touching the
    # feature rows: only the matches are then fetched from the (unclustered) feature table
    minx = models.FloatField()
    miny = models.FloatField()
    maxx = models.FloatField()
    maxy = models.FloatField()

    def __str__(self) -> str:
        return f"cell {self.cell} of version {self.version_id}: feature {self.feature_id}"
