"""Structured logs of a real ``sluis serve`` with its embedded worker (SLUIS_LOG_FORMAT=json):
every line of its output is one JSON object, requests have one access line with their id,
uploads leave received/started/succeeded/failed lines with their id, and no token is logged."""

import json
import re
import time
from pathlib import Path

import httpx
import pytest

from tests.uploads.served import serve, served_setup, stop

pytestmark = pytest.mark.services

STANDARD = {"time", "level", "logger", "message", "process"}
GOOD_CSV = b"timestamp,location,parameter,value\n2024-01-01T00:00:00Z,gauge,level,1.5\n"
BAD_CSV = b"timestamp,location,parameter,value\nnot-a-time,gauge,level,high\n"


class Log:
    """The server's combined output, read as it grows."""

    def __init__(self, path: Path):
        self.path = path

    def text(self) -> str:
        return self.path.read_text()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def wait_for(self, predicate, what: str, timeout: float = 30) -> list[dict]:
        """The records matching ``predicate``, once there is at least one (polled, bounded)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [r for r in self.records() if predicate(r)]
            if found:
                return found
            assert time.monotonic() < deadline, f"no log line for {what}:\n{self.text()}"
            time.sleep(0.1)  # polling with a deadline


@pytest.fixture(scope="module")
def sluis(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("logs")
    served, db_name = serve(
        tmp, SLUIS_LOG_FORMAT="json", SLUIS_LOG_LEVEL="INFO", SLUIS_SERVE_WORKER="true"
    )
    try:
        setup = served_setup(served, user="logger", count=2, kind="timeseries")
        yield served, setup, Log(tmp / "server.log"), db_name
    finally:
        stop(served, db_name)


def upload(served, setup, task: int, content: bytes) -> int:
    response = httpx.post(
        f"{served.url}/api/v1/sync_tasks/{task}/upload/",
        params={"token": setup["token"]},
        files={"upload_file": ("levels.csv", content)},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def events(log: Log, upload_id: int, event: str) -> list[dict]:
    return log.wait_for(
        lambda r: r.get("upload_id") == upload_id and r.get("event") == event,
        f"{event} of upload {upload_id}",
    )


def test_a_request_has_one_access_line_with_its_id_and_no_token(sluis):
    served, setup, log, _ = sluis
    response = httpx.get(
        f"{served.url}/api/v1/sync_tasks/",
        params={"token": setup["token"], "page": 1},
        headers={"X-Request-ID": "req-0001.test"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-0001.test"

    lines = log.wait_for(lambda r: r.get("request_id") == "req-0001.test", "the request")
    access = [r for r in lines if r["logger"] == "sluis.access"]
    assert len(access) == 1, lines
    assert access[0]["method"] == "GET"
    assert access[0]["path"] == "/api/v1/sync_tasks/"
    assert access[0]["status"] == 200
    assert access[0]["bytes"] == len(response.content)
    assert access[0]["duration_ms"] >= 0
    assert access[0]["client"] == "127.0.0.1"
    assert isinstance(access[0]["user_id"], int)
    assert setup["token"] not in log.text()


def test_an_unsafe_request_id_is_replaced_by_a_generated_one(sluis):
    served, _, log, _ = sluis
    response = httpx.get(f"{served.url}/api/v1/health/", headers={"X-Request-ID": "a b" * 100})
    rid = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", rid)
    log.wait_for(lambda r: r.get("request_id") == rid and r["logger"] == "sluis.access", rid)


def test_a_processed_upload_logs_received_started_and_succeeded_with_its_id(sluis):
    served, setup, log, _ = sluis
    upload_id = upload(served, setup, setup["tasks"][0], GOOD_CSV)

    (received,) = events(log, upload_id, "upload.received")
    assert received["size"] == len(GOOD_CSV) and received["detected_format"] == "csv"
    assert received["sync_task_id"] == setup["tasks"][0] and received["request_id"]
    (started,) = events(log, upload_id, "upload.processing_started")
    assert (started["kind"], started["attempt"]) == ("timeseries", 1)
    (succeeded,) = events(log, upload_id, "upload.processing_succeeded")
    assert succeeded["inserted"] == 1 and succeeded["duration_ms"] >= 0
    assert succeeded["data_source_id"] == started["data_source_id"]
    # Celery's own line about the task carries the upload id too (bound for the whole task).
    log.wait_for(
        lambda r: r["logger"] == "celery.app.trace" and r.get("upload_id") == upload_id,
        "Celery's task line",
    )
    assert setup["token"] not in log.text()


def test_a_failing_upload_logs_a_failed_line_with_code_and_reason(sluis):
    served, setup, log, _ = sluis
    upload_id = upload(served, setup, setup["tasks"][1], BAD_CSV)

    (failed,) = events(log, upload_id, "upload.processing_failed")
    assert failed["level"] == "WARNING"
    assert failed["code"] and failed["reason"]
    assert failed["error_count"] >= 1
    status = httpx.get(
        f"{served.url}/api/v1/uploads/{upload_id}/", params={"token": setup["token"]}
    ).json()
    assert failed["reason"] == status["failure_reason"]


def test_every_line_of_the_output_is_a_json_object_with_the_standard_fields(sluis):
    """Last in this module: it stops the server, so that the shutdown is checked too."""
    served, _, log, db_name = sluis
    httpx.get(f"{served.url}/api/v1/health/")
    log.wait_for(lambda r: r.get("path") == "/api/v1/health/", "a health check")
    stop(served, db_name)
    loggers = set()
    for line in log.text().splitlines():
        record = json.loads(line)
        assert STANDARD <= set(record), record
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"])
        loggers.add(record["logger"].split(".")[0])
    assert {"sluis", "gunicorn", "celery"} <= loggers  # web, server and worker alike
    tail = "\n".join(log.text().splitlines()[-30:])
    assert any(r["message"].startswith("worker shutting down") for r in log.records()), tail
