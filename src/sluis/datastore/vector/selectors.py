"""Queries over stored vector features.

Every query resolves the current version inside the same SQL statement (a subquery), so one
statement reads one snapshot: the whole old or the whole new version during a replace.
A bbox filter goes through the engine's spatial index (R*Tree on SQLite, GiST on PostgreSQL)
and then compares the exact bbox columns.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from sluis.catalog.models import DataSource
from sluis.catalog.selectors import data_sources_readable
from sluis.datastore.vector.models import Feature, VectorVersion, VersionState

BBox = tuple[float, float, float, float]  # minx (west), miny (south), maxx (east), maxy (north)

_RTREE = (
    "SELECT id FROM datastore_vector_feature_rtree "
    "WHERE maxx >= %s AND minx <= %s AND maxy >= %s AND miny <= %s"
)
_GIST = "box(point(minx, miny), point(maxx, maxy)) && box(point(%s, %s), point(%s, %s))"


def current_versions(*, data_sources: QuerySet[DataSource] | None = None) -> QuerySet:
    versions = VectorVersion.objects.filter(state=VersionState.CURRENT)
    if data_sources is not None:
        versions = versions.filter(data_source__in=data_sources)
    return versions


def features_current(*, data_source: DataSource, bbox: BBox | None = None) -> QuerySet[Feature]:
    """The current features of ``data_source``, optionally intersecting ``bbox``, by id."""
    version = current_versions().filter(data_source_id=data_source.pk).values("pk")
    features = Feature.objects.filter(version_id__in=version)
    if bbox is not None:
        features = features_in_bbox(features, bbox)
    return features.order_by("id")


def features_in_bbox(features: QuerySet[Feature], bbox: BBox) -> QuerySet[Feature]:
    minx, miny, maxx, maxy = bbox
    exact = features.filter(maxx__gte=minx, minx__lte=maxx, maxy__gte=miny, miny__lte=maxy)
    # Constant SQL with bound parameters: the ORM cannot name an R*Tree or a box expression.
    if connection.vendor == "sqlite":
        return exact.filter(id__in=RawSQL(_RTREE, [minx, maxx, miny, maxy]))  # noqa: S611
    if connection.vendor == "postgresql":
        gist = RawSQL(_GIST, [minx, miny, maxx, maxy], output_field=BooleanField())  # noqa: S611
        return exact.filter(gist)
    return exact


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
