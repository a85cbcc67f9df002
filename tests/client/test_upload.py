"""Uploading with ``Client.upload`` and following processing with ``Client.wait``, against a
real Sluis (and, for a broken connection, a real proxy in front of it)."""

import hashlib
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC

import pytest
from django.utils import timezone

from sluis.uploads.models import Upload
from sluis_client import (
    Busy,
    Forbidden,
    NotUploadable,
    RetryPolicy,
    TooLarge,
    WaitTimeout,
)
from tests.client.helpers import GOOD_CSV, busy_upload
from tests.client.proxy import DroppingProxy


def test_it_uploads_a_file_and_returns_the_typed_result(client_for, supplier, levels, tmp_path):
    path = tmp_path / "levels#2024-01.csv"
    path.write_text(GOOD_CSV)
    calls = []
    result = client_for(supplier).upload(
        levels.sync_task.pk, path, progress=lambda sent, total: calls.append((sent, total))
    )
    size = path.stat().st_size
    assert result.status == "queued" and result.attempts == 1
    assert result.original_filename == "levels#2024-01.csv"
    assert result.filename == "levels2024-01.csv"
    assert result.size == size
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.upload_date.tzinfo is not None and result.download_link
    assert calls[-1] == (size, size)
    assert Upload.objects.get(pk=result.id).original_filename == "levels#2024-01.csv"


def test_it_uploads_from_a_pipe(client_for, supplier, levels, tmp_path):
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    with subprocess.Popen(["cat", str(path)], stdout=subprocess.PIPE) as cat:
        result = client_for(supplier).upload(levels.sync_task.pk, cat.stdout, filename="p.csv")
    assert result.size == path.stat().st_size and result.original_filename == "p.csv"


MEASURE_UPLOAD = """
import json, sys, tracemalloc
from sluis_client import Client
url, token, task, path = sys.argv[1:5]
with Client(url, token) as client:
    tracemalloc.start()
    result = client.upload(int(task), path)
    peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"peak": peak, "size": result.size}))
"""


def test_a_large_file_is_streamed_with_bounded_client_memory(
    sluis_url, supplier, make_source, tmp_path
):
    task = make_source(name="Documents", kind="file").sync_task
    path = tmp_path / "big.txt"
    line = b"measurement notes, all in plain text, repeated to make a large file\n"
    with open(path, "wb") as out:
        for _ in range(64 * 1024 * 1024 // (len(line) * 1024)):
            out.write(line * 1024)
    done = subprocess.run(
        [sys.executable, "-c", MEASURE_UPLOAD, sluis_url, supplier.token, str(task.pk), path],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout)
    assert measured["size"] == path.stat().st_size > 60_000_000
    assert measured["peak"] < 4 * 1024 * 1024  # the file is 64 MB; the client holds chunks


def test_it_retries_a_busy_data_source_after_retry_after_and_then_succeeds(
    client_for, supplier, levels, tmp_path
):
    running = busy_upload(levels)
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    told = []
    seen_409 = threading.Event()

    def on_retry(error, delay):
        told.append((error, delay, time.monotonic()))
        seen_409.set()

    client = client_for(supplier, retry=RetryPolicy(attempts=5, total_wait=60))
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(client.upload, levels.sync_task.pk, path, on_retry=on_retry)
        assert seen_409.wait(30), "the client never saw the data source busy"
        Upload.objects.filter(pk=running.pk).update(status="succeeded", finished_at=timezone.now())
        result = future.result(timeout=60)
    busy, delay, _ = told[0]
    assert isinstance(busy, Busy) and busy.status_code == 409
    assert busy.running_upload["id"] == running.pk
    assert delay == busy.retry_after > 0
    assert result.attempts == 2 and result.id != running.pk


def test_a_data_source_that_stays_busy_raises_busy_within_the_bounds(
    client_for, supplier, levels, tmp_path
):
    running = busy_upload(levels, status="queued")
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    client = client_for(supplier, retry=RetryPolicy(attempts=1))
    with pytest.raises(Busy) as caught:
        client.upload(levels.sync_task.pk, path)
    assert caught.value.running_upload["id"] == running.pk
    assert caught.value.headers.get("Retry-After")
    assert Upload.objects.filter(data_source=levels.data_source).count() == 1


def test_a_lost_response_is_retried_with_the_same_key_and_stored_once(
    live_server, client_for, supplier, levels, tmp_path
):
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    with DroppingProxy(live_server.url, drop_responses=1) as proxy:
        result = client_for(supplier, url=proxy.url).upload(levels.sync_task.pk, path)
    first, second = proxy.seen
    assert not first.answered and second.answered
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert first.body_size == second.body_size > len(GOOD_CSV)
    assert result.attempts == 2
    assert list(Upload.objects.values_list("pk", flat=True)) == [result.id]


def test_wait_gives_up_after_its_timeout(client_for, supplier, levels):
    stuck = busy_upload(levels)
    started = time.monotonic()
    with pytest.raises(WaitTimeout) as caught:
        client_for(supplier).wait(stuck.pk, timeout=0.5)
    assert caught.value.status.status == "processing"
    assert time.monotonic() - started < 5


def test_a_consumer_may_not_upload(client_for, consumer, levels, tmp_path):
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    with pytest.raises(Forbidden) as caught:
        client_for(consumer).upload(levels.sync_task.pk, path)
    assert caught.value.status_code == 403 and caught.value.detail


def test_a_task_that_is_not_uploadable_raises_not_uploadable(
    client_for, supplier, make_source, tmp_path
):
    closed = make_source(name="Closed", uploadable=False)
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    with pytest.raises(NotUploadable) as caught:
        client_for(supplier).upload(closed.sync_task.pk, path)
    assert caught.value.status_code == 400 and caught.value.code


def test_status_reads_the_upload_as_the_server_reports_it(client_for, supplier, levels):
    stuck = busy_upload(levels, status="queued")
    status = client_for(supplier).upload_status(stuck.pk)
    assert (status.id, status.status, status.finished) == (stuck.pk, "queued", False)
    assert status.received_at.tzinfo == UTC or status.received_at.utcoffset().total_seconds() == 0


def test_a_retry_after_beyond_the_budget_is_not_waited_for(
    client_for, supplier, levels, tmp_path, settings
):
    settings.SLUIS_UPLOAD_RETRY_AFTER = 120
    busy_upload(levels)
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV)
    started = time.monotonic()
    with pytest.raises(Busy) as caught:
        client_for(supplier, retry=RetryPolicy(attempts=5, total_wait=60)).upload(
            levels.sync_task.pk, path
        )
    assert caught.value.retry_after == 120
    assert time.monotonic() - started < 10


def test_a_file_over_the_servers_limit_raises_too_large(
    client_for, supplier, levels, tmp_path, settings
):
    settings.SLUIS_MAX_UPLOAD_BYTES = 10_000
    path = tmp_path / "levels.csv"
    path.write_text(GOOD_CSV * 200)
    with pytest.raises(TooLarge) as caught:
        client_for(supplier).upload(levels.sync_task.pk, path)
    assert caught.value.status_code == 413 and caught.value.detail
    assert not Upload.objects.exists()
