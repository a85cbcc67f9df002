"""WMS GetMap response times on a 200 MB raster (issue 21).

Builds the 209.7 MB float32 GeoTIFF of ``bench/raster.py`` (7,240 x 7,240 pixels of 10 m in
EPSG:28992), stores it as a COG through the raster processor, then times GetMap requests through
the whole Django stack (token authentication, selectors, rendering, PNG) in one process on
SQLite: a zoomed-out map (COG overviews), map tiles at full resolution in EPSG:3857 and the
raster's own CRS. Prints the median and best of ``--repeat`` requests per case.

    .venv/bin/python bench/wms.py [--size-mb 200] [--repeat 15]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _raster_bench():
    spec = importlib.util.spec_from_file_location("bench_raster", ROOT / "bench" / "raster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def django_setup(work: Path) -> None:
    os.environ["SLUIS_DATA_DIR"] = str(work / "data")
    os.environ.pop("SLUIS_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sluis.config.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def setup(work: Path, size_mb: int) -> None:
    """In its own process (as a worker would): migrate, store the raster, print a token."""
    django_setup(work)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from sluis.accounts.services import organization_get_or_create, token_create, user_create
    from sluis.catalog.services import data_source_create
    from sluis.formats.records import Member
    from sluis.kinds import IngestJob, kind_get

    src = work / "input.tif"
    _raster_bench().make_input(src, size_mb)
    org = organization_get_or_create(name="Bench")
    source = data_source_create(owner=org, name="Bench raster", kind="raster").data_source
    member = work / "m0001.tif"
    os.link(src, member)
    job = IngestJob(
        upload_id=1,
        data_source=source,
        ingest_settings={},
        members=[Member(member, "bench_2020-01-01.tif", "geotiff", member.stat().st_size)],
        received_at=datetime.now(UTC),
    )
    kind_get("raster").processor.process(job)
    user = user_create(username="bench", organization=None, is_staff=True)
    print(json.dumps({"token": token_create(user=user).secret, "size": src.stat().st_size}))


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A web-mercator (EPSG:3857) XYZ tile's bounds."""
    size = 2 * math.pi * 6378137 / 2**z
    west = -math.pi * 6378137 + x * size
    north = math.pi * 6378137 - y * size
    return west, north - size, west + size, north


def cases(frame) -> dict[str, dict]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(frame.crs_wkt, "EPSG:4326", always_xy=True).transform(
        (frame.x_min + frame.x_max) / 2, (frame.y_min + frame.y_max) / 2
    )
    out = {}
    for z in (9, 12, 15):
        n = 2**z
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        out[f"256 px tile z{z}, EPSG:3857"] = {
            "crs": "EPSG:3857",
            "bbox": ",".join(repr(v) for v in tile_bounds(z, x, y)),
            "width": 256,
            "height": 256,
        }
    whole = f"{frame.x_min},{frame.y_min},{frame.x_max},{frame.y_max}"
    out["whole raster 1024 px, EPSG:28992"] = {
        "crs": "EPSG:28992",
        "bbox": whole,
        "width": 1024,
        "height": 1024,
    }
    cx, cy = (frame.x_min + frame.x_max) / 2, (frame.y_min + frame.y_max) / 2
    out["2.56 km at full resolution 256 px, EPSG:28992"] = {
        "crs": "EPSG:28992",
        "bbox": f"{cx},{cy},{cx + 2560},{cy + 2560}",
        "width": 256,
        "height": 256,
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(Path(args.setup), args.size_mb)
        return
    with tempfile.TemporaryDirectory(prefix="sluis-bench-wms-") as tmp:
        # the raster is stored by another process, as a worker does; this one only serves maps
        command = [sys.executable, __file__, "--setup", tmp, "--size-mb", str(args.size_mb)]
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        prepared = json.loads(done.stdout.strip().splitlines()[-1])
        token, size = prepared["token"], prepared["size"]
        django_setup(Path(tmp))
        from django.test import Client

        from sluis.datastore.rasters.models import RasterFrame

        frame = RasterFrame.objects.get()
        print(
            f"input {size / 1e6:.1f} MB, {frame.width} x {frame.height} px, "
            f"COG {frame.size / 1e6:.1f} MB"
        )
        client = Client()
        for name, params in cases(frame).items():
            query = {
                "service": "WMS",
                "version": "1.3.0",
                "request": "GetMap",
                "layers": "bench-raster",
                "format": "image/png",
                "token": token,
                **params,
            }
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                response = client.get("/api/v1/wms/", query)
                times.append(time.perf_counter() - started)
                assert response.status_code == 200, response.content[:300]
            print(
                f"{name:48s} median {statistics.median(times) * 1000:6.1f} ms, "
                f"best {min(times) * 1000:6.1f} ms, {len(response.content) / 1000:.0f} kB PNG"
            )


if __name__ == "__main__":
    main()
