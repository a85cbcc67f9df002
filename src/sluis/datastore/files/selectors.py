"""Queries over stored files: what a user may read, and the read-back filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from sluis.catalog.errors import DataSourceNotFound
from sluis.catalog.selectors import data_sources_readable
from sluis.names import stored_filename_sanitise

from .models import StoredFile


@dataclass(frozen=True)
class BBox:
    """WGS84 ``min_lon, min_lat, max_lon, max_lat``; ``min_lon > max_lon`` crosses 180°."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def files_readable(*, user) -> QuerySet[StoredFile]:
    """Files of the data sources ``user`` may read (``data_sources_readable``)."""
    sources = data_sources_readable(user=user).values("pk")
    return StoredFile.objects.filter(data_source__in=sources).order_by("timestamp", "id")


def files_filter(
    files: QuerySet[StoredFile],
    *,
    user,
    data_source: int | None = None,
    name: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    bbox: BBox | None = None,
) -> QuerySet[StoredFile]:
    """Narrow ``files``: one data source (404 if ``user`` may not read it), one ``name`` (as
    sent or already sanitised), timestamps within ``start``..``end`` (both inclusive), positions
    inside ``bbox`` (files without one drop out)."""
    if data_source is not None:
        if not data_sources_readable(user=user).filter(pk=data_source).exists():
            raise DataSourceNotFound()
        files = files.filter(data_source_id=data_source)
    if name:
        files = files.filter(name=stored_filename_sanitise(name))
    if start is not None:
        files = files.filter(timestamp__gte=start)
    if end is not None:
        files = files.filter(timestamp__lte=end)
    if bbox is not None:
        files = files.filter(_bbox_q(bbox))
    return files


def _bbox_q(bbox: BBox) -> Q:
    lat = Q(latitude__gte=bbox.min_lat, latitude__lte=bbox.max_lat)
    if bbox.min_lon <= bbox.max_lon:
        return lat & Q(longitude__gte=bbox.min_lon, longitude__lte=bbox.max_lon)
    return lat & (Q(longitude__gte=bbox.min_lon) | Q(longitude__lte=bbox.max_lon))


def file_keys_referenced(keys: list[str]) -> set[str]:
    """The object keys of ``keys`` that a stored file or thumbnail refers to (the storage sweep
    keeps them)."""
    rows = StoredFile.objects
    return set(rows.filter(key__in=keys).values_list("key", flat=True)) | set(
        rows.filter(thumbnail_key__in=keys).values_list("thumbnail_key", flat=True)
    )
