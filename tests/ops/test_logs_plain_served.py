"""A real ``sluis serve`` with SLUIS_LOG_FORMAT=plain writes readable lines, not JSON (its own
module: a served instance on PostgreSQL has a database of a fixed name, one at a time)."""

import re
import time

import httpx
import pytest

from tests.uploads.served import serve, stop

pytestmark = pytest.mark.services


def test_plain_logs_stay_readable_lines(tmp_path):
    served, db_name = serve(tmp_path, SLUIS_LOG_FORMAT="plain", SLUIS_LOG_LEVEL="INFO")
    try:
        response = httpx.get(
            f"{served.url}/api/v1/sync_tasks/",
            params={"token": "not-a-real-token"},
            headers={"X-Request-ID": "plain-1"},
        )
        assert response.status_code == 403
        pattern = re.compile(
            r"\S+Z INFO sluis\.access GET /api/v1/sync_tasks/ 403 request_id=plain-1 .*"
            r"duration_ms=\S+ bytes=\d+ client=127\.0\.0\.1"
        )
        deadline = time.monotonic() + 15
        while not pattern.search(text := (tmp_path / "server.log").read_text()):
            assert time.monotonic() < deadline, text
            time.sleep(0.1)  # polling with a deadline
        assert "not-a-real-token" not in text
        assert not any(line.startswith("{") for line in text.splitlines())
    finally:
        stop(served, db_name)
