"""The bulk path: stage validated events, then merge them into ``ts_event`` with one statement.

Why staging (decision 0005): validation must finish before anything is written, and memory must
stay bounded for a 500 MB file. So the reader streams batches into a per-connection temporary
table *outside* the write transaction (no lock on stored data, nothing visible to others, dropped
afterwards); only when every batch validated does one short transaction resolve the series and
merge the staged rows with one set-based statement.

- PostgreSQL: ``COPY`` (CSV text written by pyarrow) into a temp table; one
  ``INSERT … SELECT … ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM`` whose ``RETURNING``
  (``xmax = 0`` marks fresh rows) is aggregated per series in the same statement. Duplicate keys
  in one upload make PostgreSQL refuse the statement (a row cannot be affected twice); only then,
  under a savepoint, the statement is repeated over ``DISTINCT ON`` the staged rows, latest first.
- SQLite: ``executemany`` into a ``WITHOUT ROWID`` temp table keyed (key, timestamp) whose own
  upsert collapses duplicates (last wins, counted); one ``INSERT … SELECT … ON CONFLICT``
  merges. Inserted rows are counted before the merge through the primary key index.

Costs stay proportional to the upload, not to the stored data: every lookup goes through the
(series, timestamp) primary key.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import DatabaseError, transaction


@dataclass
class SeriesDelta:
    inserted: int = 0
    first: datetime | None = None
    last: datetime | None = None


@dataclass
class MergeResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    per_series: dict[int, SeriesDelta] = field(default_factory=dict)


def stager_for(connection) -> Stager:
    """The staging area of ``connection``'s engine (PostgreSQL or SQLite, the two Sluis runs on)."""
    return (
        PostgresStager(connection)
        if connection.vendor == "postgresql"
        else SqliteStager(connection)
    )


class Stager(ABC):
    """Temporary staging of one upload's events on one connection (a context manager).

    ``overlaps_parsing``: whether parsing the next batch in a thread pays while this one is
    written. It does for ``COPY`` (one large write that releases the GIL). For SQLite's
    ``executemany``, which takes the GIL back for every row, it pays a little less but still
    does: about 0.2 s of 2.9 s for 1 M rows (bench/README.md), the pyarrow kernels of the
    parsing thread running while ``executemany`` steps SQLite.
    """

    overlaps_parsing = False

    def __init__(self, connection):
        self.connection = connection
        self.rows = 0

    def __enter__(self) -> Stager:
        self.connection.ensure_connection()
        self._drop()
        self._create()
        return self

    def __exit__(self, *exc) -> None:
        self._drop()

    def _drop(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS ts_staging")
            cursor.execute("DROP TABLE IF EXISTS ts_keymap")

    def _keymap(self, cursor, mapping: dict[int, int]) -> None:
        cursor.execute("CREATE TEMP TABLE ts_keymap (key integer PRIMARY KEY, series_id bigint)")
        cursor.executemany(
            "INSERT INTO ts_keymap (key, series_id) VALUES (%s, %s)", list(mapping.items())
        )

    @abstractmethod
    def _create(self) -> None:
        """Create the empty staging table."""

    @abstractmethod
    def add(self, keys, stamps, values, flags, ords) -> None:
        """Stage one batch: key index, UTC microseconds, value, flag, upload-wide row order."""

    @abstractmethod
    def merge(self, mapping: dict[int, int], *, all_new: bool = False) -> MergeResult:
        """Merge everything staged into ``ts_event``; ``mapping`` is key index → series id.

        ``all_new``: every series was created by this upload, so every event is an insert.
        """


class PostgresStager(Stager):
    overlaps_parsing = True

    def _create(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE ts_staging (ord bigint, key integer, ts bigint, "
                "value double precision, flag text)"
            )

    def add(self, keys, stamps, values, flags, ords) -> None:
        table = pa.table(
            {
                "ord": pa.array(ords),
                "key": pa.array(keys),
                "ts": pa.array(stamps),  # UTC microseconds: far cheaper to write and COPY than text
                "value": pa.array(values),
                "flag": flags,
            }
        )
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
        with self.connection.cursor() as cursor:
            sql = "COPY ts_staging (ord, key, ts, value, flag) FROM STDIN (FORMAT csv)"
            with cursor.cursor.copy(sql) as copy:
                copy.write(buffer.getbuffer())
        self.rows += len(keys)

    def merge(self, mapping: dict[int, int], *, all_new: bool = False) -> MergeResult:
        with self.connection.cursor() as cursor:
            self._keymap(cursor, mapping)
            cursor.execute("ANALYZE ts_staging")
            if all_new:
                return self._merge_new(cursor)
            return self._merge(cursor)

    def _merge_new(self, cursor) -> MergeResult:
        """Only new series: count totals in the statement, spans from the staging table.

        Aggregating ``RETURNING`` per series costs about a third of the merge; with no stored
        events every staged key is an insert, so the per-series figures come from the (much
        cheaper) staging table instead.
        """
        result = MergeResult()
        totals = self._upsert(cursor, _PG_STAGED, _PG_MERGE_TOTALS)
        distinct = "count(*)"
        if totals is None:
            totals = self._distinct_upsert(cursor, _PG_MERGE_TOTALS)
            distinct = "count(DISTINCT s.ts)"
        cursor.execute(_PG_SPANS.format(count=distinct))
        for series_id, count, first, last in cursor.fetchall():
            result.per_series[series_id] = SeriesDelta(
                count, _from_micros(first), _from_micros(last)
            )
        result.inserted, result.updated = totals[0]
        result.duplicates = self.rows - result.inserted
        return result

    def _merge(self, cursor) -> MergeResult:
        result = MergeResult()
        rows = self._upsert(cursor, _PG_STAGED)
        distinct = self.rows
        if rows is None:
            rows = self._distinct_upsert(cursor)
            cursor.execute("SELECT count(*) FROM (SELECT DISTINCT key, ts FROM ts_staging) d")
            distinct = cursor.fetchone()[0]
        for series_id, inserted, updated, first, last in rows:
            result.per_series[series_id] = SeriesDelta(inserted, first, last)
            result.inserted += inserted
            result.updated += updated
        result.duplicates = self.rows - distinct
        result.unchanged = distinct - result.inserted - result.updated
        return result

    def _distinct_upsert(self, cursor, statement: str = "") -> list:
        """The merge of the de-duplicated staging, which never repeats a key."""
        rows = self._upsert(cursor, _PG_DISTINCT, statement)
        if rows is None:
            raise DatabaseError("the de-duplicated staging repeats a key")
        return rows

    def _upsert(self, cursor, source: str, statement: str = "") -> list | None:
        """The merge statement; ``None`` when the staged rows repeat a key (cardinality)."""
        try:
            with transaction.atomic(using=self.connection.alias):
                cursor.execute((statement or _PG_MERGE).format(source=source))
                return cursor.fetchall()
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) == "21000":
                return None
            raise


_PG_TS = "(timestamptz 'epoch' + s.ts * interval '1 microsecond')"
_PG_STAGED = (
    f"SELECT m.series_id, {_PG_TS}, s.value, s.flag "  # noqa: S608 (constants)
    "FROM ts_staging s JOIN ts_keymap m ON m.key = s.key"
)
_PG_DISTINCT = (
    f"SELECT DISTINCT ON (s.key, s.ts) m.series_id, {_PG_TS}, s.value, s.flag "  # noqa: S608
    "FROM ts_staging s JOIN ts_keymap m ON m.key = s.key ORDER BY s.key, s.ts, s.ord DESC"
)
_PG_MERGE = (
    "WITH changed AS ("
    ' INSERT INTO ts_event AS e (series_id, "timestamp", value, flag) {source}'
    ' ON CONFLICT (series_id, "timestamp")'
    " DO UPDATE SET value = EXCLUDED.value, flag = EXCLUDED.flag"
    " WHERE (e.value, e.flag) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.flag)"
    ' RETURNING e.series_id, e."timestamp", (e.xmax = 0) AS fresh)'
    " SELECT series_id, count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh),"
    ' min("timestamp") FILTER (WHERE fresh), max("timestamp") FILTER (WHERE fresh)'
    " FROM changed GROUP BY series_id"
)
_PG_MERGE_TOTALS = (
    "WITH changed AS ("
    ' INSERT INTO ts_event AS e (series_id, "timestamp", value, flag) {source}'
    ' ON CONFLICT (series_id, "timestamp")'
    " DO UPDATE SET value = EXCLUDED.value, flag = EXCLUDED.flag"
    " WHERE (e.value, e.flag) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.flag)"
    " RETURNING (e.xmax = 0) AS fresh)"
    " SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM changed"
)
_PG_SPANS = (
    "SELECT m.series_id, {count}, min(s.ts), max(s.ts) FROM ts_staging s "
    "JOIN ts_keymap m ON m.key = s.key GROUP BY m.series_id"
)


class SqliteStager(Stager):
    """Per-key time spans and row counts are kept in numpy while staging, so the merge needs no
    pass over the staging table for them; only duplicates (rare) make it count in SQL."""

    overlaps_parsing = True

    def _create(self) -> None:
        self.spans: dict[int, list[int]] = {}  # key -> [staged rows, first ts, last ts]
        self.whole_seconds = True  # no staged time has a fraction of a second
        with self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE ts_staging (key integer NOT NULL, ts integer NOT NULL, "
                "value real NOT NULL, flag text NOT NULL DEFAULT '', "
                "dup integer NOT NULL DEFAULT 0, PRIMARY KEY (key, ts)) WITHOUT ROWID"
            )

    def _drop(self) -> None:
        super()._drop()
        with self.connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS ts_count_inserted")

    def add(self, keys, stamps, values, flags, ords) -> None:
        """``ords`` is not stored: rows are staged in upload order, so the upsert keeps the last."""
        columns = [keys.tolist(), stamps.tolist(), values.tolist()]
        statement = _SQLITE_STAGE_NO_FLAG
        if flags.null_count or pc.any(pc.not_equal(flags, "")).as_py():
            columns.append(flags.to_pylist())
            statement = _SQLITE_STAGE
        raw = self.connection.connection
        own = not self.connection.in_atomic_block
        if own:
            raw.execute("BEGIN")  # temp tables only: takes no lock on the main database
        try:
            raw.executemany(statement, zip(*columns, strict=True))
        except BaseException:
            if own:
                raw.execute("ROLLBACK")
            raise
        if own:
            raw.execute("COMMIT")
        self.rows += len(keys)
        self._spans(np.asarray(keys), np.asarray(stamps))
        self.whole_seconds = self.whole_seconds and not (np.asarray(stamps) % 1_000_000).any()

    def _spans(self, keys: np.ndarray, stamps: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys, stamps = keys[order], stamps[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        counts = np.diff(np.r_[starts, len(keys)])
        firsts = np.minimum.reduceat(stamps, starts)
        lasts = np.maximum.reduceat(stamps, starts)
        for key, count, first, last in zip(
            keys[starts].tolist(), counts.tolist(), firsts.tolist(), lasts.tolist(), strict=True
        ):
            span = self.spans.get(key)
            if span is None:
                self.spans[key] = [count, first, last]
            else:
                span[0] += count
                span[1] = min(span[1], first)
                span[2] = max(span[2], last)

    def merge(self, mapping: dict[int, int], *, all_new: bool = False) -> MergeResult:
        result = MergeResult()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE ts_keymap (key integer PRIMARY KEY, "
                "series_id integer NOT NULL UNIQUE, inserted integer NOT NULL DEFAULT 0)"
            )
            cursor.executemany(
                "INSERT INTO ts_keymap (key, series_id) VALUES (%s, %s)", list(mapping.items())
            )
            cursor.execute("SELECT count(*) FROM ts_staging")
            distinct = cursor.fetchone()[0]
            inserted = self._distinct_counts(cursor, distinct) if all_new else {}
            if not all_new:  # with only new series every staged row is an insert: no counting
                cursor.execute(_SQLITE_COUNT_TRIGGER)
            cursor.execute(_SQLITE_MERGE_SECONDS if self.whole_seconds else _SQLITE_MERGE)
            changed = cursor.rowcount
            if not all_new:
                cursor.execute("DROP TRIGGER ts_count_inserted")
                cursor.execute("SELECT key, inserted FROM ts_keymap")
                inserted = dict(cursor.fetchall())
        for key, (_, first, last) in self.spans.items():
            count = inserted[key]
            result.per_series[mapping[key]] = SeriesDelta(
                count, _from_micros(first), _from_micros(last)
            )
            result.inserted += count
        result.duplicates = self.rows - distinct
        result.updated = changed - result.inserted
        result.unchanged = distinct - result.inserted - result.updated
        return result

    def _distinct_counts(self, cursor, distinct: int) -> dict[int, int]:
        """Staged rows per key without repeats: the counts kept while staging, unless a key
        repeated (then one pass over the staging table)."""
        if distinct == self.rows:
            return {key: span[0] for key, span in self.spans.items()}
        cursor.execute("SELECT key, count(*) FROM ts_staging GROUP BY key")
        return dict(cursor.fetchall())


_SQLITE_STAGE = (
    "INSERT INTO ts_staging (key, ts, value, flag) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (key, ts) DO UPDATE SET value = excluded.value, flag = excluded.flag, "
    "dup = dup + 1"
)
# The common case, no flags at all: one parameter less to bind per row.
_SQLITE_STAGE_NO_FLAG = (
    "INSERT INTO ts_staging (key, ts, value) VALUES (?, ?, ?) "
    "ON CONFLICT (key, ts) DO UPDATE SET value = excluded.value, flag = excluded.flag, "
    "dup = dup + 1"
)
# Counts the rows the merge really inserts, per series, without a second pass over the data.
_SQLITE_COUNT_TRIGGER = (
    "CREATE TEMP TRIGGER ts_count_inserted AFTER INSERT ON main.ts_event BEGIN "
    "UPDATE ts_keymap SET inserted = inserted + 1 WHERE series_id = NEW.series_id; END"
)
# Django's SQLite text for datetimes: 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC (floor division, so
# times before 1970 format right too). datetime() writes that text about 4x faster than strftime.
_SECONDS = "((s.ts - ((s.ts % 1000000) + 1000000) % 1000000) / 1000000)"
_MICROS = "(((s.ts % 1000000) + 1000000) % 1000000)"
_SQLITE_TEXT = (
    f"datetime({_SECONDS}, 'unixepoch') "
    f"|| CASE WHEN {_MICROS} = 0 THEN '' ELSE printf('.%06d', {_MICROS}) END"
)
_SQLITE_MERGE_INTO = (
    'INSERT INTO ts_event (series_id, "timestamp", value, flag) '
    "SELECT m.series_id, {text}, s.value, s.flag FROM ts_staging s "
    'JOIN ts_keymap m ON m.key = s.key WHERE true ON CONFLICT (series_id, "timestamp") '
    "DO UPDATE SET value = excluded.value, flag = excluded.flag"
    " WHERE ts_event.value IS NOT excluded.value OR ts_event.flag IS NOT excluded.flag"
)
_SQLITE_MERGE = _SQLITE_MERGE_INTO.format(text=_SQLITE_TEXT)
# Only whole seconds staged (the common case): no fraction to split off, about 0.1 s less per
# million rows (exact division, so times before 1970 are right too).
_SQLITE_MERGE_SECONDS = _SQLITE_MERGE_INTO.format(text="datetime(s.ts / 1000000, 'unixepoch')")


def _from_micros(micros: int | None) -> datetime | None:
    if micros is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
