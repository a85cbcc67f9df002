"""The one Celery task, ``sluis.process_upload(upload_id)``, and the worker's sweeper.

The task is thin: it calls ``processing.upload_process``. ``UploadTask`` is the shared base that
records on the upload row what the task body cannot: an unexpected exception, the hard time
limit (the pool child is killed; Celery calls ``on_failure`` in the worker's main process) and a
lost pool child (``UploadRequest``: the attempt is queued again, or failed after the last one,
before the message is re-delivered). Messages are acknowledged late and re-delivered when a
worker is lost; claiming is idempotent, so a duplicate delivery does nothing.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from dataclasses import asdict

from billiard.exceptions import WorkerLostError
from celery import Task, signals
from celery.worker.request import Request
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from sluis.config.celery import app
from sluis.config.logging import log_context, log_context_bind, log_context_reset
from sluis.ingest.lifecycle import upload_attempt_lost, upload_fail_unexpectedly
from sluis.ingest.processing import upload_process
from sluis.ingest.sweep import uploads_sweep
from sluis.uploads.queue import PROCESS_UPLOAD

logger = logging.getLogger(__name__)


class UploadRequest(Request):
    """Runs in the worker's main process when a pool child dies while processing an upload."""

    def on_failure(self, exc_info, send_failed_event=True, return_ok=False):
        error = getattr(exc_info.exception, "exc", exc_info.exception)
        if not self.args:
            return super().on_failure(exc_info, send_failed_event, return_ok)
        with log_context(upload_id=self.args[0]):
            if isinstance(error, WorkerLostError):
                reason = f"the worker process died: {error}"
                upload_attempt_lost(upload_id=self.args[0], reason=reason, by="worker")
            return super().on_failure(exc_info, send_failed_event, return_ok)


class UploadTask(Task):
    """Shared base of upload tasks: late acks, time limits, failures recorded on the upload."""

    Request = UploadRequest
    acks_late = True
    reject_on_worker_lost = True
    ignore_result = True
    max_retries = None

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        if args:
            upload_fail_unexpectedly(upload_id=args[0], error=exc)


@app.task(bind=True, base=UploadTask, name=PROCESS_UPLOAD)
def process_upload(self, upload_id: int) -> str:
    """Process one upload by id (see ``processing.upload_process``); DB outages retry later."""
    try:
        return upload_process(upload_id=upload_id)
    except DatabaseError as exc:
        raise self.retry(exc=exc, countdown=min(300, 5 * 2**self.request.retries)) from exc


# --- the upload id on every log line of a task ------------------------------------------------

_bound: dict[str, contextvars.Token] = {}


@signals.task_prerun.connect
def _bind_upload_id(task_id: str, task: Task, args=(), **kwargs) -> None:
    """From here to ``task_postrun`` (the body, ``on_failure`` and Celery's own success or
    failure line) every log line carries the upload id."""
    if task.name == process_upload.name and args:
        _bound[task_id] = log_context_bind(upload_id=args[0])


@signals.task_postrun.connect
def _unbind_upload_id(task_id: str, **kwargs) -> None:
    token = _bound.pop(task_id, None)
    if token is not None:
        log_context_reset(token)


# --- the sweeper thread -----------------------------------------------------------------------


class Sweeper(threading.Thread):
    """Runs ``sweep.uploads_sweep`` at worker start and every ``SLUIS_SWEEP_INTERVAL`` s."""

    def __init__(self, interval: float):
        super().__init__(name="sluis-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            self.sweep_once()
            if self.stopped.wait(self.interval):
                return

    def sweep_once(self) -> None:
        try:
            result = uploads_sweep()
        except DatabaseError:
            logger.warning("sweep skipped: the database is unavailable", exc_info=True)
        else:
            if result.requeued or result.failed or result.woken or result.work_dirs_removed:
                logger.info("sweep: %s", result, extra={"event": "sweep", **asdict(result)})
        finally:
            close_old_connections()


_sweeper: Sweeper | None = None


@signals.worker_ready.connect
def _start_sweeper(**kwargs) -> None:
    global _sweeper
    _sweeper = Sweeper(settings.SLUIS_SWEEP_INTERVAL)
    _sweeper.start()


@signals.worker_shutting_down.connect
def _log_shutting_down(sig: str = "", how: str = "", **kwargs) -> None:
    logger.info("worker shutting down (%s, on %s)", how.lower(), sig)


@signals.worker_shutdown.connect
def _stop_sweeper(**kwargs) -> None:
    if _sweeper is not None:
        _sweeper.stopped.set()
