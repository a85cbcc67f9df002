"""A real ``sluis serve`` in the embedded mode logs one start-up line per component and none
of the noise of the libraries under it (its own module: one served instance at a time)."""

import io
import time

import httpx
import numpy as np
import pytest

from sluis.readers.gdal import rasterio
from tests.uploads.served import serve, served_setup, stop

pytestmark = pytest.mark.services

NOISE = [
    "GDAL_SKIP",  # GDAL's "Unable to find driver ... to unload from GDAL_SKIP"
    "SecurityWarning",
    "superuser privileges",
    "-------------- [queues]",  # the Celery banner
    "[tasks]",
    "Booting worker",
    "Listening at",
    "Connected to filesystem",
]


def _geotiff() -> bytes:
    buffer = io.BytesIO()
    transform = rasterio.transform.from_origin(4, 53, 0.1, 0.1)
    profile = {"driver": "GTiff", "width": 4, "height": 4, "count": 1, "dtype": "float32",
               "crs": "EPSG:4326", "transform": transform}  # fmt: skip
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dataset:
            dataset.write(np.ones((1, 4, 4), dtype="float32"))
        buffer.write(memory.read())
    return buffer.getvalue()


def test_serve_logs_one_start_line_and_no_library_noise(tmp_path):
    served, db_name = serve(
        tmp_path, SLUIS_SERVE_WORKER="true", SLUIS_LOG_FORMAT="plain", SLUIS_LOG_LEVEL="INFO"
    )
    try:
        setup = served_setup(served, user="quiet", count=1, kind="raster")
        url = f"{served.url}/api/v1/sync_tasks/{setup['tasks'][0]}/upload/"
        files = {"upload_file": ("rain_2024-01-01T00-00-00Z.tif", _geotiff())}
        sent = httpx.post(url, files=files, params={"token": setup["token"]}, timeout=30)
        assert sent.status_code == 201, sent.text
        status_url, deadline = sent.json()["status_url"], time.monotonic() + 60
        while (status := httpx.get(status_url, params={"token": setup["token"]}).json())[
            "status"
        ] not in ("succeeded", "failed"):
            assert time.monotonic() < deadline, status
            time.sleep(0.2)  # polling with a deadline
        assert status["status"] == "succeeded", status
    finally:
        stop(served, db_name)
    log = (tmp_path / "server.log").read_text()
    assert [n for n in NOISE if n in log] == [], log
    assert log.count("INFO sluis.serve Sluis ") == 1
    assert f"serving {served.url}/api/v1/" in log
    assert log.count(" ready.") == 1, log  # the worker's one line
