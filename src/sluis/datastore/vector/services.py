"""Replacing a vector data source's features atomically.

``vector_dataset_replace`` is the whole protocol: start an invisible ``building`` version, bulk
write the batches into it (SQLite: one short transaction per batch; PostgreSQL: one COPY), run
the caller's last check, fill the spatial index in one sorted statement, switch ``current`` in
one short transaction, then delete the retired version (or keep it for
``SLUIS_VECTOR_VERSION_RETENTION_DAYS``, so that ``vector_version_restore`` can switch back).
Any failure before the switch discards the building version and leaves the previous one current
and complete. Readers follow the pointer inside each single statement
(``selectors.features_current``), so they see the whole old or the whole new version, never a
mix and never nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from sluis.catalog.errors import DataSourceNotFound
from sluis.catalog.models import DataSource
from sluis.datastore.vector import errors, grid
from sluis.datastore.vector.models import Feature, FeatureCell, VectorVersion, VersionState
from sluis.formats.records import Counts
from sluis.readers.vector.features import FeatureBatch
from sluis.uploads.errors import DataSourceBusy, UploadSuperseded
from sluis.uploads.models import Upload

log = logging.getLogger(__name__)

# (id_src, geometry GeoJSON, properties JSON, minx, miny, maxx, maxy), as the readers yield them
Row = Sequence
_COLUMNS = "version_id, id_src, geometry, properties, minx, miny, maxx, maxy, cell"
_TABLE = Feature._meta.db_table
_CELLS = FeatureCell._meta.db_table
_COPY = f"COPY {_TABLE} ({_COLUMNS}) FROM STDIN"
_BS, _BS2, _NULL = "\\", "\\\\", "\\N"
_NO_BBOX = "\t".join([_NULL] * 5)


def vector_dataset_replace(
    *,
    data_source: DataSource,
    batches: Iterable[FeatureBatch | Sequence[Row]],
    upload_id: int | None = None,
    before_publish: Callable[[], None] | None = None,
) -> Counts:
    """Replace the data source's features by the rows of ``batches``; returns the counts.

    ``before_publish`` runs after the last batch and before the switch: raising there (e.g.
    ``IngestJob.check_problems``) discards the new version like any other failure.
    """
    version = vector_version_start(data_source=data_source, upload_id=upload_id)
    try:
        _stage(version, batches)
        if before_publish is not None:
            before_publish()
        vector_version_index(version=version)
        return vector_version_publish(version=version)
    except BaseException:
        _discard_quietly(version)
        raise


def vector_version_start(*, data_source: DataSource, upload_id: int | None) -> VectorVersion:
    """A new invisible version; versions left ``building`` by a killed worker are removed.

    Only one upload per data source is processed at a time (``Upload`` constraint), so any
    other ``building`` version of this source is an orphan.
    """
    for orphan in data_source.vector_versions.filter(state=VersionState.BUILDING):
        _version_delete(orphan.pk)
    return VectorVersion.objects.create(data_source=data_source, upload_id=upload_id)


def _stage(version: VectorVersion, batches: Iterable[FeatureBatch | Sequence[Row]]) -> None:
    """PostgreSQL: one COPY for the whole version, so the server stores a batch while the next
    one is read (the two run on separate cores); a failure rolls the COPY back whole.
    SQLite: a short transaction per batch, so its single writer lock is never held for long.
    """
    if connection.vendor != "postgresql":
        for rows in batches:
            vector_version_append(version=version, rows=rows)
        return
    with transaction.atomic(), connection.cursor() as cursor, cursor.copy(_COPY) as copy:
        for rows in batches:
            batch = _as_batch(rows)
            copy.write(_copy_text(version.pk, batch, _cells(batch)))
            version.feature_count += len(batch)


def vector_version_append(*, version: VectorVersion, rows: FeatureBatch | Sequence[Row]) -> None:
    """Bulk insert one batch into a building version (COPY on PostgreSQL), with grid cells."""
    batch = _as_batch(rows)
    if not len(batch):
        return
    cells = _cells(batch)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy_rows(version.pk, batch, cells)
        else:
            _insert_rows(version.pk, batch, cells)
    version.feature_count += len(batch)


def _as_batch(rows: FeatureBatch | Sequence[Row]) -> FeatureBatch:
    return rows if isinstance(rows, FeatureBatch) else FeatureBatch.from_rows(rows)


def _cells(batch: FeatureBatch) -> np.ndarray:
    bounds = batch.bounds
    return grid.cells(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3])


def vector_version_index(*, version: VectorVersion) -> None:
    """SQLite: fill the grid index of a staged version in one sorted statement (B-tree appends).

    PostgreSQL: the PostGIS ``geom`` column is generated from the GeoJSON as the COPY stores
    each row, and its GiST index is the spatial index (decision 0021); the table is analysed,
    because with the statistics of before a large load the planner combined the GiST index with
    a scan of the version's whole ``version_id`` index (155 ms instead of 20 ms for 1,000 of
    1 M features; ANALYZE takes ~1 s).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_TABLE}")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_CELLS} (version_id, cell, feature_id, minx, miny, maxx, maxy) "  # noqa: S608
            f"SELECT version_id, cell, id, minx, miny, maxx, maxy FROM {_TABLE} "
            "WHERE version_id = %s AND cell IS NOT NULL ORDER BY cell, id",
            [version.pk],
        )


def vector_version_publish(*, version: VectorVersion) -> Counts:
    """Make ``version`` current in one short transaction; the replaced version is retired, and
    retired versions past ``SLUIS_VECTOR_VERSION_RETENTION_DAYS`` (0: all) are deleted."""
    with transaction.atomic():
        replaced = _switch(version.data_source_id, version.pk, feature_count=version.feature_count)
    version.state = VersionState.CURRENT
    vector_versions_expire(data_source_id=version.data_source_id)
    return Counts(inserted=version.feature_count, deleted=replaced)


def _switch(data_source_id: int, version_id: int, **fields) -> int:
    """Inside a transaction: retire the current version(s), make ``version_id`` current.
    Returns the features of the retired version(s)."""
    now = timezone.now()
    previous = list(
        VectorVersion.objects.select_for_update()
        .filter(data_source_id=data_source_id, state=VersionState.CURRENT)
        .values_list("pk", "feature_count")
    )
    VectorVersion.objects.filter(pk__in=[pk for pk, _ in previous]).update(
        state=VersionState.RETIRED, retired_at=now
    )
    fields.update(state=VersionState.CURRENT, published=now, retired_at=None)
    VectorVersion.objects.filter(pk=version_id).update(**fields)
    return sum(count for _, count in previous)


def vector_version_restore(*, data_source_id: int, version_id: int) -> VectorVersion:
    """Make a kept (retired) version current again, with the same atomic switch as a replace.

    Refused while the data source is busy: the running upload would replace it again at once,
    and its result would not be what the administrator meant to undo. The version that was
    current is retired and kept like any replaced version, so a restore can be undone too.
    """
    _vector_source(data_source_id)
    with transaction.atomic():
        version = _restorable(data_source_id, version_id)
        _check_idle(data_source_id)
        _switch(data_source_id, version.pk)
    version.refresh_from_db()
    log.info("vector data source %s: version %s restored", data_source_id, version.pk)
    return version


def _vector_source(data_source_id: int) -> None:
    if not DataSource.objects.filter(pk=data_source_id, kind="vector").exists():
        raise DataSourceNotFound(
            f"Data source {data_source_id} does not exist or is not a vector data source."
        )


def _restorable(data_source_id: int, version_id: int) -> VectorVersion:
    version = (
        VectorVersion.objects.select_for_update()
        .filter(pk=version_id, data_source_id=data_source_id)
        .first()
    )
    if version is None:
        raise errors.VersionNotFound(
            f"Data source {data_source_id} has no vector version {version_id}."
        )
    if version.state != VersionState.RETIRED:
        raise errors.VersionNotRestorable(
            f"Version {version_id} is {version.state}; only a retired (kept) version can be "
            "restored."
        )
    return version


def _check_idle(data_source_id: int) -> None:
    if Upload.objects.busy().filter(data_source_id=data_source_id).exists():
        raise DataSourceBusy(
            "The data source is processing an upload; restore a version once it has finished."
        )


def vector_versions_list(*, data_source_id: int) -> list[VectorVersion]:
    """The data source's current and kept versions, newest first."""
    _vector_source(data_source_id)
    states = (VersionState.CURRENT, VersionState.RETIRED)
    return list(
        VectorVersion.objects.filter(data_source_id=data_source_id, state__in=states).order_by(
            "-id"
        )
    )


def vector_versions_expired(*, data_source_id: int | None = None):
    """Retired versions past ``SLUIS_VECTOR_VERSION_RETENTION_DAYS`` (all of them with 0)."""
    retired = VectorVersion.objects.filter(state=VersionState.RETIRED)
    if data_source_id is not None:
        retired = retired.filter(data_source_id=data_source_id)
    days = settings.SLUIS_VECTOR_VERSION_RETENTION_DAYS
    if days:
        cutoff = timezone.now() - timedelta(days=days)
        retired = retired.filter(Q(retired_at__lt=cutoff) | Q(retired_at=None))
    return retired


def vector_versions_expire(*, data_source_id: int | None = None) -> int:
    """Delete the retired versions past their retention; returns how many features they held."""
    deleted = 0
    expired = vector_versions_expired(data_source_id=data_source_id)
    for pk, count in expired.values_list("pk", "feature_count"):
        _version_delete(pk)
        deleted += count
    return deleted


def vector_version_delete(*, version: VectorVersion) -> None:
    """Delete one version (index, features and row) in one transaction."""
    _version_delete(version.pk)


def vector_version_discard(*, version: VectorVersion) -> None:
    """Remove a version that was never published."""
    if version.state == VersionState.BUILDING:
        _version_delete(version.pk)


def _version_delete(pk: int) -> None:
    """Index, features and version row in one transaction: a reader sees all of them or none."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_CELLS} WHERE version_id = %s", [pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {_TABLE} WHERE version_id = %s", [pk])  # noqa: S608
        VectorVersion.objects.filter(pk=pk).delete()


def _discard_quietly(version: VectorVersion) -> None:
    try:
        vector_version_discard(version=version)
    except Exception:  # the next start removes the orphan; the original error matters more
        log.exception("could not discard vector version %s", version.pk)


def _copy_rows(version_id: int, batch: FeatureBatch, cells: np.ndarray) -> None:
    with connection.cursor() as cursor, cursor.copy(_COPY) as copy:
        copy.write(_copy_text(version_id, batch, cells))


def _copy_text(version_id: int, batch: FeatureBatch, cells: np.ndarray) -> str:
    """COPY text format, formatted column by column (psycopg's per-row ``write_row`` and
    per-value ``repr`` cost several times more).

    Geometry and properties are JSON Sluis wrote: no raw tab or newline, so only backslashes
    need doubling; ``id_src`` is arbitrary text and is escaped fully.
    """
    ids = _escaped(batch.ids, full=True)
    shapes = _escaped(batch.geometries, full=False)
    props = _escaped(batch.properties, full=False)
    bbox = _bbox_text(batch.bounds, cells)
    prefix = f"{int(version_id)}\t"
    return "".join(
        [
            f"{prefix}{a}\t{b}\t{c}\t{d}\n"
            for a, b, c, d in zip(ids, shapes, props, bbox, strict=True)
        ]
    )


def _escaped(values: Sequence[str | None], *, full: bool) -> list[str]:
    specials = (_BS, "\t", "\n", "\r") if full else (_BS,)
    joined = "".join(value for value in values if value is not None)
    if not any(special in joined for special in specials):
        return [_NULL if value is None else value for value in values]
    escape = _escape if full else _double_backslashes
    return [_NULL if value is None else escape(value) for value in values]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _double_backslashes(text: str) -> str:
    return text.replace(_BS, _BS2)


def _bbox_text(bounds: np.ndarray, cells: np.ndarray) -> list[str]:
    """``minx\tminy\tmaxx\tmaxy\tcell`` per row via Arrow (shortest round-trip floats)."""
    missing = np.isnan(bounds[:, 0])
    columns = [pa.array(bounds[:, k], mask=missing) for k in range(4)]
    columns.append(pa.array(np.nan_to_num(cells).astype(np.int64), mask=missing))
    texts = [pc.cast(column, pa.string()) for column in columns]
    return pc.binary_join_element_wise(*texts, "\t").fill_null(_NO_BBOX).to_pylist()


def _insert_rows(version_id: int, batch: FeatureBatch, cells: np.ndarray) -> None:
    """executemany straight from the columns: SQLite stores a NaN bound value as NULL, and a
    whole float as an integer in an INTEGER column, so no per-value conversion is needed."""
    values = ", ".join(["%s"] * 8)
    sql = f"INSERT INTO {_TABLE} ({_COLUMNS}) VALUES ({int(version_id)}, {values})"  # noqa: S608
    columns = (batch.ids, batch.geometries, batch.properties, *batch.bounds.T.tolist())
    rows = list(zip(*columns, cells.tolist(), strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def vector_reprocess_guard(*, upload: Upload, root: Upload) -> None:
    """Refuse to process ``upload`` (received as ``root``) again when the current features are
    newer: a vector upload replaces the whole dataset, so it would undo newer data. Checked
    unless the administrator forces it (``sluis upload reprocess --force``)."""
    current = VectorVersion.objects.filter(
        data_source_id=upload.data_source_id, state=VersionState.CURRENT
    ).first()
    if current is None:
        return
    writer = _receiving(current.upload_id)
    if writer is None:  # loaded without an upload (or its record is gone): compare times
        newer = current.published is not None and current.published > root.received_at
        origin = "were stored"
    else:
        newer = (writer.received_at, writer.pk) > (root.received_at, root.pk)
        origin = f"come from upload {writer.pk}, received"
    if newer:
        raise UploadSuperseded(
            f"The current features of data source {upload.data_source_id} {origin} after "
            f"upload {root.pk} was received; processing it again would replace them with older "
            "data. Use --force to do so anyway."
        )


def _receiving(upload_id: int | None) -> Upload | None:
    """The upload that received the file of upload ``upload_id`` (itself, or its original)."""
    if upload_id is None:
        return None
    upload = Upload.objects.filter(pk=upload_id).select_related("reprocess_of").first()
    return (upload.reprocess_of or upload) if upload is not None else None
