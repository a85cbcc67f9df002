"""The embedded broker (kombu's filesystem transport, made atomic in ``sluis.config.broker``):
a message is never seen half-written, and a malformed message file is skipped and logged, also
by a real worker, which lives on and processes the next upload."""

import logging
import threading
import uuid

import pytest
from kombu import Connection

from sluis.config.celery import broker_transport_options
from sluis.uploads.queue import upload_enqueue
from tests.ingest.plugin_processor import stored
from tests.ingest.test_worker_failures import CONTENT, FAST, _finished
from tests.ingest.workers import Worker, wait_for, worker_env


@pytest.fixture
def embedded(settings):
    settings.SLUIS_BROKER_URL = ""
    settings.SLUIS_QUEUE = f"sluis-test-{uuid.uuid4().hex[:12]}"
    return settings.SLUIS_QUEUE


def connection() -> Connection:
    return Connection("sluisfs://localhost//", transport_options=broker_transport_options())


def queue_folder(settings):
    return settings.SLUIS_BROKER_DIR / "queue"


def test_a_consumer_never_sees_a_message_that_is_still_being_written(embedded):
    bodies = [f"{i:05d}:" + "x" * 300_000 for i in range(30)]
    received: list[str] = []
    failures: list[BaseException] = []

    def consume():
        with connection() as conn:
            queue = conn.SimpleQueue(embedded)
            try:
                while len(received) < len(bodies):
                    message = queue.get(timeout=30)
                    received.append(message.payload)
                    message.ack()
            except BaseException as exc:  # reported by the assertion below
                failures.append(exc)

    consumer = threading.Thread(target=consume)
    consumer.start()
    with connection() as conn:
        queue = conn.SimpleQueue(embedded)
        for body in bodies:
            queue.put(body)
    consumer.join(timeout=60)
    assert failures == []
    assert sorted(received) == bodies


def test_a_malformed_message_file_is_skipped_and_logged(embedded, settings, caplog):
    folder = queue_folder(settings)
    (folder / f"0000_a.{embedded}.msg").write_bytes(b"")
    (folder / f"0001_b.{embedded}.msg").write_bytes(b'{"body": "half')
    (folder / f"0002_c.{embedded}.msg").write_bytes(b'{"no": "properties"}')
    with connection() as conn, caplog.at_level(logging.ERROR, "sluis.config.broker"):
        queue = conn.SimpleQueue(embedded)
        queue.put("the good one")
        message = queue.get(timeout=10)
    assert message.payload == "the good one"
    skipped = [r for r in caplog.records if "malformed message" in r.getMessage()]
    assert len(skipped) == 3
    assert not [p for p in folder.iterdir() if p.name.startswith(("0000_", "0001_", "0002_"))]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_a_malformed_message_and_processes_the_next_upload(
    embedded, settings, tmp_path, test_source, store_upload
):
    for key, value in FAST.items():
        setattr(settings, key, value)
    (queue_folder(settings) / f"0000_half.{embedded}.msg").write_bytes(b'{"body": "eyJ')
    worker = Worker(worker_env("", embedded, **FAST), tmp_path / "worker.log").wait_ready()
    try:
        source = test_source()
        upload = store_upload(source, CONTENT)
        upload_enqueue(upload_id=upload.pk)
        wait_for(_finished(upload), 30, "the worker to process the upload")
        assert upload.status == "succeeded"
        assert stored(source.data_source.pk) == {"a": "1", "b": "2"}
        assert worker.alive
        assert "malformed message" in worker.log.read_text()
    finally:
        worker.stop()
