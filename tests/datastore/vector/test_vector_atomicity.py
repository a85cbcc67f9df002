"""A reader in another thread sees the whole old or the whole new version, never a mix.

Runs on the real engines with real connections: SQLite in WAL mode (file database) and
PostgreSQL. The writer waits for the reader to read again before each batch, so reads are
guaranteed to fall while the new version is being built, and the reader keeps reading until
it has seen the outcome.
"""

import threading
import time

import pytest
from django.db import connection

from sluis.datastore.vector.selectors import features_current
from sluis.datastore.vector.services import vector_dataset_replace

pytestmark = pytest.mark.django_db(transaction=True)

OLD = [f"old-{i}" for i in range(3000)]
NEW = [f"new-{i}" for i in range(2500)]


def _rows(ids):
    return [(i, '{"type":"Point","coordinates":[5,52]}', "{}", 5.0, 52.0, 5.0, 52.0) for i in ids]


class Reader(threading.Thread):
    """Reads the current features in a loop and classifies every read."""

    def __init__(self, source):
        super().__init__(daemon=True)
        self.source = source
        self.seen: list[str] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        try:
            while not self.stop.is_set():
                ids = list(
                    features_current(data_source=self.source).values_list("id_src", flat=True)
                )
                self.seen.append(
                    "old" if ids == OLD else "new" if ids == NEW else f"mix:{len(ids)}"
                )
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()

    def wait_for(self, condition, timeout=30):
        deadline = time.monotonic() + timeout
        while not condition():
            assert self.is_alive() and time.monotonic() < deadline, (self.error, self.seen[-5:])
            time.sleep(0.001)  # polling a condition with a deadline, not synchronising by sleep

    def finish(self):
        self.stop.set()
        self.join(timeout=30)
        assert self.error is None, self.error


def _batches_interleaved_with(reader, ids, fail_at=None):
    for start in range(0, len(ids), 500):
        reads = len(reader.seen)
        reader.wait_for(lambda reads=reads: len(reader.seen) > reads)
        if start == fail_at:
            raise OSError("writer failed mid-replace")
        yield _rows(ids[start : start + 500])


def test_the_sqlite_test_database_is_a_wal_file_like_production():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_reader_sees_the_whole_old_or_the_whole_new_version_during_a_replace(
    vector_source,
):
    vector_dataset_replace(data_source=vector_source, batches=[_rows(OLD)])
    reader = Reader(vector_source)
    reader.start()
    vector_dataset_replace(
        data_source=vector_source, batches=_batches_interleaved_with(reader, NEW)
    )
    reader.wait_for(lambda: reader.seen[-1] == "new")
    reader.finish()
    assert set(reader.seen) == {"old", "new"}
    first_new = reader.seen.index("new")
    assert first_new >= 5 and set(reader.seen[first_new:]) == {"new"}


def test_a_failed_replace_never_shows_the_reader_anything_but_the_old_version(vector_source):
    vector_dataset_replace(data_source=vector_source, batches=[_rows(OLD)])
    reader = Reader(vector_source)
    reader.start()
    with pytest.raises(OSError, match="mid-replace"):
        vector_dataset_replace(
            data_source=vector_source,
            batches=_batches_interleaved_with(reader, NEW, fail_at=2000),
        )
    reads = len(reader.seen)
    reader.wait_for(lambda: len(reader.seen) > reads)
    reader.finish()
    assert set(reader.seen) == {"old"} and len(reader.seen) >= 5
