"""The database failing under a task (docs/processing.md), with real processes.

A real ``sluis worker`` on a private Redis processes vector and timeseries uploads against this
test's PostgreSQL database. The test parks the worker at a known point with a row lock it owns,
then terminates every database session of the worker (``pg_terminate_backend``), as a database
restart or failover does. What a user sees: the upload is queued again and retried, ends
``succeeded`` with the new data and a truthful attempt count; until then readers see the old
vector version, complete, and none of the timeseries file's values. The lease is long (the
default time limit): a retry must not wait for the sweeper to notice an expired lease.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection

from sluis.catalog.models import DataSource
from sluis.datastore.timeseries.models import Event, Series
from sluis.datastore.vector.models import VectorVersion, VersionState
from sluis.datastore.vector.selectors import features_current
from sluis.uploads.models import Upload
from sluis.uploads.queue import upload_enqueue
from tests.ingest.workers import RedisServer, Worker, database_url, wait_for, worker_env
from tests.uploads.served import on_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SETTINGS = {"SLUIS_SWEEP_INTERVAL": 0.5, "SLUIS_REQUEUE_AFTER": 2, "SLUIS_TASK_TIME_LIMIT": 600}


@pytest.fixture(scope="module", autouse=True)
def _needs_postgres():
    if not on_postgres():
        pytest.skip("needs PostgreSQL (row locks, pg_terminate_backend): runs in test-postgres")


@pytest.fixture(scope="module")
def _worker(django_db_setup, tmp_path_factory):
    """One ``sluis worker`` on a private redis-server, for a queue of its own, shared by the
    tests of this module (a worker takes seconds to start and stop)."""
    folder = tmp_path_factory.mktemp("database-loss")
    redis = RedisServer(folder).start()
    queue = f"sluis-test-{uuid.uuid4().hex[:12]}"
    process = Worker(worker_env(redis.url, queue, **SETTINGS), folder / "worker.log")
    try:
        yield process.wait_ready(), redis.url, queue
    finally:
        process.stop()
        redis.stop()


@pytest.fixture
def worker(_worker, settings):
    process, broker_url, queue = _worker
    settings.SLUIS_BROKER_URL, settings.SLUIS_QUEUE = broker_url, queue
    for key, value in SETTINGS.items():
        setattr(settings, key, value)
    yield process
    print(process.log.read_text(errors="replace"))  # shown when the test failed


def geojson(count: int, version: int) -> bytes:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [5.0 + i / 100, 52.0 + version / 100]},
            "properties": {"id": f"NL-{i}", "version": version},
        }
        for i in range(1, count + 1)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture
def vector_upload(make_source, store_upload):
    """A new vector data source; ``vector_upload(count, version)`` stores (and does not send)
    an upload of ``count`` points of version ``version`` (the points move with each version).
    Stored before a test locks the data source row: the upload's foreign key would wait."""
    created = make_source(name="Gemalen", kind="vector")

    def store(count: int, version: int) -> Upload:
        return store_upload(created, geojson(count, version), f"gemalen-v{version}.geojson")

    return store


def send(upload: Upload) -> Upload:
    """Wake the worker for a stored upload."""
    upload_enqueue(upload_id=upload.pk)
    return upload


def processed(upload: Upload) -> Upload:
    return finished(send(upload))


def finished(upload: Upload, timeout: float = 30) -> Upload:
    def done() -> bool:
        upload.refresh_from_db()
        return upload.status in ("succeeded", "failed")

    wait_for(done, timeout, f"upload {upload.pk} to finish")
    return upload


def current(data_source_id: int) -> dict[str, int]:
    """What a reader sees: the current features' ids and their version property."""
    data_source = DataSource.objects.get(pk=data_source_id)
    features = features_current(data_source=data_source)
    return {f.id_src: json.loads(f.properties)["version"] for f in features}


def version_of(count: int, version: int) -> dict[str, int]:
    return {f"NL-{i}": version for i in range(1, count + 1)}


def blocked_sessions(holder: psycopg.Connection) -> list[int]:
    """The database sessions waiting for a lock the holder's session owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [holder.info.backend_pid],
        )
        return [pid for (pid,) in cursor.fetchall()]


def terminate_worker_sessions(*keep: int) -> list[int]:
    """Terminate every session on this database but the test's own (and ``keep``)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND NOT pid = ANY(%s)",
            [list(keep)],
        )
        return [pid for pid, _ in cursor.fetchall()]


def cut_once_waiting(holder: psycopg.Connection) -> None:
    """Once the worker waits for the holder's lock, terminate all its sessions (the waiting
    one among them)."""
    waiting = wait_for(lambda: blocked_sessions(holder), 30, "the worker to wait for the lock")
    assert set(waiting) <= set(terminate_worker_sessions(holder.info.backend_pid))


def retried_and_waiting(holder: psycopg.Connection, upload: Upload) -> bool:
    """Attempt 2 of ``upload`` runs and waits for the holder's lock again."""
    upload.refresh_from_db()
    return upload.attempts == 2 and bool(blocked_sessions(holder))


def requeued_in_log(worker: Worker, upload: Upload) -> bool:
    return f"upload {upload.pk}: the database failed; queued again" in worker.log.read_text()


def test_the_database_failing_at_the_switch_retries_the_upload_and_keeps_the_old_version(
    worker, vector_upload
):
    first = processed(vector_upload(2, version=1))
    assert first.status == "succeeded", first.failure_reason
    second = vector_upload(5, version=2)
    with psycopg.connect(database_url()) as holder:
        holder.execute(  # the switch waits here, every feature staged
            f"SELECT id FROM {VectorVersion._meta.db_table} "
            "WHERE data_source_id = %s AND state = %s FOR UPDATE",
            [first.data_source_id, VersionState.CURRENT.value],
        )
        send(second)
        cut_once_waiting(holder)

        wait_for(lambda: retried_and_waiting(holder, second), 15, "attempt 2 at the switch")
        assert requeued_in_log(worker, second)
        assert (second.status, second.failure_reason) == ("processing", "")
        assert current(first.data_source_id) == version_of(2, version=1)
        building = VectorVersion.objects.filter(state=VersionState.BUILDING)
        assert list(building.values_list("upload_id", flat=True)) == [second.pk]  # attempt 2's
        holder.rollback()

    second = finished(second)
    assert (second.status, second.failure_reason, second.attempts) == ("succeeded", "", 2)
    assert (second.inserted, second.deleted) == (5, 2)
    assert current(first.data_source_id) == version_of(5, version=2)
    assert VectorVersion.objects.filter(state=VersionState.CURRENT).count() == 1


def test_the_database_failing_between_two_statements_retries_the_upload(worker, vector_upload):
    """The worker waits in a statement of its own (no transaction of Django's): creating the
    new version waits for the test's lock on the data source row (the foreign key's share
    lock). Its broken connection must not be reused to put the upload back."""
    first = processed(vector_upload(2, version=1))
    second = vector_upload(3, version=2)
    with psycopg.connect(database_url()) as holder:
        holder.execute(
            f"SELECT id FROM {DataSource._meta.db_table} WHERE id = %s FOR UPDATE",
            [first.data_source_id],
        )
        send(second)
        cut_once_waiting(holder)

        wait_for(lambda: retried_and_waiting(holder, second), 15, "attempt 2 at the same point")
        assert requeued_in_log(worker, second)
        assert current(first.data_source_id) == version_of(2, version=1)
        holder.rollback()

    second = finished(second)
    assert (second.status, second.failure_reason, second.attempts) == ("succeeded", "", 2)
    assert (second.inserted, second.deleted) == (3, 2)
    assert current(first.data_source_id) == version_of(3, version=2)


def test_a_worker_whose_idle_connections_were_cut_reconnects_for_the_next_upload(
    worker, vector_upload
):
    first = processed(vector_upload(2, version=1))
    assert terminate_worker_sessions()  # between two tasks: the worker holds idle sessions

    second = processed(vector_upload(4, version=2))
    assert (second.status, second.failure_reason, second.attempts) == ("succeeded", "", 1)
    assert current(first.data_source_id) == version_of(4, version=2)


START = datetime(2026, 1, 1, tzinfo=UTC)


def levels(hours: range, offset: float) -> bytes:
    rows = ["location,parameter,timestamp,value"]
    for hour in hours:
        moment = (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(f"L1,level,{moment},{hour + offset}")
    return ("\n".join(rows) + "\n").encode()


def stored_levels(data_source_id: int) -> dict[int, float]:
    events = Event.objects.filter(series__data_source=data_source_id)
    return {int((e.timestamp - START).total_seconds()) // 3600: e.value for e in events}


def test_the_database_failing_in_a_timeseries_merge_stores_all_of_the_file_or_none(
    worker, make_source, store_upload
):
    """Hours 0-47, then 24-71 revised: the merge waits for the test's lock on hour 30."""
    created = make_source(name="Peilen")
    first = processed(store_upload(created, levels(range(48), 0.0), "day1-2.csv"))
    assert first.status == "succeeded", first.failure_reason
    second = store_upload(created, levels(range(24, 72), 0.5), "day2-3.csv")
    with psycopg.connect(database_url()) as holder:
        holder.execute(
            f"SELECT value FROM {Event._meta.db_table} WHERE timestamp = %s "
            f"AND series_id IN (SELECT id FROM {Series._meta.db_table} "
            "WHERE data_source_id = %s) FOR UPDATE",
            [START + timedelta(hours=30), first.data_source_id],
        )
        send(second)
        cut_once_waiting(holder)

        wait_for(lambda: retried_and_waiting(holder, second), 15, "attempt 2 at the merge")
        assert requeued_in_log(worker, second)
        assert stored_levels(first.data_source_id) == {h: h + 0.0 for h in range(48)}
        holder.rollback()

    second = finished(second)
    assert (second.status, second.failure_reason, second.attempts) == ("succeeded", "", 2)
    assert (second.inserted, second.updated, second.unchanged) == (24, 24, 0)
    assert stored_levels(first.data_source_id) == {
        h: h + (0.5 if h >= 24 else 0.0) for h in range(72)
    }
    series = Series.objects.get(data_source=first.data_source_id)
    assert (series.event_count, series.last_timestamp) == (72, START + timedelta(hours=71))
