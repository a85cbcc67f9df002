"""Vector replace benchmark: Sluis vs ``ogr2ogr`` loading the same file into the same database.

    .venv/bin/python bench/vector.py [--points 1000000] [--polygons 100000]
                                     [--engines sqlite,postgres]
                                     [--pg-url postgres://root@127.0.0.1:5432/sluis_bench_vector]

Writes a GeoPackage of random points and a GeoJSON of random small polygons (EPSG:4326, three
attributes each), then per engine, in one run: Sluis end to end (``VectorProcessor.process``:
read with GDAL, validate, reproject check, encode, bulk write, switch the version, index) and
``ogr2ogr`` of the same file into the same database (SQLite: a table of its own, WKB geometry,
no spatial index, as SpatiaLite is not installed; PostgreSQL: a PostGIS table with a geometry
column and its GiST index, ogr2ogr's defaults). Prints features/s of both and the ratio, and
the time of a bbox query returning ~1,000 of the points (PostgreSQL: through the GiST index).
Needs ``ogr2ogr`` (Debian ``gdal-bin``): installed with apt-get when run as root, else named.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--pg-url", default="postgres://root@127.0.0.1:5432/sluis_bench_vector")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        return run_engine(args)
    ensure_ogr2ogr()
    workdir = Path(tempfile.mkdtemp(prefix="sluis-bench-vector-"))
    try:
        make_inputs(workdir, args.points, args.polygons)
        for engine in args.engines.split(","):
            command = [sys.executable, __file__, "--engine", engine, "--workdir", str(workdir)]
            subprocess.run([*command, "--pg-url", args.pg_url], check=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def ensure_ogr2ogr() -> None:
    if shutil.which("ogr2ogr"):
        return
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "gdal-bin"], check=True)
        return
    sys.exit("ogr2ogr is missing: install the Debian package gdal-bin (apt-get install gdal-bin).")


def make_inputs(workdir: Path, points: int, polygons: int) -> None:
    import numpy as np
    import shapely

    from sluis.readers.gdal import pyogrio

    rng = np.random.default_rng(42)
    started = time.perf_counter()
    xy = rng.uniform([3.3, 50.7], [7.2, 53.6], size=(points, 2))  # the Netherlands
    fields = _fields(rng, points)
    pyogrio.raw.write(
        str(workdir / "points.gpkg"),
        shapely.to_wkb(shapely.points(xy)),
        list(fields.values()),
        list(fields),
        driver="GPKG",
        geometry_type="Point",
        crs="EPSG:4326",
        layer="points",
    )
    corner = rng.uniform([3.3, 50.7], [7.2, 53.6], size=(polygons, 2))
    boxes = shapely.box(corner[:, 0], corner[:, 1], corner[:, 0] + 0.001, corner[:, 1] + 0.001)
    fields = _fields(rng, polygons)
    pyogrio.raw.write(
        str(workdir / "polygons.geojson"),
        shapely.to_wkb(boxes),
        list(fields.values()),
        list(fields),
        driver="GeoJSON",
        geometry_type="Polygon",
        crs="EPSG:4326",
    )
    took = time.perf_counter() - started
    print(f"inputs: {points:,} points (GeoPackage), {polygons:,} polygons (GeoJSON), {took:.1f} s")


def _fields(rng, n: int) -> dict:
    import numpy as np

    return {
        "id": np.arange(1, n + 1, dtype="int64"),
        "name": np.array([f"feature {i}" for i in range(n)], dtype=object),
        "level": rng.normal(0, 1, n),
    }


# --- one engine, in its own process (Django settings are per process) ----------------------


def run_engine(args) -> None:
    workdir = Path(args.workdir)
    if args.engine == "postgres":
        _recreate_pg_database(args.pg_url)
        os.environ["SLUIS_DATABASE_URL"] = args.pg_url
    else:
        os.environ["SLUIS_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SLUIS_DATA_DIR"] = str(workdir / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sluis.config.settings")
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"\n== {args.engine} ==")
    for name, fmt, layer in (
        ("points.gpkg", "gpkg", "points"),
        ("polygons.geojson", "geojson", None),
    ):
        path = workdir / name
        sluis_s, count = _sluis_load(path, fmt)
        ogr_s = _ogr2ogr_load(path, args, layer)
        ratio = ogr_s / sluis_s
        print(
            f"{name}: {count:,} features | Sluis {sluis_s:.1f} s ({count / sluis_s:,.0f}/s) | "
            f"ogr2ogr {ogr_s:.1f} s ({count / ogr_s:,.0f}/s) | Sluis/ogr2ogr speed {ratio:.2f}x"
        )
        if fmt == "gpkg":
            _bbox_query(count)
            if args.engine == "postgres":
                _tile_times()


def _recreate_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _sluis_load(path: Path, fmt: str) -> tuple[float, int]:
    from datetime import UTC, datetime

    from sluis.accounts.services import organization_get_or_create
    from sluis.catalog.services import data_source_create
    from sluis.datastore.vector.processor import VectorProcessor
    from sluis.formats.records import Member
    from sluis.kinds import IngestJob

    org = organization_get_or_create(name="Bench")
    source = data_source_create(owner=org, name=path.name, kind="vector").data_source
    job = IngestJob(
        upload_id=1,
        data_source=source,
        ingest_settings={},
        members=[Member(path=path, name=path.name, format=fmt, size=path.stat().st_size)],
        received_at=datetime.now(tz=UTC),
    )
    started = time.perf_counter()
    counts = VectorProcessor().process(job)
    return time.perf_counter() - started, counts.inserted


def _ogr2ogr_load(path: Path, args, layer: str | None) -> float:
    from django.conf import settings

    table = "ogr_" + path.stem
    if args.engine == "postgres":
        db = settings.DATABASES["default"]
        target = ["-f", "PostgreSQL", f"PG:dbname={db['NAME']} host={db['HOST']} user={db['USER']}"]
        options = ["-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST"]
    else:
        target = ["-f", "SQLite", "-update", str(settings.DATABASES["default"]["NAME"])]
        options = ["-lco", "SPATIAL_INDEX=NO"]
    command = ["ogr2ogr", *target, str(path), *([layer] if layer else [])]
    command += ["-nln", table, "-overwrite", *options, "-gt", "65536"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def _bbox_query(count: int) -> None:
    """A bbox holding ~1,000 of the points: first API page (count + 50) and all 1,000 rows."""
    from sluis.catalog.models import DataSource
    from sluis.datastore.vector.selectors import features_current

    source = DataSource.objects.get(name="points.gpkg")
    width = (3.9 * 2.9 * 1000 / count) ** 0.5  # area holding ~1,000 uniform points
    bbox = (5.0, 52.0, 5.0 + width, 52.0 + width)
    timings = {"page": [], "all": []}
    for _ in range(5):
        started = time.perf_counter()
        features = features_current(data_source=source, bbox=bbox)
        matched = features.count()
        list(features.values_list("id", "id_src", "geometry", "properties")[:50])
        timings["page"].append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = list(features.values_list("id", "id_src", "geometry", "properties"))
        timings["all"].append(time.perf_counter() - started)
    page, everything = (min(v) * 1000 for v in timings.values())
    print(
        f"bbox query, {matched:,} of {count:,} features: count + first page {page:.1f} ms, "
        f"all {len(rows):,} rows {everything:.1f} ms (best of 5)"
    )
    print(f"bbox: {', '.join(f'{v:.4f}' for v in bbox)}")


def _tile_times() -> None:
    """MVT tiles (``ST_AsMVT``) over the points at zooms 8, 11 and 14 (best of 5 each)."""
    import math

    from sluis.catalog.models import DataSource
    from sluis.datastore.vector.tiles import vector_tile

    source = DataSource.objects.get(name="points.gpkg")
    for z in (8, 11, 14):
        n = 2**z
        x = int((5.2 + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(52.2))) / math.pi) / 2 * n)
        best, size = math.inf, 0
        for _ in range(5):
            started = time.perf_counter()
            size = len(vector_tile(data_source=source, z=z, x=x, y=y))
            best = min(best, time.perf_counter() - started)
        print(f"MVT tile {z}/{x}/{y}: {size:,} bytes in {best * 1000:.1f} ms (best of 5)")


if __name__ == "__main__":
    main()
