"""Running the worker: ``sluis worker`` (foreground) and the one ``sluis serve`` supervises."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

from celery.exceptions import SecurityWarning
from django.conf import settings

from sluis.config.celery import app

logger = logging.getLogger(__name__)


ROOT_ADVICE = (
    "running as root: run Sluis as an unprivileged user "
    "(e.g. the `sluis` user of deploy/systemd, docs/operations.md)"
)


def worker_argv(
    *,
    concurrency: int | None = None,
    loglevel: str = "INFO",
    queues: list[str] | None = None,
    pool: str = "prefork",
    embedded: bool = False,
) -> list[str]:
    """Celery worker arguments: our queues (by default the processing queue and the
    notifications queue), a unique node name, no mingle/gossip chatter (the database
    coordinates workers, not the broker); no start-up banner when logging JSON (every line of
    output is then a JSON object) or embedded in ``sluis serve`` (its log says it)."""
    quiet = ["--quiet"] if settings.SLUIS_LOG_FORMAT == "json" or embedded else []
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
    embedded: bool = False,
) -> None:
    """Run a Celery worker in the foreground. Celery's multi-line warning about running as root
    is replaced by one line saying what to do (by ``sluis serve`` itself when ``embedded``); the
    embedded worker's broker connection is not logged (it is the built-in one)."""
    if settings.SLUIS_LOG_FORMAT == "json":
        _drop_raw_stdout()
    warnings.filterwarnings("ignore", category=SecurityWarning)
    if embedded:
        logging.getLogger("celery.worker.consumer.connection").setLevel(logging.WARNING)
    elif running_as_root():
        logger.warning(ROOT_ADVICE)
    argv = worker_argv(
        concurrency=concurrency, loglevel=loglevel, queues=queues, pool=pool, embedded=embedded
    )
    app.worker_main(argv)


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


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
    before any restart) can report it in ``/ready/``. Two things of gunicorn's arbiter, our
    process, shape this: it reaps any child that exits (so the exit status is not ours to read,
    and only ``stop()`` ends the supervision), and it forks web processes at any moment (so the
    worker is started with ``posix_spawn``: ``subprocess`` waits on a pipe that a web process
    forked meanwhile would inherit and hold open, blocking the start until that process ends).
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._supervise, name="sluis-worker", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.pid is not None and _running(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            if not _wait(self.pid, timeout=30):
                os.kill(self.pid, signal.SIGKILL)
        worker_pid_path().unlink(missing_ok=True)

    def _supervise(self) -> None:
        try:
            self._run()
        except Exception:  # the supervision must never end silently
            logger.exception("the embedded worker's supervision failed")
            raise

    def _run(self) -> None:
        while not self.stopping.is_set():
            # Its own session: a Ctrl-C or SIGTERM for the server reaches the worker through
            # ``stop()``, after the web server, not in the middle of its shutdown.
            argv = [sys.executable, "-m", "sluis", "worker", "--embedded"]
            self.pid = os.posix_spawn(sys.executable, argv, os.environ, setsid=True)
            _pid_write(self.pid)
            _wait(self.pid)
            worker_pid_path().unlink(missing_ok=True)
            if self.stopping.wait(2):  # a clean shutdown was asked for meanwhile
                return
            logger.warning("embedded worker (pid %s) exited; restarting", self.pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _wait(pid: int, timeout: float | None = None) -> bool:
    """Wait until ``pid`` has exited (reaped here or by the arbiter); False on timeout."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True  # reaped by gunicorn's arbiter
        if done:
            return True
        if deadline is not None and time.monotonic() > deadline:
            return False
        time.sleep(0.2)  # polling: waitpid cannot block with a timeout


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
