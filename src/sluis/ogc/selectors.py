"""What the OGC services read: layers the caller may read, their features, extents and frames.

Everything goes through the datastore apps' selectors, so the visibility rules are theirs
(``catalog.selectors.data_sources_readable``): members of the owner organization, Data
Consumers for public sources, staff for all; anonymous callers read nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.db.models.expressions import RawSQL

from sluis.catalog.models import DataSource
from sluis.catalog.selectors import data_sources_readable
from sluis.datastore.rasters.models import RasterFrame
from sluis.datastore.rasters.selectors import raster_frames_filter, raster_frames_readable
from sluis.datastore.vector import selectors as vector
from sluis.datastore.vector.models import Feature
from sluis.ogc.aliases import aliases_assign
from sluis.ogc.crs import BBox
from sluis.ogc.errors import AmbiguousTypeName
from sluis.ogc.params import row_id

UTC_TEXT = "%Y-%m-%d %H:%M:%S"  # how both engines write a feature's normalised time


@dataclass(frozen=True)
class Layer:
    """A readable data source as a layer: its id, alias and the row itself."""

    source: DataSource
    alias: str

    @property
    def pk(self) -> int:
        return self.source.pk


@dataclass(frozen=True)
class Extent:
    """CRS84 bbox (None when no feature has a geometry) and UTC time range (None, None)."""

    bbox: BBox | None
    start: datetime | None
    end: datetime | None


def layers_readable(*, user, kind: str) -> list[Layer]:
    """The data sources of ``kind`` that ``user`` may read, as layers ordered by id."""
    sources = list(data_sources_readable(user=user).filter(kind=kind).order_by("pk"))
    aliases = aliases_assign(DataSource.objects.values_list("pk", "name"))
    return [Layer(source=source, alias=aliases[source.pk]) for source in sources]


def layer_readable(*, user, kind: str, name: str) -> Layer | None:
    """The readable layer named by its id or alias (an optional ``prefix:`` is dropped)."""
    name = name.strip().rsplit(":", 1)[-1]
    if name.isdigit():
        pk = row_id(name)
        source = data_sources_readable(user=user).filter(kind=kind, pk=pk).first() if pk else None
        if source is None:
            return None
        return Layer(source=source, alias=aliases_assign(_names())[source.pk])
    matches = [layer for layer in layers_readable(user=user, kind=kind) if layer.alias == name]
    if len(matches) > 1:  # cannot happen while aliases are unique; kept as a guard
        raise AmbiguousTypeName()
    return matches[0] if matches else None


def _names() -> QuerySet:
    return DataSource.objects.values_list("pk", "name")


def vector_layers_readable(*, user) -> list[Layer]:
    return layers_readable(user=user, kind="vector")


def datetime_field(source: DataSource) -> str | None:
    """The property holding a feature's time (ingest setting ``datetime_field``), if any."""
    field = (source.ingest_settings or {}).get("datetime_field")
    return field or None


def _time_sql(field: str) -> RawSQL:
    """A feature's ``field`` property as UTC text ``YYYY-MM-DD HH:MM:SS``, NULL if not a time.

    SQLite's ``datetime()`` normalises offsets and yields NULL for non-times; PostgreSQL uses
    ``sluis_utc_text`` (created by this app's migration), which does the same without raising.
    """
    if connection.vendor == "postgresql":
        return RawSQL("sluis_utc_text(properties::jsonb ->> %s)", (field,))
    path = '$."' + field.replace('"', '\\"') + '"'
    return RawSQL("datetime(json_extract(properties, %s))", (path,))


def features_query(
    *,
    layer: Layer,
    bbox: BBox | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Feature]:
    """Current features of a vector layer, by id: meeting ``bbox`` (CRS84), and with their
    time within ``start``..``end`` (both inclusive, either open) when the layer has times."""
    features = vector.features_current(data_source=layer.source, bbox=bbox)
    field = datetime_field(layer.source)
    if field and (start is not None or end is not None):
        features = features.annotate(ogc_time=_time_sql(field))
        if start is not None:
            features = features.filter(ogc_time__gte=start.strftime(UTC_TEXT))
        if end is not None:
            features = features.filter(ogc_time__lte=end.strftime(UTC_TEXT))
    return features


def feature_in_layer(*, layer: Layer, pk: int) -> Feature | None:
    """One current feature of the layer, else None."""
    return features_query(layer=layer).filter(pk=pk).first()


def layer_extent(*, layer: Layer) -> Extent:
    """Spatial and temporal extent of the layer's current features.

    Versions are immutable once current, so the result is cached per version (and time field).
    """
    version = vector.current_versions().filter(data_source_id=layer.pk).values_list("pk").first()
    if version is None:
        return Extent(bbox=None, start=None, end=None)
    field = datetime_field(layer.source)
    key = f"sluis:ogc:extent:{version[0]}:{field}"
    extent = cache.get(key)
    if extent is None:
        extent = _extent_compute(version[0], field)
        cache.set(key, extent, timeout=24 * 3600)
    return extent


def _extent_compute(version_id: int, field: str | None) -> Extent:
    features = Feature.objects.filter(version_id=version_id)
    edges = features.aggregate(
        minx=Min("minx"), miny=Min("miny"), maxx=Max("maxx"), maxy=Max("maxy")
    )
    bbox = None
    if edges["minx"] is not None:
        bbox = (edges["minx"], edges["miny"], edges["maxx"], edges["maxy"])
    start = end = None
    if field:
        times = features.annotate(ogc_time=_time_sql(field)).aggregate(
            start=Min("ogc_time"), end=Max("ogc_time")
        )
        start, end = (_utc(times["start"]), _utc(times["end"]))
    return Extent(bbox=bbox, start=start, end=end)


def _utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.strptime(text, UTC_TEXT).replace(tzinfo=UTC)


def raster_layers_readable(*, user) -> list[Layer]:
    return layers_readable(user=user, kind="raster")


def raster_frames(*, user, layer: Layer) -> QuerySet[RasterFrame]:
    """The layer's frames by time (then parameter)."""
    return raster_frames_filter(raster_frames_readable(user=user), data_source_id=layer.pk)


def raster_frame_at(
    *, user, layer: Layer, when: datetime | None, parameter: str | None = None
) -> RasterFrame | None:
    """The frame at ``when``, or the nearest earlier one; the latest frame when ``when`` is None.

    Of frames with the same time (several parameters), the first parameter by name, unless
    ``parameter`` names one."""
    frames = raster_frames(user=user, layer=layer)
    if parameter:
        frames = frames.filter(parameter=parameter)
    if when is not None:
        frames = frames.filter(timestamp__lte=when)
    return frames.order_by("-timestamp", "parameter").first()


def raster_layer_summary(*, user, layer: Layer) -> tuple[BBox | None, list[datetime]]:
    """The CRS84 bbox around all the layer's frames, and their distinct times in order."""
    frames = raster_frames(user=user, layer=layer)
    edges = frames.aggregate(w=Min("west"), s=Min("south"), e=Max("east"), n=Max("north"))
    bbox = None if edges["w"] is None else (edges["w"], edges["s"], edges["e"], edges["n"])
    times = frames.order_by("timestamp").values_list("timestamp", flat=True).distinct()
    return bbox, list(times)


FIELD_SAMPLE = 1000  # features read to infer a WFS schema's property types


def layer_field_types(*, layer: Layer, infer) -> dict[str, str]:
    """Property name -> schema type of a vector layer, inferred by ``infer`` from the first
    ``FIELD_SAMPLE`` current features; cached per (immutable) version."""
    version = vector.current_versions().filter(data_source_id=layer.pk).values_list("pk").first()
    if version is None:
        return {}
    key = f"sluis:ogc:fields:{version[0]}"
    fields = cache.get(key)
    if fields is None:
        texts = Feature.objects.filter(version_id=version[0]).order_by("id")
        sample = texts.values_list("properties", flat=True)[:FIELD_SAMPLE]
        fields = infer(json.loads(text) for text in sample)
        cache.set(key, fields, timeout=24 * 3600)
    return fields
