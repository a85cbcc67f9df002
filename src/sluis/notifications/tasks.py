"""Celery tasks of notifications, on their own queue (``SLUIS_NOTIFY_QUEUE``), and the
dispatcher thread every worker runs.

- ``sluis.notify_upload(upload_id)``: an upload ended; prepare its deliveries and failure mail;
- ``sluis.deliver_webhook(delivery_id, attempt)``: make one delivery attempt;
- ``sluis.mail_upload_failed(upload_id)``: send the failure mail (retried when SMTP fails).

Tasks are thin and carry ids. Nothing here runs in a web request: the web process (and the
processing task) only publish a wake-up after commit, and a lost wake-up is found again by the
dispatcher (due attempts) and its catch-up (ended uploads never prepared).
"""

from __future__ import annotations

import logging
import smtplib
import threading

from celery import signals
from django.conf import settings
from django.db import DatabaseError, close_old_connections

from sluis.config.celery import app
from sluis.notifications import deliveries, mail, services

logger = logging.getLogger(__name__)
CATCH_UP_WINDOW = 6 * 3600  # seconds: ends older than this are not announced late
CATCH_UP_GRACE = 60  # seconds: the wake-up after commit normally arrives well within this
MAIL_RETRIES = 5


@app.task(name="sluis.notify_upload", ignore_result=True, acks_late=True)
def notify_upload(upload_id: int) -> None:
    """Prepare the notifications of an upload's end (``services.upload_notify``) and send them."""
    notified = services.upload_notify(upload_id=upload_id)
    if notified is None:
        return
    for delivery_id in notified.delivery_ids:
        publish(deliver_webhook.name, delivery_id, 1)
    if notified.failure_mail:
        publish(mail_upload_failed.name, upload_id)


@app.task(
    name="sluis.deliver_webhook",
    ignore_result=True,
    acks_late=True,
    soft_time_limit=None,
    time_limit=120,
)
def deliver_webhook(delivery_id: int, attempt: int) -> str:
    """Make attempt ``attempt`` of one delivery (``deliveries.delivery_attempt``)."""
    return deliveries.delivery_attempt(delivery_id=delivery_id, attempt=attempt)


@app.task(bind=True, name="sluis.mail_upload_failed", ignore_result=True, max_retries=MAIL_RETRIES)
def mail_upload_failed(self, upload_id: int) -> int:
    """Send the failure mail of an upload; an unreachable mail server is retried with backoff."""
    try:
        return mail.upload_failure_mail_send(upload_id=upload_id)
    except (OSError, smtplib.SMTPException) as exc:
        logger.warning("failure mail of upload %s not sent (%s); retrying", upload_id, exc)
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc


def publish(task_name: str, *args: int) -> bool:
    """Send a wake-up on the notifications queue. Never raises: the dispatcher and its
    catch-up send again what a broker outage lost."""
    try:
        app.send_task(task_name, args, queue=settings.SLUIS_NOTIFY_QUEUE, retry=False)
    except Exception:  # any broker or network failure: the database keeps what is due
        logger.warning("could not publish %s%s; the dispatcher will", task_name, args)
        return False
    return True


def notify_upload_publish(upload_id: int) -> bool:
    return publish(notify_upload.name, upload_id)


# --- the dispatcher thread --------------------------------------------------------------------


class Dispatcher(threading.Thread):
    """Sends due delivery attempts and catches up on lost ends, every poll interval."""

    def __init__(self, interval: float):
        super().__init__(name="sluis-webhooks", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.dispatch_once()

    def dispatch_once(self) -> None:
        try:
            deliveries.deliveries_dispatch(send=lambda pk, n: publish(deliver_webhook.name, pk, n))
            late = services.uploads_unnotified(
                window_seconds=CATCH_UP_WINDOW, grace_seconds=CATCH_UP_GRACE
            )
            for upload_id in late:
                notify_upload_publish(upload_id)
        except DatabaseError:
            logger.warning("webhook dispatch skipped: the database is unavailable")
        finally:
            close_old_connections()


_dispatcher: Dispatcher | None = None


@signals.worker_ready.connect
def _start_dispatcher(**kwargs) -> None:
    global _dispatcher
    _dispatcher = Dispatcher(settings.SLUIS_WEBHOOK_POLL_INTERVAL)
    _dispatcher.start()


@signals.worker_shutdown.connect
def _stop_dispatcher(**kwargs) -> None:
    if _dispatcher is not None:
        _dispatcher.stopped.set()
