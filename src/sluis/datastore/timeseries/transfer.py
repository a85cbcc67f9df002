"""Export and import of a timeseries (series and their events) data source
(``sluis source export|import``).

The export writes the stored data in open formats (docs/formats/export.md), reading rows in
bounded batches and streaming objects; the import checks everything in the archive before it
writes anything, then writes in one transaction. Declared in this kind's ``Kind``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from django.db import connection, transaction

from sluis.catalog.models import DataSource
from sluis.catalog.services import CreatedSource
from sluis.datastore.timeseries.bulk import stager_for
from sluis.datastore.timeseries.models import Series
from sluis.datastore.timeseries.selectors import number_text
from sluis.datastore.timeseries.services import events_merge
from sluis.transfer.archive import ArchiveReader, ArchiveWriter, HashingWriter
from sluis.transfer.errors import ImportArchiveInvalid
from sluis.transfer.exporters import PAGE, iso, json_line
from sluis.transfer.records import Create, Fields, counts_check, invalid, records

EVENTS_HEADER = "timestamp,value,flag\n"


def timeseries_export(*, data_source: DataSource, writer: ArchiveWriter) -> dict[str, int]:
    """``series.jsonl`` (one record per series), then one ``timestamp,value,flag`` CSV each."""
    series = list(Series.objects.filter(data_source=data_source).order_by("id"))
    events = 0
    with writer.member("timeseries/series.jsonl") as out:
        for number, item in enumerate(series, start=1):
            out.write_text(json_line(_series_record(item, number)))
            events += item.event_count
    for number, item in enumerate(series, start=1):
        with writer.member(_events_path(number)) as out:
            out.write_text(EVENTS_HEADER)
            _events_write(item.pk, out)
    return {"series": len(series), "events": events}


def _events_path(number: int) -> str:
    return f"timeseries/events/{number:06d}.csv"


def _series_record(series: Series, number: int) -> dict[str, Any]:
    return {
        "events_file": _events_path(number),
        "location": series.location,
        "parameter": series.parameter,
        "unit": series.unit,
        "event_count": series.event_count,
        "first_timestamp": iso(series.first_timestamp),
        "last_timestamp": iso(series.last_timestamp),
        "created": iso(series.created),
    }


def _events_write(series_id: int, out: HashingWriter) -> None:
    if connection.vendor == "postgresql":
        _events_copy(series_id, out)
    else:
        _events_fetch(series_id, out)


# UTC text with "T" and "Z", microseconds only when present: the same text on both engines
_PG_STAMP = (
    "to_char(t, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN to_char(t, 'US') = '000000' THEN '' ELSE '.' || to_char(t, 'US') END || 'Z'"
)


_PG_EVENTS = (
    f"COPY (SELECT {_PG_STAMP}, value, NULLIF(flag, '') FROM "  # noqa: S608 (constants)
    '(SELECT e."timestamp" AT TIME ZONE \'UTC\' AS t, e.value, e.flag, e."timestamp" AS ts '
    "FROM ts_event e WHERE e.series_id = {id}) s "
    "ORDER BY ts) TO STDOUT (FORMAT csv)"
)


def _events_copy(series_id: int, out: HashingWriter) -> None:
    """PostgreSQL writes the CSV itself; blocks are passed on as they come."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(_PG_EVENTS.format(id=int(series_id))) as copy:
            for block in copy:
                out.write(block)


def _events_fetch(series_id: int, out: HashingWriter) -> None:
    statement = (
        "SELECT replace(e.\"timestamp\", ' ', 'T') || 'Z', e.value, e.flag FROM ts_event e "
        'WHERE e.series_id = %s ORDER BY e."timestamp"'
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [series_id])
        while rows := cursor.fetchmany(PAGE * 4):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows((stamp, number_text(value), flag) for stamp, value, flag in rows)
            out.write_text(buffer.getvalue())


_CSV_TYPES = {"timestamp": pa.timestamp("us", tz="UTC"), "value": pa.float64(), "flag": pa.string()}


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
