"""The ``timeseries`` kind: read CSV / JSON / PI-XML members, stage them, merge in one go.

Phase 1 streams every member through its reader in batches: each batch is validated (problems
into ``job.report`` with file, line, field, value) and, while the upload is still acceptable,
staged in a temporary table (``sluis.datastore.timeseries.bulk``). Phase 2, after
``job.check_problems()``, merges the staged rows into the stored events in one short
transaction. Memory is bounded by the batch size, not the file size (decision 0005).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings as django_settings
from django.db import connection

from sluis.datastore.timeseries.bulk import stager_for
from sluis.datastore.timeseries.services import events_merge
from sluis.formats.errors import IngestFailed, TooManySeries
from sluis.formats.records import Counts
from sluis.formats.registry import formats_read_by, reader_for
from sluis.kinds import IngestJob
from sluis.readers.timeseries.batch import (
    EventBatch,
    RawBatch,
    ReadContext,
    ReaderError,
    convert,
)
from sluis.readers.timeseries.prefetch import prefetched

Reader = Callable[..., Iterator[RawBatch]]
_SEP = "\x1f"


class SeriesKeys:
    """Upload-wide numbering of (location, parameter) pairs, and the unit each pair last had."""

    def __init__(self, limit: int) -> None:
        self.index: dict[str, int] = {}
        self.units: dict[int, str] = {}
        self.limit = limit

    def encode(self, batch: EventBatch) -> np.ndarray:
        """Upload-wide keys of the batch's rows; raises ``TooManySeries`` past the budget,
        before a key is made for any new pair of this batch."""
        joined = pc.binary_join_element_wise(batch.location, batch.parameter, _SEP)
        encoded = joined.dictionary_encode()
        if len(self.index) + len(encoded.dictionary) > self.limit:
            fresh = sum(text not in self.index for text in encoded.dictionary.to_pylist())
            if len(self.index) + fresh > self.limit:
                raise TooManySeries(self.limit)
        lookup = np.array(
            [
                self.index.setdefault(text, len(self.index))
                for text in encoded.dictionary.to_pylist()
            ],
            dtype=np.int32,
        )
        keys = lookup[np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)]
        self._units(keys, batch.unit)
        return keys

    def _units(self, keys: np.ndarray, units: pa.Array) -> None:
        given = np.asarray(pc.not_equal(units, "").to_numpy(zero_copy_only=False), dtype=bool)
        if not given.any():
            return
        rows = np.flatnonzero(given)
        pairs = dict(zip(keys[rows].tolist(), units.take(pa.array(rows)).to_pylist(), strict=True))
        self.units.update(pairs)

    def pairs(self) -> list[tuple[str, str]]:
        return [tuple(text.split(_SEP, 1)) for text in self.index]  # type: ignore[misc]


class TimeseriesProcessor:
    """Append with point upsert: (series, timestamp) already stored → overwritten."""

    kind = "timeseries"

    @property
    def formats(self) -> frozenset[str]:
        """Every format with a ``timeseries`` reader in the format registry."""
        return formats_read_by(self.kind)

    def process(self, job: IngestJob) -> Counts:
        keys = SeriesKeys(django_settings.SLUIS_TIMESERIES_MAX_SERIES)
        with stager_for(connection) as stager:
            readable = sum(self._stage(job, member, keys, stager) for member in job.members)
            if job.members and not readable:
                raise IngestFailed(
                    "No file in the upload could be read.", problems=job.report.problem_count
                )
            job.check_problems()
            result, warnings = events_merge(
                data_source=job.data_source, stager=stager, keys=keys.pairs(), units=keys.units
            )
        for warning in warnings:
            job.report.warn(warning)
        _merge_warnings(job, result)
        return Counts(
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=job.report.rejected,
        )

    def _stage(self, job: IngestJob, member, keys: SeriesKeys, stager) -> bool:
        """Read one member; False when the file as a whole could not be read."""
        ctx = ReadContext.from_settings(
            file=member.name, report=job.report, ingest_settings=job.ingest_settings
        )
        reader: Reader | None = reader_for(member.format, self.kind)
        if reader is None:
            ctx.problem(f"format {member.format!r} is not a timeseries format")
            return False
        first_problem = len(job.report.problems)
        try:
            raws = reader(Path(member.path), ctx, job.ingest_settings, **_options(member.format))
            batches = (convert(raw, ctx) for raw in raws)
            for batch in prefetched(batches) if stager.overlaps_parsing else batches:
                if batch.size and (job.skip_invalid_rows or not job.report.has_problems):
                    ords = np.arange(stager.rows, stager.rows + batch.size, dtype=np.int64)
                    stager.add(keys.encode(batch), batch.timestamp, batch.value, batch.flag, ords)
        except ReaderError as error:
            ctx.file_problem(error)
            return False
        finally:
            mine = job.report.problems[first_problem:]
            mine.sort(key=lambda problem: problem.line or 0)
            job.report.problems[first_problem:] = mine
        if ctx.skipped_missing:
            job.report.warn(
                f"{member.name}: {ctx.skipped_missing} row(s) without a value were skipped"
            )
        return True


def _options(fmt: str) -> dict[str, Any]:
    if fmt == "csv":
        return {
            "chunk_bytes": django_settings.SLUIS_TIMESERIES_CHUNK_BYTES,
            "max_columns": django_settings.SLUIS_TIMESERIES_MAX_COLUMNS,
        }
    return {"batch_rows": django_settings.SLUIS_TIMESERIES_BATCH_ROWS}


def _merge_warnings(job: IngestJob, result) -> None:
    if result.duplicates:
        job.report.warn(
            f"{result.duplicates} row(s) repeated an earlier location, parameter and timestamp "
            "of this upload; the last one was kept"
        )
    if not result.inserted and not result.updated and not result.unchanged:
        job.report.warn("No stored data changed: the upload holds no events")
    elif not result.inserted and not result.updated:
        job.report.warn(
            f"No stored data changed: all {result.unchanged} event(s) were already stored with "
            "these values"
        )
