"""Raster ingest benchmark: a ~200 MB GeoTIFF to a stored COG, Sluis vs ``gdal_translate -of COG``.

    .venv/bin/python bench/raster.py [--size-mb 200] [--rounds 3] [--threads 1]

Both sides get the same input and the same COG creation options (DEFLATE, 512 blocks, the same
NUM_THREADS and GDAL block cache), run back to back, alternating, ``--rounds`` times; the best
time of each counts. Sluis's figure is end to end: the raster processor on an ``IngestJob``
(header checks, statistics, COG writing, object storage, database row) in a fresh worker
process on SQLite. Peak RSS is reported for both processes. Needs ``gdal_translate`` (Debian
``gdal-bin``): installed with apt-get when running as root, otherwise the script says so.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_gdal_translate() -> str:
    found = shutil.which("gdal_translate")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("gdal_translate is missing: install the Debian package gdal-bin (as root).")
    print("installing gdal-bin ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "gdal-bin"], check=True, env=env)
    return shutil.which("gdal_translate") or sys.exit("gdal-bin installed, no gdal_translate?")


def make_input(path: Path, size_mb: int) -> None:
    """An uncompressed float32 GeoTIFF (EPSG:28992): a smooth field with 0.01-rounded noise."""
    import numpy as np

    from sluis.readers.gdal import rasterio

    side = int((size_mb * 1024 * 1024 / 4) ** 0.5)
    profile = {
        "driver": "GTiff",
        "width": side,
        "height": side,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:28992",
        "transform": rasterio.transform.Affine(10, 0, 0, 0, -10, 650000),
        "nodata": -9999,
        "tiled": False,
    }
    rng = np.random.default_rng(7)
    with rasterio.open(path, "w", **profile) as out:
        for top in range(0, side, 512):
            rows = min(512, side - top)
            y = np.arange(top, top + rows)[:, None]
            x = np.arange(side)[None, :]
            field = np.sin(x / 300) * 10 + np.cos(y / 200) * 10 + rng.normal(0, 0.3, (rows, side))
            out.write(
                np.round(field, 2).astype("float32")[None], window=((top, top + rows), (0, side))
            )


def run_anchor(gdal_translate: str, src: Path, dst: Path, threads: str, cache_mb: int) -> dict:
    command = [
        gdal_translate, "-q", "-of", "COG",
        "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=512", "-co", f"NUM_THREADS={threads}",
        "-co", "BIGTIFF=IF_SAFER", "--config", "GDAL_CACHEMAX", str(cache_mb),
        str(src), str(dst),
    ]  # fmt: skip
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter(); subprocess.run(sys.argv[1:], check=True)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'seconds': time.perf_counter() - t, 'cpu': u.ru_utime + u.ru_stime,"
        " 'rss_mb': u.ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *command], check=True, capture_output=True)
    dst.unlink()
    return json.loads(out.stdout)


def sluis_env(work: Path, threads: str, cache_mb: int) -> dict:
    env = {
        **os.environ,
        "SLUIS_DATA_DIR": str(work / "data"),
        "SLUIS_RASTER_THREADS": threads,
        "SLUIS_RASTER_GDAL_CACHE_MB": str(cache_mb),
        "DJANGO_SETTINGS_MODULE": "sluis.config.settings",
    }
    env.pop("SLUIS_DATABASE_URL", None)
    return env


def migrate(env: dict) -> None:
    """Once, in its own process: the worker's memory figure is processing, not migrations."""
    command = [sys.executable, "-m", "django", "migrate", "-v", "0"]
    subprocess.run(command, check=True, env={**env, "PYTHONPATH": str(ROOT / "src")})


def run_sluis(src: Path, work: Path, env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", str(src), str(work)],
        check=True,
        capture_output=True,
        env=env,
    )
    return json.loads(out.stdout.splitlines()[-1])


def worker(src: Path, work: Path) -> None:
    """One processing run in this (fresh) process: Django, migrate, then time ``process``."""
    import django

    django.setup()
    from datetime import UTC, datetime

    from sluis.accounts.services import organization_get_or_create
    from sluis.catalog.services import data_source_create
    from sluis.formats.records import Member
    from sluis.kinds import IngestJob, kind_get

    org = organization_get_or_create(name="Bench")
    source = data_source_create(owner=org, name=f"Bench {time.time_ns()}", kind="raster")
    member_dir = work / f"job-{time.time_ns()}"
    member_dir.mkdir()
    member = member_dir / "m0001.tif"
    os.link(src, member)  # the engine hands over an extracted file; no copy is timed
    job = IngestJob(
        upload_id=1,
        data_source=source.data_source,
        ingest_settings={},
        members=[Member(member, "bench_2020-01-01.tif", "geotiff", member.stat().st_size)],
        received_at=datetime.now(UTC),
    )
    usage = resource.getrusage(resource.RUSAGE_SELF)
    before = _status_mb("VmRSS")
    started = time.perf_counter()
    counts = kind_get("raster").processor.process(job)
    seconds = time.perf_counter() - started
    assert counts.inserted == 1, counts
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    peak = _status_mb("VmHWM")
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": peak, "rss_before_mb": before}))


def _status_mb(field: str) -> float:
    """Current (VmRSS) or peak (VmHWM) resident memory of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1", help="NUM_THREADS for both sides")
    parser.add_argument("--cache-mb", type=int, default=256, help="GDAL_CACHEMAX for both")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.worker:
        worker(Path(args.worker[0]), Path(args.worker[1]))
        return
    gdal_translate = ensure_gdal_translate()
    version = subprocess.run([gdal_translate, "--version"], capture_output=True, text=True)
    with tempfile.TemporaryDirectory(prefix="sluis-bench-raster-") as tmp:
        work = Path(tmp)
        src = work / "input.tif"
        make_input(src, args.size_mb)
        size_mb = src.stat().st_size / 1e6
        print(f"input: {size_mb:.1f} MB float32 GeoTIFF; anchor: {version.stdout.strip()}")
        env = sluis_env(work, args.threads, args.cache_mb)
        migrate(env)
        sluis, anchor = [], []
        for round_ in range(1, args.rounds + 1):
            anchor.append(
                run_anchor(gdal_translate, src, work / "anchor.tif", args.threads, args.cache_mb)
            )
            sluis.append(run_sluis(src, work, env))
            print(
                f"round {round_}: sluis {_row(sluis[-1])}; gdal_translate {_row(anchor[-1])}",
                flush=True,
            )
        _summary(size_mb, sluis, anchor)


def _row(run: dict) -> str:
    return f"{run['seconds']:.2f} s wall, {run['cpu']:.2f} s CPU, peak RSS {run['rss_mb']:.0f} MB"


def _summary(size_mb: float, sluis: list[dict], anchor: list[dict]) -> None:
    best = {name: min(r["seconds"] for r in runs) for name, runs in (("s", sluis), ("a", anchor))}
    median = {
        name: statistics.median(r["seconds"] for r in runs)
        for name, runs in (("s", sluis), ("a", anchor))
    }
    cpu = {name: min(r["cpu"] for r in runs) for name, runs in (("s", sluis), ("a", anchor))}
    baseline = max(r["rss_before_mb"] for r in sluis)
    print(
        f"sluis:          {size_mb / best['s']:6.1f} MB/s best ({best['s']:.2f} s), "
        f"worker peak RSS {max(r['rss_mb'] for r in sluis):.0f} MB "
        f"(RSS after start-up, before processing: {baseline:.0f} MB)"
    )
    print(
        f"gdal_translate: {size_mb / best['a']:6.1f} MB/s best ({best['a']:.2f} s), "
        f"peak RSS {max(r['rss_mb'] for r in anchor):.0f} MB"
    )
    print(
        f"ratio (sluis / gdal_translate throughput): best {best['a'] / best['s']:.2f} x, "
        f"median {median['a'] / median['s']:.2f} x, CPU time {cpu['a'] / cpu['s']:.2f} x"
    )


if __name__ == "__main__":
    main()
