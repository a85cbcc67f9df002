"""Run the real clients (GDAL's own drivers, QGIS) in a child process with a clean environment.

``sluis.readers.gdal`` switches off GDAL's network drivers (WFS, OAPIF, WMS, ...) through
environment variables when it is imported, and the test process has imported it; a child
process without those variables gets GDAL as any user has it.
"""

import json
import os
import subprocess
import sys
import textwrap

HARDENING = {
    "GDAL_SKIP",
    "OGR_SKIP",
    "GDAL_HTTP_TIMEOUT",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS",
    "GDAL_DISABLE_READDIR_ON_OPEN",
    "OGR_GEOJSON_MAX_OBJ_SIZE",
}


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in HARDENING}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def run_python(code: str, *args: str, python: str = sys.executable, timeout: int = 120, env=None):
    """Run ``code`` with ``args`` in ``sys.argv[1:]`` (and ``env`` added to a clean
    environment); it prints one JSON document as its last line."""
    done = subprocess.run(
        [python, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env={**clean_env(), **(env or {})},
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"exit {done.returncode}: {done.stdout[-2000:]} {done.stderr[-3000:]}"
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
