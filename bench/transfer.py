"""Export and import of one large data source: wall time and the command's peak RSS.

    .venv/bin/python bench/transfer.py --db sqlite --points 2000000 --features 100000
    .venv/bin/python bench/transfer.py --db postgres --points 2000000 --features 100000

Fills a fresh database (a temporary SQLite file, or PostgreSQL database
``sluis_transfer_bench``, recreated) through the datastore's own bulk paths: a timeseries data
source of ``--points`` events (``--series`` series of hourly values) and a vector data source of
``--features`` features (points and small polygons with four properties). Then runs the real
commands in fresh processes, each measured from the outside (``os.wait4``: wall time and peak
resident memory of that process alone):

- ``sluis source export ID -o FILE`` and ``sluis source import FILE --org Copy`` for each source;
- the same export of a source a tenth of the size, to show that memory does not grow with it;
- anchor for the timeseries export: the same rows dumped as CSV by the engine's own client
  (``sqlite3 -csv`` / ``psql \\copy``) piped through ``gzip -6`` (the same deflate level).

Not a test: numbers go into bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUIS = [str(ROOT / ".venv" / "bin" / "sluis")]
PG_DB = "sluis_transfer_bench"


def measured(command: list[str] | str, env: dict[str, str], *, shell: bool = False) -> dict:
    """Run ``command``; wall seconds and peak RSS (MB) of that process (for a shell: the
    largest of its children, which wait4 reports for the shell's own tree)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, shell=shell, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out, err = process.stdout.read(), process.stderr.read()
    if status != 0:
        raise SystemExit(f"{command} failed: {err.decode()[-2000:]}")
    return {"seconds": wall, "rss_mb": usage.ru_maxrss / 1024, "out": out}


def fill(env: dict[str, str], points: int, series: int, features: int) -> dict[str, int]:
    """Create the data sources in a child process (Django set up there, not here)."""
    script = f"""
import json, numpy as np, pyarrow as pa
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from sluis.accounts.services import organization_get_or_create
from sluis.catalog.services import data_source_create
from sluis.datastore.timeseries.bulk import stager_for
from sluis.datastore.timeseries.services import events_merge
from sluis.datastore.vector.services import vector_dataset_replace
from sluis.readers.vector.features import FeatureBatch

org = organization_get_or_create(name="Bench")
organization_get_or_create(name="Copy")
ids = {{}}
def timeseries(name, points):
    source = data_source_create(owner=org, name=name, kind="timeseries").data_source
    per = points // {series}
    with stager_for(connection) as stager:
        for key in range({series}):
            stamps = 946684800_000000 + np.arange(per, dtype=np.int64) * 3600_000000
            values = np.round(np.sin(np.arange(per) / 50.0) * 3 + key, 3)
            flags = pa.array(["" if i % 97 else "suspect" for i in range(per)])
            ords = np.arange(key * per, (key + 1) * per, dtype=np.int64)
            stager.add(np.full(per, key, dtype=np.int32), stamps, values, flags, ords)
        events_merge(data_source=source, stager=stager,
                     keys=[(f"LOC{{k:03d}}", "level") for k in range({series})], units={{0: "m"}})
    return source.pk
def vector(name, count):
    source = data_source_create(owner=org, name=name, kind="vector").data_source
    def batches():
        for start in range(0, count, 10_000):
            rows = []
            for i in range(start, min(count, start + 10_000)):
                x, y = 4 + (i % 1000) * 0.003, 51 + (i // 1000) * 0.003
                if i % 2:
                    shape = {{"type": "Point", "coordinates": [x, y]}}
                    box = (x, y, x, y)
                else:
                    ring = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y]]
                    shape = {{"type": "Polygon", "coordinates": [ring]}}
                    box = (x, y, x + 0.001, y + 0.001)
                props = {{"name": f"parcel {{i}}", "area": i * 0.5, "owner": "Bench", "n": i}}
                rows.append((f"p{{i}}", json.dumps(shape), json.dumps(props), *box))
            yield FeatureBatch.from_rows(rows)
    vector_dataset_replace(data_source=source, batches=batches())
    return source.pk
ids["timeseries"] = timeseries("Levels", {points})
ids["timeseries_tenth"] = timeseries("Levels (tenth)", {points // 10})
ids["vector"] = vector("Parcels", {features})
ids["vector_tenth"] = vector("Parcels (tenth)", {features // 10})
print(json.dumps(ids))
"""
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr.decode()[-3000:])
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


def anchor(env: dict[str, str], source_id: int, target: Path) -> dict:
    query = (
        "SELECT e.series_id, e.timestamp, e.value, e.flag FROM ts_event e JOIN ts_series s "  # noqa: S608
        f"ON s.id = e.series_id WHERE s.data_source_id = {int(source_id)} "
        "ORDER BY e.series_id, e.timestamp"
    )
    if env.get("SLUIS_DATABASE_URL"):
        dump = f'psql -q {PG_DB} -c "\\copy ({query}) TO STDOUT (FORMAT csv)"'
    else:
        dump = f"sqlite3 -csv {env['SLUIS_DATA_DIR']}/sluis.sqlite3 '{query}'"
    return measured(f"{dump} | gzip -6 > {target}", env, shell=True)  # noqa: S604 (a pipeline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--features", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sluis-transfer-bench-"))
    env = {
        **os.environ,
        "SLUIS_DATA_DIR": str(work),
        "DJANGO_SETTINGS_MODULE": "sluis.config.settings",
    }
    if args.db == "postgres":
        subprocess.run(["dropdb", "--if-exists", PG_DB], check=True)
        subprocess.run(["createdb", PG_DB], check=True)
        env["SLUIS_DATABASE_URL"] = f"postgres://root@127.0.0.1:5432/{PG_DB}"
    started = time.perf_counter()
    ids = fill(env, args.points, args.series, args.features)
    print(f"filled in {time.perf_counter() - started:.1f} s: {ids}", flush=True)
    for name, source_id in ids.items():
        archive = work / f"{name}.zip"
        out = measured([*SLUIS, "source", "export", str(source_id), "-o", str(archive)], env)
        size = archive.stat().st_size / 1e6
        back = measured([*SLUIS, "source", "import", str(archive), "--org", "Copy"], env)
        print(
            f"{name:18} export {out['seconds']:6.1f} s {out['rss_mb']:6.0f} MB peak RSS"
            f" ({size:6.1f} MB archive) | import {back['seconds']:6.1f} s"
            f" {back['rss_mb']:6.0f} MB peak RSS",
            flush=True,
        )
    plain = anchor(env, ids["timeseries"], work / "anchor.csv.gz")
    size = (work / "anchor.csv.gz").stat().st_size / 1e6
    print(f"anchor (engine CSV | gzip -6) {plain['seconds']:6.1f} s ({size:.1f} MB)")


if __name__ == "__main__":
    main()
