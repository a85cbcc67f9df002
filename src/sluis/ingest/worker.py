"""Running the worker: ``sluis worker`` (foreground) and the one ``sluis serve`` supervises."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings

from sluis.config.celery import app

logger = logging.getLogger(__name__)


def worker_argv(
    *,
    concurrency: int | None = None,
    loglevel: str = "INFO",
    queues: list[str] | None = None,
    pool: str = "prefork",
) -> list[str]:
    """Celery worker arguments: our queues (by default the processing queue and the
    notifications queue), a unique node name, no mingle/gossip chatter (the database
    coordinates workers, not the broker); no start-up banner when logging JSON (every line of
    output is then a JSON object)."""
    quiet = ["--quiet"] if settings.SLUIS_LOG_FORMAT == "json" else []
    queues = queues or [settings.SLUIS_QUEUE, settings.SLUIS_NOTIFY_QUEUE]
    return [
        *quiet,
        "worker",
        f"--loglevel={loglevel}",
        f"--queues={','.join(queues)}",
        f"--concurrency={concurrency or settings.SLUIS_WORKER_CONCURRENCY}",
        f"--hostname=sluis-{os.getpid()}@%h",
        f"--pool={pool}",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
    ]


def worker_run(
    *,
    concurrency: int | None = None,
    loglevel: str = "INFO",
    queues: list[str] | None = None,
    pool: str = "prefork",
) -> None:
    if settings.SLUIS_LOG_FORMAT == "json":
        _drop_raw_stdout()
    argv = worker_argv(concurrency=concurrency, loglevel=loglevel, queues=queues, pool=pool)
    app.worker_main(argv)


def _drop_raw_stdout() -> None:
    """Celery writes a few notices for people straight to file descriptor 1, bypassing logging
    ("worker: Warm shutdown"). With JSON logs every line must be JSON, so the worker's stdout
    goes nowhere; logs go to stderr, and the same events are logged as records (``ready``,
    ``worker shutting down``)."""
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


class EmbeddedWorker:
    """``sluis worker`` as a child process of ``sluis serve``, restarted whenever it exits while
    the server runs (a crash, ``kill -9``, an out-of-memory kill).

    Its pid is kept in ``worker_pid_path()`` while it runs, so that the web processes (forked
    before any restart) can report it in ``/ready/``. The exit status cannot decide whether to
    restart: gunicorn's arbiter, our parent too, reaps any child that exits, and then ``wait``
    here only learns "0". Only ``stop()`` ends the supervision.
    """

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._supervise, name="sluis-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        worker_pid_path().unlink(missing_ok=True)

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            # Its own session: a Ctrl-C or SIGTERM for the server reaches the worker through
            # ``stop()``, after the web server, not in the middle of its shutdown.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sluis", "worker"], start_new_session=True
            )
            _pid_write(self.process.pid)
            self.process.wait()
            worker_pid_path().unlink(missing_ok=True)
            if self.stopping.wait(2):  # a clean shutdown was asked for meanwhile
                return
            logger.warning("embedded worker (pid %s) exited; restarting", self.process.pid)


def worker_pid_path() -> Path:
    return Path(settings.SLUIS_BROKER_DIR) / "embedded-worker.pid"


def _pid_write(pid: int) -> None:
    path = worker_pid_path()
    path.parent.mkdir(parents=True, exist_ok=True)  # the worker creates the broker folders later
    path.write_text(str(pid))


def embedded_worker_running() -> bool:
    """Whether the embedded worker of this installation's ``sluis serve`` runs right now."""
    try:
        pid = int(worker_pid_path().read_text())
    except (OSError, ValueError):
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
