"""Real worker subprocesses on Redis (and RabbitMQ) against this test's database.

Each failure test asserts the final state and the stored data equal one clean run. Time limits
are shortened (hard 7 s, lease 8 s) so that recovery takes seconds; the hard limit stays above
the 5 s in which Celery's prefork pool notices a dead child, so a crash is told from a timeout.
"""

import os
import signal
import subprocess
import sys
import uuid

import httpx
import pytest
import redis
from kombu import Connection

from sluis.uploads.models import Upload
from sluis.uploads.queue import send_process_upload, upload_enqueue
from tests.ingest.builders import image
from tests.ingest.plugin_processor import markers_dir, stored
from tests.ingest.workers import ROOT, RedisServer, Worker, free_port, wait_for, worker_env

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/4"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
FAST = {
    "SLUIS_TASK_TIME_LIMIT": 7,
    "SLUIS_TASK_SOFT_TIME_LIMIT": 6,
    "SLUIS_LEASE_MARGIN": 1,
    "SLUIS_SWEEP_INTERVAL": 0.5,
    "SLUIS_REQUEUE_AFTER": 2,
}
CONTENT = b"put a=1\nput b=2\n"


class Engine:
    """This process and its workers share one broker and a queue of their own."""

    def __init__(self, settings, tmp_path, broker_url):
        self.tmp_path = tmp_path
        self.broker_url = broker_url
        self.queue = f"sluis-test-{uuid.uuid4().hex[:12]}"
        self.workers: list[Worker] = []
        settings.SLUIS_BROKER_URL = broker_url
        settings.SLUIS_QUEUE = self.queue
        for key, value in FAST.items():
            setattr(settings, key, value)

    def worker(self, concurrency: int = 1) -> Worker:
        env = worker_env(self.broker_url, self.queue, **FAST)
        log = self.tmp_path / f"worker-{len(self.workers)}.log"
        worker = Worker(env, log, concurrency=concurrency)
        self.workers.append(worker)
        return worker.wait_ready()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
            print(worker.log.read_text(errors="replace"))  # shown when the test failed


@pytest.fixture
def on_redis(settings, tmp_path):
    engine = Engine(settings, tmp_path, REDIS_URL)
    yield engine
    engine.stop()
    redis.Redis.from_url(REDIS_URL).flushdb()


def _finished(upload):
    def check():
        upload.refresh_from_db()
        return upload.status in ("succeeded", "failed")

    return check


def _process(upload, timeout=30):
    upload_enqueue(upload_id=upload.pk)
    wait_for(_finished(upload), timeout, f"upload {upload.pk} to finish")
    return upload


def _outcome(upload) -> dict:
    upload.refresh_from_db()
    return {
        "status": upload.status,
        "counts": (upload.inserted, upload.updated, upload.unchanged, upload.rejected),
        "errors": upload.errors,
        "stored": stored(upload.data_source_id),
        "busy": Upload.objects.filter(
            data_source=upload.data_source_id, status__in=["queued", "processing"]
        ).exists(),
    }


def _attempts_started(upload) -> int:
    return len(list(markers_dir().glob(f"{upload.pk}-*")))


@pytest.fixture
def clean_run(test_source, store_upload):
    """The reference: the same content processed once, by the worker, without trouble."""

    def run():
        upload = _process(store_upload(test_source(name="Reference"), CONTENT))
        return _outcome(upload)

    return run


def test_a_worker_on_redis_processes_an_upload_from_queued_to_succeeded(
    on_redis, test_source, store_upload
):
    on_redis.worker()
    source = test_source()
    upload = _process(store_upload(source, CONTENT))

    assert _outcome(upload) == {
        "status": "succeeded",
        "counts": (2, 0, 0, 0),
        "errors": [],
        "stored": {"a": "1", "b": "2"},
        "busy": False,
    }
    source.sync_task.refresh_from_db()
    assert source.sync_task.sync_status == "successful"


def test_a_worker_on_rabbitmq_processes_an_upload(settings, tmp_path, test_source, store_upload):
    engine = Engine(settings, tmp_path, RABBITMQ_URL)
    try:
        engine.worker()
        upload = _process(store_upload(test_source(), CONTENT))
        assert _outcome(upload)["status"] == "succeeded"
    finally:
        engine.stop()
        with Connection(RABBITMQ_URL) as conn:
            conn.default_channel.queue_delete(engine.queue)


def test_a_worker_killed_mid_processing_is_recovered_to_one_clean_run(
    on_redis, test_source, store_upload, clean_run, settings
):
    first = on_redis.worker()
    upload = store_upload(test_source(), b"put a=1\nblock-on-attempt 1\nput b=2\n")
    upload_enqueue(upload_id=upload.pk)
    wait_for(lambda: (markers_dir() / f"{upload.pk}-1").exists(), 30, "attempt 1 to start")

    first.kill()
    on_redis.worker()

    wait_for(_finished(upload), 30, "the upload to be recovered")
    assert upload.attempts == 2
    outcome = _outcome(upload)
    assert outcome == clean_run()
    assert outcome["stored"] == {"a": "1", "b": "2"}
    work = settings.DATA_DIR / "work"
    wait_for(lambda: not list(work.glob(f"upload-{upload.pk}-*")), 10, "work folder removed")


def test_an_upload_arriving_while_the_broker_is_down_is_processed_once_it_is_back(
    settings, tmp_path, test_source, store_upload
):
    server = RedisServer(tmp_path).start()
    engine = Engine(settings, tmp_path, server.url)
    try:
        engine.worker()
        server.stop()
        upload = store_upload(test_source(), CONTENT)

        assert upload_enqueue(upload_id=upload.pk) is False  # fails fast, the upload is kept
        upload.refresh_from_db()
        assert upload.status == "queued" and upload.lease_expires_at is not None

        server.start()
        wait_for(_finished(upload), 60, "processing after the broker came back")
        assert _outcome(upload) == {
            "status": "succeeded",
            "counts": (2, 0, 0, 0),
            "errors": [],
            "stored": {"a": "1", "b": "2"},
            "busy": False,
        }
        assert _attempts_started(upload) == 1
    finally:
        engine.stop()
        server.stop()


def test_the_same_task_delivered_twice_processes_the_upload_once(
    on_redis, test_source, store_upload, clean_run
):
    on_redis.worker(concurrency=2)
    upload = store_upload(test_source(), b"put a=1\nsleep 0.5\nput b=2\n")

    for _ in range(2):  # one message id, delivered twice
        send_process_upload(upload.pk, task_id=f"upload-{upload.pk}")
    wait_for(_finished(upload), 30, "the upload to finish")

    assert upload.attempts == 1 and _attempts_started(upload) == 1
    assert _outcome(upload) == clean_run()


def test_a_poison_file_fails_after_the_attempt_budget_and_the_worker_lives_on(
    on_redis, test_source, store_upload
):
    on_redis.worker()
    source = test_source()
    upload = _process(store_upload(source, b"put a=1\ndie\n"), timeout=60)

    assert upload.status == "failed" and upload.attempts == 3
    assert "gave up after 3 attempts" in upload.failure_reason
    assert stored(source.data_source.pk) == {}
    assert all(worker.alive for worker in on_redis.workers)
    assert _process(store_upload(source, CONTENT)).status == "succeeded"


def test_an_upload_over_the_hard_time_limit_fails_and_frees_the_data_source(
    on_redis, test_source, store_upload
):
    on_redis.worker()
    source = test_source()
    upload = _process(store_upload(source, b"put a=1\nhang\n"))

    assert upload.status == "failed" and upload.attempts == 1
    assert "time limit of 7 s" in upload.failure_reason
    assert stored(source.data_source.pk) == {}
    assert _process(store_upload(source, CONTENT)).status == "succeeded"


def test_sluis_serve_processes_uploads_with_its_embedded_worker_and_no_broker_server(
    settings, tmp_path, make_source, supplier
):
    engine = Engine(settings, tmp_path, "")
    env = worker_env("", engine.queue, **FAST)
    log = tmp_path / "serve.log"
    port = free_port()
    photos = make_source(name="Photos", kind="file")
    with log.open("wb") as handle:
        serve = subprocess.Popen(
            [sys.executable, "-m", "sluis", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: b" ready." in log.read_bytes(), 60, "the embedded worker")
        response = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/sync_tasks/{photos.sync_task.pk}/upload/",
            params={"token": supplier.token},
            files={"upload_file": ("photo.png", image("PNG"))},
            timeout=30,
        )
        assert response.status_code == 201, response.text
        upload = Upload.objects.get(pk=response.json()["id"])
        wait_for(_finished(upload), 30, "the embedded worker to process the upload")
        assert (upload.status, upload.inserted, upload.errors) == ("succeeded", 1, [])
        queue = settings.DATA_DIR / "broker" / "queue"
        # Every wake-up is consumed, also a second one the sweeper may send at worker start for
        # the same upload (processing it again is a no-op).
        wait_for(lambda: not list(queue.glob(f"*.{engine.queue}.msg")), 15, "an empty queue")
        # no warning for the broker-free transport's URL (kombu's "No hostname was supplied")
        assert b"hostname" not in log.read_bytes()
    finally:
        serve.send_signal(signal.SIGTERM)  # stops the web server, then its worker
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
        print(log.read_text(errors="replace"))
    assert serve.returncode == 0
    assert b"Warm shutdown" in log.read_bytes()
