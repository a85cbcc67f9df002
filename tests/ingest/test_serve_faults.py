"""Faults of the embedded worker under a real ``sluis serve``: its main process killed, a pool
process killed, and the whole server killed and started again. ``serve`` restarts its worker and
``/ready/`` reports it missing meanwhile; every accepted upload ends ``succeeded`` within a
minute with exactly its data (all or nothing), never waiting for the ~26 minute lease."""

import json
import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.ingest.workers import ROOT, wait_for
from tests.uploads.served import serve, serve_again, stop

pytestmark = pytest.mark.services

SETUP = """
import json
from sluis.accounts.services import organization_get_or_create, token_create, user_create
from sluis.catalog.models import DataSource
from sluis.catalog.services import data_source_create
org = organization_get_or_create(name="Fault Org")
user = user_create(username="faults", organization=org, data_supplier=True, display_name="F")
created = [data_source_create(owner=org, name=f"faults {i}", kind="file") for i in range(3)]
DataSource.objects.filter(pk__in=[c.data_source.pk for c in created]).update(kind="sluis-test")
print(json.dumps({"token": token_create(user=user).secret,
                  "tasks": [c.sync_task.pk for c in created],
                  "sources": [c.data_source.pk for c in created]}))
"""
STATE = """
import json
from sluis.uploads.models import Upload
from tests.ingest.plugin_processor import stored
u = Upload.objects.select_related("data_source").get(pk={pk})
print(json.dumps({{"status": u.status, "reason": u.failure_reason, "attempts": u.attempts,
                  "stored": stored(u.data_source_id)}}))
"""


@pytest.fixture
def faulty(tmp_path):
    served, db_name = serve(
        tmp_path,
        options=("--workers", "1"),
        SLUIS_SERVE_WORKER="true",
        SLUIS_EXTRA_PROCESSORS="tests.ingest.plugin_processor",
        PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        SLUIS_SWEEP_INTERVAL="0.5",
        SLUIS_REQUEUE_AFTER="2",
        SLUIS_LOG_LEVEL="INFO",
    )
    instances = [served]
    yield instances
    for instance in instances[1:]:
        stop(instance, None)
    stop(instances[0], db_name)


def worker_pid(served) -> int | None:
    path = served.data_dir / "broker" / "embedded-worker.pid"
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return None


def ready(served) -> int:
    response = httpx.get(f"{served.url}/api/v1/ready/", timeout=10)
    print("ready:", response.status_code, response.text)  # shown when the test fails
    return response.status_code


def state(served, upload_id: int) -> dict:
    return json.loads(served.shell(STATE.format(pk=upload_id)).strip().splitlines()[-1])


def upload(served, setup, index: int, script: bytes) -> int:
    url = f"{served.url}/api/v1/sync_tasks/{setup['tasks'][index]}/upload/"
    response = httpx.post(
        url,
        params={"token": setup["token"]},
        files={"upload_file": ("script.txt", script)},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def attempt_pid(served, upload_id: int) -> int | None:
    """The pid of the pool process running the upload's latest attempt (its marker)."""
    markers = sorted(Path(served.data_dir, "test-markers").glob(f"{upload_id}-*"))
    return int(markers[-1].read_text()) if markers and markers[-1].read_text() else None


def ends_succeeded(served, upload_id: int, expected: dict, seconds: float = 60) -> dict:
    wait_for(
        lambda: state(served, upload_id)["status"] in ("succeeded", "failed"),
        seconds,
        f"upload {upload_id} to finish",
    )
    final = state(served, upload_id)
    assert final["status"] == "succeeded", final
    assert final["stored"] == expected  # all of its data, once
    return final


def test_serve_restarts_a_killed_worker_and_every_upload_ends_with_all_its_data(faulty):
    served = faulty[0]
    wait_for(lambda: worker_pid(served) and ready(served) == 200, 120, "the embedded worker")
    setup = json.loads(served.shell(SETUP).strip().splitlines()[-1])
    script = b"put a=1\nsleep 3\nput b=2\n"
    expected = {"a": "1", "b": "2"}

    # 1. kill -9 of the worker's main process while an upload is processing
    first = upload(served, setup, 0, script)
    wait_for(lambda: attempt_pid(served, first), 30, "the first upload to start")
    killed = worker_pid(served)
    os.kill(killed, signal.SIGKILL)
    wait_for(lambda: ready(served) == 503, 10, "/ready/ to report the worker missing")
    body = httpx.get(f"{served.url}/api/v1/ready/", timeout=10).json()
    assert "worker" in body["failing"]
    wait_for(lambda: worker_pid(served) not in (None, killed), 30, "a new embedded worker")
    wait_for(lambda: ready(served) == 200, 30, "/ready/ to report the new worker")
    ends_succeeded(served, first, expected)

    # 2. kill -9 of the pool process running an upload
    second = upload(served, setup, 1, script)
    wait_for(lambda: attempt_pid(served, second), 30, "the second upload to start")
    os.kill(attempt_pid(served, second), signal.SIGKILL)
    assert ends_succeeded(served, second, expected)["attempts"] == 2

    # 3. the whole server killed mid-processing, then started again: the upload is taken back
    #    at once (its owner is gone), not after the lease
    third = upload(served, setup, 2, script)
    wait_for(lambda: attempt_pid(served, third), 30, "the third upload to start")
    worker = worker_pid(served)
    os.killpg(worker, signal.SIGKILL)  # the worker runs in its own session: main and pool
    served.process.kill()
    served.process.wait(10)
    started = time.monotonic()
    again = serve_again(served, served.data_dir.parent, options=("--workers", "1"))
    faulty.append(again)
    ends_succeeded(again, third, expected)
    assert time.monotonic() - started < 60
