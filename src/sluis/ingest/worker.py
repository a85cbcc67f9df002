"""Running the worker: ``sluis worker`` (foreground) and the one ``sluis serve`` supervises."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import warnings

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
    """``sluis worker`` as a child process of ``sluis serve``, restarted if it ever exits."""

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

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            # Its own session: a Ctrl-C or SIGTERM for the server reaches the worker through
            # ``stop()``, after the web server, not in the middle of its shutdown.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sluis", "worker", "--embedded"], start_new_session=True
            )
            code = self.process.wait()
            if code == 0 or self.stopping.is_set():
                return  # a clean shutdown was asked for (by us or by the service manager)
            logger.warning("embedded worker exited with %s; restarting", code)
            self.stopping.wait(2)
