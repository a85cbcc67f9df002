"""Queries over stored vector features.

Every query resolves the current version inside the same SQL statement (a scalar subquery), so
one statement reads one snapshot: the whole old or the whole new version during a replace.
A bbox filter keeps the features whose bounding box meets it. On PostgreSQL it is the GiST
index of the PostGIS ``geom`` column (``geom && ST_MakeEnvelope(...)``); on SQLite candidate
features come from the grid index (``FeatureCell``, ``grid.py``), then the exact bbox columns
are compared. Both answer the same rows.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL

from sluis.catalog.models import DataSource
from sluis.catalog.selectors import data_sources_readable
from sluis.datastore.vector import grid
from sluis.datastore.vector.models import Feature, FeatureCell, VectorVersion, VersionState

BBox = tuple[float, float, float, float]  # minx (west), miny (south), maxx (east), maxy (north)


def current_versions(*, data_sources: QuerySet[DataSource] | None = None) -> QuerySet:
    versions = VectorVersion.objects.filter(state=VersionState.CURRENT)
    if data_sources is not None:
        versions = versions.filter(data_source__in=data_sources)
    return versions


def features_current(*, data_source: DataSource, bbox: BBox | None = None) -> QuerySet[Feature]:
    """The current features of ``data_source``, optionally intersecting ``bbox``, by id."""
    version = Subquery(current_versions().filter(data_source_id=data_source.pk).values("pk")[:1])
    features = Feature.objects.filter(version_id=version)
    if bbox is not None and connection.vendor == "postgresql":
        features = features_in_envelope(features, bbox)
    elif bbox is not None:
        features = features_in_bbox(features, bbox, version)
    return features.order_by("id")


def features_in_envelope(features: QuerySet[Feature], bbox: BBox) -> QuerySet[Feature]:
    """PostgreSQL: the features whose ``geom`` box meets ``bbox``, read from its GiST index."""
    meets = RawSQL(  # noqa: S611 (the values are bound parameters, the table name is ours)
        f"{Feature._meta.db_table}.geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)",
        [float(value) for value in bbox],
        output_field=BooleanField(),
    )
    return features.alias(in_bbox=meets).filter(in_bbox=True)


def features_in_bbox(features: QuerySet[Feature], bbox: BBox, version) -> QuerySet[Feature]:
    """SQLite: candidates from the grid index, compared exactly in the index table, fetched.

    Each OR term names the version itself, so both engines read every cell range as one index
    range scan of ``FeatureCell``'s primary key (SQLite uses an index per OR term only then).
    """
    minx, miny, maxx, maxy = bbox
    meets = Q(maxx__gte=minx, minx__lte=maxx, maxy__gte=miny, miny__lte=maxy)
    cell_ranges = grid.ranges(bbox)
    if cell_ranges is None:
        return features.filter(meets)
    terms = Q(version_id=version, cell=grid.LARGE)
    for low, high in cell_ranges:
        terms |= Q(version_id=version, cell__gte=low, cell__lte=high)
    candidates = FeatureCell.objects.filter(terms).filter(meets).values("feature_id")
    return features.filter(id__in=candidates)


def feature_readable(*, user, pk: int) -> Feature | None:
    """A feature of a current version of a data source ``user`` may read, else None."""
    versions = current_versions(data_sources=data_sources_readable(user=user))
    return (
        Feature.objects.filter(pk=pk, version_id__in=versions.values("pk"))
        .select_related("version")
        .first()
    )


def data_source_readable(*, user, pk: int) -> DataSource | None:
    return data_sources_readable(user=user).filter(pk=pk, kind="vector").first()
