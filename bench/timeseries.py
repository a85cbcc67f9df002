"""Timeseries ingest benchmark: the Sluis processor against hand-written SQL, same run, same data.

    .venv/bin/python bench/timeseries.py --db postgres --rows 500000,1000000,2000000,5000000
    .venv/bin/python bench/timeseries.py --db sqlite --rows 500000,1000000 --stored 2000000

For each size N it writes a long-format CSV (100 locations x N/100 hourly timestamps) and measures:

- Sluis: ``TimeseriesProcessor.process`` on an ``IngestJob`` for the file (read, validate, stage,
  merge, series summaries): a first load into an empty table, then a full overwrite (same keys,
  every value changed).
- Anchor, PostgreSQL: ``COPY`` of the same CSV into an UNLOGGED staging table, series rows
  created with one INSERT … SELECT DISTINCT, one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` into
  the same ``ts_event`` table. Anchor, SQLite: ``executemany`` upsert of pre-parsed rows (the
  parsing is not timed) into the same table, one transaction.

Then the cost of overwriting 10 k events in a data source already holding ``--stored`` events,
and the read-back of one series of ``--readback`` events through ``GET /events/`` (CSV, in-process
Django test client, whole body consumed) against ``COPY (SELECT …) TO STDOUT`` of the same rows
(PostgreSQL) or a plain ``SELECT`` iterated by sqlite3 (SQLite).
Prints rows/s and the Sluis/anchor ratio. It needs a database of its own: PostgreSQL database
``sluis_timeseries_bench`` (created if absent) or a temporary SQLite file. Not a test.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

LOCATIONS = 100
START = np.datetime64("2000-01-01T00:00:00", "s")


def write_csv(path: Path, rows: int, *, shift: float = 0.0, first_hour: int = 0) -> None:
    """``rows`` events: LOC000..LOC099 x consecutive hours, values derived from the position."""
    per_location = -(-rows // LOCATIONS)
    with pacsv.CSVWriter(
        path,
        pa.schema(
            [
                ("location", pa.string()),
                ("parameter", pa.string()),
                ("timestamp", pa.string()),
                ("value", pa.float64()),
            ]
        ),
    ) as out:
        written = 0
        for loc in range(LOCATIONS):
            count = min(per_location, rows - written)
            if count <= 0:
                break
            hours = np.arange(first_hour, first_hour + count)
            stamps = (START + hours.astype("timedelta64[h]")).astype("datetime64[s]")
            text = pc.strftime(pa.array(stamps), "%Y-%m-%dT%H:%M:%SZ")
            table = pa.table(
                {
                    "location": pa.array([f"LOC{loc:03d}"] * count),
                    "parameter": pa.array(["waterlevel"] * count),
                    "timestamp": text,
                    "value": np.round(np.sin(hours / 24.0) + loc + shift, 3),
                }
            )
            out.write_table(table)
            written += count


def setup_django(db: str, work: Path) -> None:
    os.environ["SLUIS_DATA_DIR"] = str(work / "data")
    if db == "postgres":
        url = os.environ.get(
            "BENCH_PG_URL", "postgres://root@127.0.0.1:5432/sluis_timeseries_bench"
        )
        os.environ["SLUIS_DATABASE_URL"] = url
        name = url.rsplit("/", 1)[1]
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "root", name], capture_output=True, check=False
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fresh_source(name: str):
    from django.db import connection

    from sluis.accounts.services import organization_get_or_create
    from sluis.catalog.services import data_source_create

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM ts_event")
        cursor.execute("DELETE FROM ts_series")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE ts_event")
    org = organization_get_or_create(name="Bench")
    stamp = time.time_ns()
    return data_source_create(owner=org, name=f"{name}-{stamp}", kind="timeseries").data_source


def sluis_run(source, path: Path):
    from sluis.formats.records import Member
    from sluis.kinds import IngestJob, kind_get

    job = IngestJob(
        upload_id=0,
        data_source=source,
        ingest_settings={},
        members=[Member(path, path.name, "csv", path.stat().st_size)],
        received_at=datetime.now(UTC),
    )
    began = time.perf_counter()
    counts = kind_get("timeseries").processor.process(job)
    return time.perf_counter() - began, counts


def anchor_postgres(source, path: Path) -> float:
    from django.db import connection, transaction

    began = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_staging")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_staging (location text, parameter text, "
            "ts timestamptz, value double precision)"
        )
        with (
            open(path, "rb") as handle,
            cursor.cursor.copy("COPY bench_staging FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        cursor.execute(
            "INSERT INTO ts_series "
            "(data_source_id, location, parameter, unit, event_count, created) "
            "SELECT DISTINCT %s, location, parameter, '', 0, now() FROM bench_staging "
            "ON CONFLICT DO NOTHING",
            [source.pk],
        )
        cursor.execute(
            'INSERT INTO ts_event (series_id, "timestamp", value, flag) '
            "SELECT s.id, b.ts, b.value, '' FROM bench_staging b JOIN ts_series s "
            "ON s.data_source_id = %s AND s.location = b.location AND s.parameter = b.parameter "
            'ON CONFLICT (series_id, "timestamp") DO UPDATE SET value = EXCLUDED.value, '
            "flag = EXCLUDED.flag",
            [source.pk],
        )
        cursor.execute("DROP TABLE bench_staging")
    return time.perf_counter() - began


def anchor_sqlite(source, path: Path) -> float:
    from django.db import connection, transaction

    from sluis.datastore.timeseries.models import Series

    strings = pacsv.ConvertOptions(column_types={"timestamp": pa.string()})
    table = pacsv.read_csv(path, convert_options=strings)
    series = {}
    for loc in pc.unique(table["location"]).to_pylist():
        series[loc] = Series.objects.get_or_create(
            data_source=source, location=loc, parameter="waterlevel"
        )[0].pk
    stamps = [s.replace("T", " ").rstrip("Z") for s in table["timestamp"].to_pylist()]
    rows = list(
        zip(
            [series[x] for x in table["location"].to_pylist()],
            stamps,
            table["value"].to_pylist(),
            [""] * len(stamps),
            strict=True,
        )
    )
    del table
    began = time.perf_counter()
    with transaction.atomic():
        connection.connection.executemany(
            'INSERT INTO ts_event (series_id, "timestamp", value, flag) VALUES (?, ?, ?, ?) '
            'ON CONFLICT (series_id, "timestamp") DO UPDATE SET value = excluded.value, '
            "flag = excluded.flag",
            rows,
        )
    return time.perf_counter() - began


def ratio_line(label: str, rows: int, sluis: float, anchor: float) -> str:
    return (
        f"{label:<22} {rows:>10,} rows  sluis {sluis:7.2f}s {rows / sluis:>9,.0f}/s   "
        f"anchor {anchor:7.2f}s {rows / anchor:>9,.0f}/s   ratio {anchor / sluis:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--rows", default="500000,1000000,2000000,5000000")
    parser.add_argument("--stored", type=int, default=10_000_000)
    parser.add_argument("--overwrite", type=int, default=10_000)
    parser.add_argument("--readback", type=int, default=1_000_000)
    parser.add_argument("--skip-sizes", action="store_true", help="only the 10 k and read-back")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per size")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sluis-bench-"))
    setup_django(args.db, work)
    anchor = anchor_postgres if args.db == "postgres" else anchor_sqlite
    print(
        f"# timeseries ingest, {args.db}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores"
    )
    for rows in [] if args.skip_sizes else [int(x) for x in args.rows.split(",") if x]:
        first, second = work / f"first-{rows}.csv", work / f"second-{rows}.csv"
        write_csv(first, rows)
        write_csv(second, rows, shift=0.5)
        size = first.stat().st_size / 1e6
        best = [float("inf")] * 4  # sluis first, sluis overwrite, anchor first, anchor overwrite
        for _ in range(args.repeat):
            source = fresh_source("sluis")
            t_first, counts = sluis_run(source, first)
            t_over, counts2 = sluis_run(source, second)
            assert counts.inserted == rows and counts2.updated == rows, (counts, counts2)
            anchor_source = fresh_source("anchor")
            a_first = anchor(anchor_source, first)
            a_over = anchor(anchor_source, second)
            best = [
                min(b, t) for b, t in zip(best, (t_first, t_over, a_first, a_over), strict=True)
            ]
        print(f"## {rows:,} rows, {size:.0f} MB CSV (best of {args.repeat})")
        print(ratio_line("first load", rows, best[0], best[2]))
        print(ratio_line("full overwrite", rows, best[1], best[3]), flush=True)
        first.unlink()
        second.unlink()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after the loads (generator + Sluis + anchor): {peak:.0f} MB", flush=True)
    if args.stored:
        overwrite_small(args, work, anchor)
    if args.readback:
        readback(args, work)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {peak:.0f} MB")


def overwrite_small(args, work: Path, anchor) -> None:
    """Overwrite ``--overwrite`` events in a source holding ``--stored`` (and in an empty one)."""
    stored, small = work / "stored.csv", work / "small.csv"
    write_csv(stored, args.stored)
    write_csv(small, args.overwrite, shift=0.25, first_hour=50)
    empty_time, _ = sluis_run(fresh_source("empty"), small)
    source = fresh_source("big")
    anchor(source, stored)
    stored.unlink()
    big_time, counts = sluis_run(source, small)
    assert counts.updated == args.overwrite, counts
    anchor_time = anchor(source, small)
    print(f"## {args.overwrite:,} events overwritten in a data source holding {args.stored:,}")
    print(ratio_line("into stored", args.overwrite, big_time, anchor_time))
    print(f"{'same into empty':<22} {args.overwrite:>10,} rows  sluis {empty_time:7.2f}s")


def readback(args, work: Path) -> None:
    """One series of ``--readback`` events, read whole through ``GET /events/`` as CSV."""
    from django.db import connection
    from rest_framework.test import APIClient

    from sluis.accounts.services import token_create, user_create
    from sluis.datastore.timeseries.models import Series

    source = fresh_source("readback")
    big = work / "one.csv"
    with open(big, "w") as out:
        out.write("location,parameter,timestamp,value\n")
        hours = np.arange(args.readback)
        stamps = (START + hours.astype("timedelta64[h]")).astype("datetime64[s]")
        text = pc.strftime(pa.array(stamps), "%Y-%m-%dT%H:%M:%SZ").to_pylist()
        values = np.round(np.sin(hours / 24.0), 3).tolist()
        out.writelines(f"R,h,{t},{v}\n" for t, v in zip(text, values, strict=True))
    sluis_run(source, big)
    series = Series.objects.get(data_source=source)
    user = user_create(
        username=f"bench{time.time_ns()}",
        organization=source.owner,
        display_name="Bench",
        data_consumer=True,
    )
    token = token_create(user=user).secret
    client = APIClient()
    began = time.perf_counter()
    response = client.get(
        "/api/v1/events/", {"timeseries_id": series.pk, "count": args.readback, "token": token}
    )
    size = sum(len(block) for block in response.streaming_content)
    sluis_time = time.perf_counter() - began
    began = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy_sql = (
                'COPY (SELECT "timestamp", value FROM ts_event WHERE series_id = '  # noqa: S608
                f'{int(series.pk)} ORDER BY "timestamp" DESC) TO STDOUT (FORMAT csv)'
            )
            with cursor.cursor.copy(copy_sql) as copy:
                anchor_size = sum(len(block) for block in copy)
        else:
            cursor.execute(
                'SELECT "timestamp", value FROM ts_event WHERE series_id = %s '
                'ORDER BY "timestamp" DESC',
                [series.pk],
            )
            anchor_size = sum(1 for _ in cursor.cursor)
    anchor_time = time.perf_counter() - began
    print(f"## read-back of one series of {args.readback:,} events ({size / 1e6:.0f} MB CSV)")
    assert anchor_size > 0
    print(ratio_line("GET /events/ CSV", args.readback, sluis_time, anchor_time))


if __name__ == "__main__":
    main()
