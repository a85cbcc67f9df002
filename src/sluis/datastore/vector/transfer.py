"""Export and import of a vector (the current features) data source
(``sluis source export|import``).

The export writes the stored data in open formats (docs/formats/export.md), reading rows in
bounded batches and streaming objects; the import checks everything in the archive before it
writes anything, then writes in one transaction. Declared in this kind's ``Kind``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import shapely
from django.db import transaction

from sluis.catalog.models import DataSource
from sluis.catalog.services import CreatedSource
from sluis.datastore.vector.models import Feature, VectorVersion, VersionState
from sluis.datastore.vector.services import vector_dataset_replace
from sluis.readers.vector.features import FeatureBatch
from sluis.transfer.archive import ArchiveReader, ArchiveWriter, MemberReader
from sluis.transfer.exporters import PAGE
from sluis.transfer.records import LINE_MAX, Create, counts_check, invalid


def vector_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """The current version's features as newline-delimited GeoJSON (GeoJSONSeq), by id."""
    version = VectorVersion.objects.filter(
        data_source=data_source, state=VersionState.CURRENT
    ).first()
    count = 0
    with writer.member("vector/features.geojsonl") as out:
        if version is not None:
            for rows in _feature_pages(version.pk):
                out.write_text("".join(_feature_line(*row) for row in rows))
                count += len(rows)
    return {"features": count}


def _feature_pages(version_id: int) -> Iterator[list[tuple]]:
    last = 0
    while True:
        rows = list(
            Feature.objects.filter(version_id=version_id, id__gt=last)
            .order_by("id")
            .values_list("id", "id_src", "geometry", "properties")[:PAGE]
        )
        if not rows:
            return
        last = rows[-1][0]
        yield [row[1:] for row in rows]


def _feature_line(id_src: str | None, geometry: str | None, properties: str) -> str:
    ident = "" if id_src is None else f'"id":{json.dumps(id_src, ensure_ascii=False)},'
    return (
        f'{{"type":"Feature",{ident}"geometry":{geometry or "null"},"properties":{properties}}}\n'
    )


# features parsed per batch: small enough to keep memory flat, large enough for bulk writes
FEATURE_BATCH = 10_000


def vector_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Replace the new data source's (empty) features by the archive's, one version."""
    path = "vector/features.geojsonl"
    with transaction.atomic():
        created = create()
        if archive.expected[path]["size"] == 0:  # a data source that never had features
            with archive.open(path):
                pass
            archive.check_complete()
            return created, counts_check(archive, {"features": 0})
        counts = vector_dataset_replace(
            data_source=created.data_source,
            batches=_feature_batches(archive, path, FEATURE_BATCH),
            before_publish=archive.check_complete,
        )
        result = counts_check(archive, {"features": counts.inserted})
    return created, result


def _feature_batches(archive: ArchiveReader, path: str, size: int) -> Iterator[FeatureBatch]:
    rows: list[tuple[str | None, str | None, str]] = []
    with archive.open(path) as member:
        for line in _lines(member):
            rows.append(_feature_row(path, line))
            if len(rows) >= size:
                yield _feature_batch(path, rows)
                rows = []
    if rows:
        yield _feature_batch(path, rows)


def _lines(member: MemberReader) -> Iterator[tuple[int, bytes]]:
    number = 0
    while line := member.readline(LINE_MAX):
        number += 1
        yield number, line


def _feature_row(path: str, numbered: tuple[int, bytes]) -> tuple[str | None, str | None, str]:
    number, line = numbered
    try:
        feature = json.loads(line)
    except ValueError as exc:
        raise invalid(path, number, f"not JSON ({exc})") from exc
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise invalid(path, number, "not a GeoJSON Feature")
    ident, geometry, properties = (
        feature.get("id"),
        feature.get("geometry"),
        feature.get("properties"),
    )
    if ident is not None and (isinstance(ident, bool) or not isinstance(ident, str | int | float)):
        raise invalid(path, number, "the id is not a string or number")
    if geometry is not None and not isinstance(geometry, dict):
        raise invalid(path, number, "the geometry is not an object")
    if properties is not None and not isinstance(properties, dict):
        raise invalid(path, number, "the properties are not an object")
    return (
        None if ident is None else str(ident),
        None if geometry is None else _compact(geometry),
        _compact(properties or {}),
    )


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _feature_batch(path: str, rows: list[tuple[str | None, str | None, str]]) -> FeatureBatch:
    """Bounds from the geometries themselves (GEOS), NaN for a null or empty geometry."""
    ids, geometries, properties = (list(column) for column in zip(*rows, strict=True))
    bounds = np.full((len(rows), 4), np.nan)
    present = [i for i, g in enumerate(geometries) if g is not None]
    if present:
        try:
            shapes = shapely.from_geojson([geometries[i] for i in present])
        except shapely.errors.GEOSException as exc:
            raise invalid(path, None, f"a geometry is not valid GeoJSON ({exc})") from exc
        bounds[present] = shapely.bounds(shapes)
    return FeatureBatch(ids, geometries, properties, bounds)
