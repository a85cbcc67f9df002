"""Readiness: can this process reach the database, the Celery broker and object storage?

Each check is short, bounded by ``SLUIS_READY_TIMEOUT`` and never raises: it returns a
``CheckResult``. Failures name the exception class only (the full message goes to the log), so an
unauthenticated probe learns which dependency is down, not hostnames or credentials.
"""

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from django.conf import settings
from django.db import connection
from kombu import Connection

from sluis.config.celery import broker_transport_options, broker_url, is_embedded
from sluis.ops.errors import NotReady
from sluis.uploads.storage import is_local, object_storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    seconds: float
    error: str = ""

    def as_dict(self) -> dict:
        body: dict[str, object] = {"ok": self.ok, "seconds": round(self.seconds, 4)}
        if self.error:
            body["error"] = self.error
        return body


class DatabaseLocked(Exception):
    """SQLite's write lock is held by another connection for longer than the ready timeout:
    reads work, but every upload would wait out the busy timeout and get 503."""


def check_database() -> None:
    """A query answers; on SQLite the write lock can also be taken within the ready timeout."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    # Inside a transaction this connection may hold the write lock itself (IMMEDIATE).
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        _sqlite_write_lock_probe(connection.settings_dict["NAME"])


def _sqlite_write_lock_probe(path: str) -> None:
    """Take and release the write lock on a connection of its own (no data is written)."""
    probe = sqlite3.connect(path, timeout=settings.SLUIS_READY_TIMEOUT, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower():
            raise DatabaseLocked(str(exc)) from exc
        raise
    finally:
        probe.close()


def check_broker() -> None:
    """Embedded transport: its folder is writable. Redis/AMQP: a connection is established."""
    if is_embedded():
        _require_writable_folder(Path(settings.SLUIS_BROKER_DIR))
        return
    url = broker_url()
    options = broker_transport_options(url)
    timeout = settings.SLUIS_READY_TIMEOUT
    if url.startswith(("redis", "rediss")):
        options = {**options, "socket_connect_timeout": timeout, "socket_timeout": timeout}
    with Connection(url, connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)


def check_storage() -> None:
    """Local: the objects folder is writable. S3: the bucket answers a HEAD request."""
    storage = object_storage()
    if is_local(storage):
        _require_writable_folder(Path(storage.location))
        return
    s3: Any = storage  # storages.backends.s3.S3Storage: its connection settings
    timeout = settings.SLUIS_READY_TIMEOUT
    bounded = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 1})
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=s3.endpoint_url,
        region_name=s3.region_name,
        aws_access_key_id=s3.access_key,
        aws_secret_access_key=s3.secret_key,
        aws_session_token=s3.security_token,
        config=s3.client_config.merge(bounded),
    )
    client.head_bucket(Bucket=s3.bucket_name)


def _require_writable_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError("folder is not writable")


class WorkerDown(Exception):
    """The worker ``sluis serve`` runs beside the web server is not running (it is restarted)."""


def check_embedded_worker() -> None:
    """The embedded worker runs: uploads would otherwise be accepted and wait in the queue."""
    from sluis.ingest.worker import embedded_worker_running

    if not embedded_worker_running():
        raise WorkerDown("the embedded worker is not running")


def readiness_check_add(name: str, check: Callable[[], None]) -> None:
    """Add a check (``sluis serve`` adds ``worker`` when it runs the embedded worker)."""
    CHECKS[name] = check


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "broker": check_broker,
    "storage": check_storage,
}


def readiness_checks() -> dict[str, CheckResult]:
    """Run every check; never raises."""
    return {name: _run(name, check) for name, check in CHECKS.items()}


def readiness_require() -> dict[str, dict]:
    """Per-check results when all pass; ``NotReady`` naming the failing checks otherwise."""
    results = readiness_checks()
    body = {name: result.as_dict() for name, result in results.items()}
    failing = [name for name, result in results.items() if not result.ok]
    if failing:
        raise NotReady(
            "Not ready: " + ", ".join(f"{n} ({results[n].error})" for n in failing) + ".",
            failing=failing,
            checks=body,
        )
    return body


def _run(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.monotonic()
    try:
        check()
    except Exception as exc:  # a readiness probe reports any failure, it never crashes
        log.warning("readiness check %s failed: %r", name, exc)
        return CheckResult(False, time.monotonic() - started, type(exc).__name__)
    return CheckResult(True, time.monotonic() - started)
