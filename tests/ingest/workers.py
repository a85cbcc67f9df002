"""Real processes for the processing tests: ``sluis worker`` subprocesses and a private
redis-server. Everything is polled with a deadline; nothing sleeps to synchronise."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], object], timeout: float = 30, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Worker:
    """One ``sluis worker`` process group, logging to a file."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 1):
        self.log = log
        handle = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sluis", "worker", f"--concurrency={concurrency}"],
            env=env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()

    def wait_ready(self, timeout: float = 30) -> Worker:
        wait_for(lambda: b" ready." in self.log.read_bytes() or self._died(), timeout, "ready")
        assert self.process.poll() is None, self.log.read_text()
        return self

    def _died(self) -> bool:
        return self.process.poll() is not None

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool children."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


def worker_env(broker_url: str, queue: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SLUIS_DATA_DIR": str(settings.DATA_DIR),
            "SLUIS_DATABASE_URL": database_url(),
            "SLUIS_BROKER_URL": broker_url,
            "SLUIS_QUEUE": queue,
            "SLUIS_EXTRA_PROCESSORS": "tests.ingest.plugin_processor",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
            "SLUIS_LOG_LEVEL": "INFO",
        }
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


class RedisServer:
    """A private redis-server on a free port (can be stopped and started again), without
    persistence; with ``password`` it requires it (``requirepass``), as docs/operations.md says."""

    def __init__(self, folder: Path, password: str = ""):
        self.port = free_port()
        self.folder = folder
        self.password = password
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
                *(("--requirepass", self.password) if self.password else ()),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._accepts, 10, "redis-server")
        return self

    def _accepts(self) -> bool:
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
