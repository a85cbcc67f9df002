"""Importing the kinds stored as rows: timeseries events and vector features.

Both go through the datastore's bulk paths. Timeseries are staged first (the bulk path's
temporary table, checksums verified on the way) and merged in one transaction with the creation
of the data source; vector features are staged into a new version inside that transaction.
Either way a failure leaves no data source behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import shapely
from django.db import connection, transaction

from sluis.catalog.services import CreatedSource
from sluis.datastore.timeseries.bulk import stager_for
from sluis.datastore.timeseries.services import events_merge
from sluis.datastore.vector.services import vector_dataset_replace
from sluis.ingest.readers.vector_features import FeatureBatch
from sluis.transfer.archive import ArchiveReader, MemberReader
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.transfer.records import LINE_MAX, Fields, counts_check, invalid, records

Create = Callable[[], CreatedSource]
# features parsed per batch: small enough to keep memory flat, large enough for bulk writes
FEATURE_BATCH = 10_000
_CSV_TYPES = {"timestamp": pa.timestamp("us", tz="UTC"), "value": pa.float64(), "flag": pa.string()}


# --- timeseries -------------------------------------------------------------------------------


def timeseries_import(
    *, archive: ArchiveReader, create: Create, saved: list[str]
) -> tuple[CreatedSource, dict[str, int]]:
    """Stage every series' events (checksums verified), then create and merge in one go."""
    series = records(archive, "timeseries/series.jsonl", _series)
    keys = [(item["location"], item["parameter"]) for item in series]
    if len(set(keys)) != len(keys):
        raise ImportArchiveInvalid("timeseries/series.jsonl lists a location and parameter twice.")
    units = {k: item["unit"] for k, item in enumerate(series) if item["unit"]}
    total = sum(item["event_count"] for item in series)
    counts = counts_check(archive, {"series": len(series), "events": total})
    with stager_for(connection) as stager:
        for key, item in enumerate(series):
            staged = _events_stage(archive, item["events_file"], key, stager)
            if staged != item["event_count"]:
                raise ImportArchiveInvalid(
                    f"{item['events_file']} holds {staged} events; series.jsonl says "
                    f"{item['event_count']}."
                )
        archive.check_complete()
        with transaction.atomic():
            created = create()
            result, _ = events_merge(
                data_source=created.data_source, stager=stager, keys=keys, units=units
            )
            if result.inserted != total:
                raise ImportArchiveInvalid(
                    "An events file repeats a timestamp: "
                    f"{total - result.inserted} event(s) are duplicates."
                )
    return created, counts


def _series(fields: Fields) -> dict[str, Any]:
    count = fields.get("event_count", int)
    if count < 0:
        raise fields.problem("event_count is negative")
    return {
        "events_file": fields.get("events_file", str),
        "location": fields.text("location", 200),
        "parameter": fields.text("parameter", 200),
        "unit": fields.text("unit", 50, optional=True) or "",
        "event_count": count,
    }


def _events_stage(archive: ArchiveReader, path: str, key: int, stager) -> int:
    staged = 0
    with archive.open(path) as member:
        try:
            reader = pacsv.open_csv(
                member,
                read_options=pacsv.ReadOptions(block_size=2 * 1024 * 1024),
                convert_options=pacsv.ConvertOptions(
                    column_types=_CSV_TYPES,
                    null_values=[""],
                    strings_can_be_null=False,
                    timestamp_parsers=[pacsv.ISO8601],
                ),
            )
            if reader.schema.names != list(_CSV_TYPES):
                raise invalid(path, 1, "the header is not timestamp,value,flag")
            for batch in reader:
                staged += _batch_stage(batch, path, key, stager)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise invalid(path, None, f"not an events CSV ({exc})") from exc
    return staged


def _batch_stage(batch: pa.RecordBatch, path: str, key: int, stager) -> int:
    if not batch.num_rows:
        return 0
    stamps, values, flags = batch.column(0), batch.column(1), batch.column(2)
    if stamps.null_count or values.null_count:
        raise invalid(path, None, "a row has no timestamp or no value")
    size = batch.num_rows
    stager.add(
        np.full(size, key, dtype=np.int32),
        stamps.cast(pa.int64()).to_numpy(),
        values.to_numpy(),
        flags,
        np.arange(stager.rows, stager.rows + size, dtype=np.int64),
    )
    return size


# --- vector -----------------------------------------------------------------------------------


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
