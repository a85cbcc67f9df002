"""Queries over stored raster frames, always through what the caller may read."""

from datetime import datetime

from django.db.models import QuerySet

from sluis.catalog.errors import DataSourceNotFound
from sluis.catalog.selectors import data_sources_readable
from sluis.datastore.rasters.errors import RasterNotFound
from sluis.datastore.rasters.models import RasterFrame


def raster_frames_readable(*, user) -> QuerySet[RasterFrame]:
    """Frames of every data source ``user`` may read (see ``data_sources_readable``)."""
    sources = data_sources_readable(user=user).values("pk")
    return RasterFrame.objects.filter(data_source__in=sources).select_related("data_source")


def raster_frames_filter(
    frames: QuerySet[RasterFrame],
    *,
    data_source_id: int | None = None,
    parameter: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[RasterFrame]:
    """Frames of one data source/parameter with ``start <= timestamp <= end`` (both optional)."""
    if data_source_id is not None:
        frames = frames.filter(data_source_id=data_source_id)
    if parameter:
        frames = frames.filter(parameter=parameter)
    if start is not None:
        frames = frames.filter(timestamp__gte=start)
    if end is not None:
        frames = frames.filter(timestamp__lte=end)
    return frames.order_by("data_source_id", "timestamp", "parameter", "id")


def raster_frame_get(*, user, frame_id: int) -> RasterFrame:
    frame = raster_frames_readable(user=user).filter(pk=frame_id).first()
    if frame is None:
        raise RasterNotFound()
    return frame


def raster_source_check(*, user, data_source_id: int) -> None:
    """404 unless ``user`` may read the data source (never tell whether it exists)."""
    if not data_sources_readable(user=user).filter(pk=data_source_id).exists():
        raise DataSourceNotFound()


def raster_keys_referenced(keys: list[str]) -> set[str]:
    """The object keys of ``keys`` that a stored frame refers to (the storage sweep keeps them)."""
    return set(
        RasterFrame.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True)
    )
