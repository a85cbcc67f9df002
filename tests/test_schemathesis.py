"""The OpenAPI schema is the contract: schemathesis fuzzes every operation of a live
``sluis serve`` holding data of every kind, as a supplier, as a consumer and anonymously, and
fails on any finding of ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance`` or ``response_schema_conformance``.

Bounded for the suite's time: a few generated examples per operation and phase, one worker.
"""

import json
import subprocess
import time

import httpx
import pytest

from tests.ingest import builders
from tests.uploads.served import BIN, serve, stop

pytestmark = pytest.mark.services

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,"
CHECKS += "response_schema_conformance"
EXAMPLES_PER_OPERATION = 12
SECONDS_PER_RUN = 150

GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "gauge"},
                "geometry": {"type": "Point", "coordinates": [5.1, 52.1]},
            }
        ],
    }
).encode()
CSV = (
    b"location,parameter,timestamp,value\nA,h,2024-01-01T00:00:00Z,1.5\nA,h,2024-01-02T00:00:00Z,\n"
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """A ``sluis serve`` with its embedded worker, the demo cast and one processed upload of
    every kind (so list and detail answers hold real objects, nulls included)."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    served, db_name = serve(tmp, SLUIS_SERVE_WORKER="true")
    try:
        demo = json.loads(
            subprocess.run(
                [BIN / "sluis", "demo", "--json"],
                env=served.env,
                capture_output=True,
                check=True,
                timeout=120,
            ).stdout
        )
        files = {
            "timeseries": ("levels.csv", CSV),
            "vector": ("gauges.geojson", GEOJSON),
            "raster": ("grid_2024-01-01.tif", builders.geotiff(tmp / "grid.tif")),
            "file": ("photo.jpg", builders.image("JPEG")),
        }
        token = demo["users"]["supplier"]["token"]
        for kind, (name, data) in files.items():
            _upload_and_wait(served.url, token, demo["sync_tasks"][kind], name, data)
        yield served, demo
    finally:
        stop(served, db_name)


def _upload_and_wait(url: str, token: str, task: int, name: str, data: bytes) -> None:
    headers = {"Authorization": f"Token {token}"}
    response = httpx.post(
        f"{url}/api/v1/sync_tasks/{task}/upload/",
        files={"upload_file": (name, data)},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    status_url = response.json()["status_url"]
    deadline = time.monotonic() + 90
    while (status := httpx.get(status_url, headers=headers, timeout=10).json()["status"]) in {
        "queued",
        "processing",
    }:
        assert time.monotonic() < deadline, f"{name} still {status}"
        time.sleep(0.2)  # polling with a deadline
    assert status == "succeeded", httpx.get(status_url, headers=headers).text


def schemathesis(url: str, folder, *headers: str) -> subprocess.CompletedProcess:
    """Run the schemathesis CLI in ``folder`` (its cache and reports stay out of the repository)."""
    command = [
        BIN / "schemathesis",
        "run",
        f"{url}/api/v1/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-deterministic",
        "--no-color",
        "--suppress-health-check",
        "all",
        "--warnings",
        "off",
    ]
    for header in headers:
        command += ["--header", header]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=SECONDS_PER_RUN + 60, cwd=folder
    )


@pytest.mark.parametrize("caller", ["supplier", "consumer", "anonymous"])
def test_schemathesis_finds_nothing_over_every_operation(live, caller, tmp_path):
    served, demo = live
    headers = (
        () if caller == "anonymous" else (f"Authorization: Token {demo['users'][caller]['token']}",)
    )

    done = schemathesis(served.url, tmp_path, *headers)

    assert done.returncode == 0, done.stdout[-20000:] + done.stderr[-5000:]
