"""Waking a worker for a queued upload: one step, sent once the transaction commits.

The database is the source of truth and the broker only wakes: ``upload_enqueue_on_commit``
publishes the processing task (``PROCESS_UPLOAD``, by name: the uploads app never imports the
processing engine that defines it) after the transaction that stored the upload as ``queued``
has committed. When the broker is unreachable the upload is marked due and the sweeper sends
the wake-up again once the broker is back.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sluis.catalog.models import SyncStatus
from sluis.catalog.services import sync_tasks_state_set
from sluis.config.celery import app, broker_transport_options, broker_url
from sluis.uploads.models import Upload, UploadStatus

logger = logging.getLogger(__name__)
PROCESS_UPLOAD = "sluis.process_upload"  # the task name (sluis.ingest.tasks.process_upload)


def upload_queued_announce(*, upload: Upload) -> None:
    """Announce an upload just stored as queued, inside that transaction: its sync tasks say
    ``harvesting`` from this moment (a client polling the sync task after the 201 sees the
    same state as the legacy ``/uploads/`` list), and a worker is woken once it commits."""
    sync_tasks_state_set(
        data_source_id=upload.data_source_id,
        sync_task_id=upload.sync_task_id,
        sync_status=SyncStatus.HARVESTING,
    )
    upload_enqueue_on_commit(upload_id=upload.pk)


def upload_enqueue_on_commit(*, upload_id: int) -> None:
    """Wake a worker for ``upload_id`` once the current transaction commits (at once outside
    one)."""
    transaction.on_commit(partial(upload_enqueue, upload_id=upload_id))


def upload_enqueue(*, upload_id: int) -> bool:
    """Send the wake-up for an upload. Never raises: when the broker is unreachable the upload is
    marked due and the sweeper sends it again once the broker is back."""
    try:
        send_process_upload(upload_id)
    except Exception:  # any broker or network failure: the upload is safe in the database
        logger.warning(
            "could not send the wake-up for upload %s; the sweeper will",
            upload_id,
            extra={"upload_id": upload_id},
        )
        Upload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
            lease_expires_at=timezone.now()
        )
        return False
    return True


def send_process_upload(upload_id: int, task_id: str | None = None) -> None:
    """Publish one wake-up over a fresh, short-lived connection, failing fast when the broker is
    down (the caller marks the upload due for the sweeper). Time limits are not put in the
    message: the worker's own settings decide them."""
    url = broker_url()
    options = {**broker_transport_options(url), "max_retries": 1, "interval_start": 0}
    with app.connection_for_write(url, transport_options=options, connect_timeout=5) as conn:
        app.send_task(
            PROCESS_UPLOAD,
            (upload_id,),
            task_id=task_id,
            producer=conn.Producer(),
            queue=settings.SLUIS_QUEUE,
            retry=False,
            time_limit=None,  # explicit None: no sender-side limits in the message
            soft_time_limit=None,
        )
